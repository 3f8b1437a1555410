// The operation list of the chosen revision (GET /v1/operations): what the
// search box finds and which include values each operation takes.

import { getOperations } from './api.js';
import { els } from './dom.js';
import { emit, state } from './state.js';

/** The operations, once loaded: `{list, byId}`. */
let catalog = null;
let catalogSeq = 0;

/** Lower case, letters and digits only: `getProfile` and `get_profile` meet. */
export function norm(text) {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export const catalogLoaded = () => Boolean(catalog);

/** The operation with this operationId in the loaded list, or null. */
export const operationById = (id) => (catalog ? catalog.byId.get(id) || null : null);

/**
 * Loads the list of the chosen revision; an unknown revision (from an old
 * page URL) falls back to the default list. Emits `catalog` once loaded.
 */
export async function loadCatalog() {
  const seq = ++catalogSeq;
  const revision = state.revision;
  if (!catalog) els.catalogStatus.textContent = 'Loading the operation list…';
  try {
    let answer = await getOperations(revision);
    if (revision && answer.status === 422) answer = await getOperations(null);
    if (answer.status === 0) throw new Error(answer.failure);
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    const body = answer.body;
    if (!body || !Array.isArray(body.operations)) throw new Error('not an operation list');
    if (seq !== catalogSeq) return;
    const list = body.operations.map((op) => ({
      op,
      id: norm(op.operation_id),
      aliases: (op.aliases || []).map(norm),
      route: `${op.method} ${op.path}`.toLowerCase(),
      text: [op.operation_id, ...(op.aliases || []), op.method, op.path, op.tag, op.summary]
        .join(' ')
        .toLowerCase(),
    }));
    catalog = { list, byId: new Map(body.operations.map((op) => [op.operation_id, op])) };
    if (els.catalogStatus.textContent === 'Loading the operation list…') els.catalogStatus.textContent = '';
    els.app.dataset.catalog = 'ready';
    emit('catalog');
  } catch (error) {
    if (seq !== catalogSeq) return;
    if (catalog) return; // keep the list already loaded
    els.catalogStatus.textContent = `Could not load the operation list (${error.message}); type an input and press Enter.`;
    els.app.dataset.catalog = 'failed';
  }
}

/** The catalog's operations matching the query, best first. */
export function findOperations(query) {
  if (!catalog) return [];
  const lower = query.trim().toLowerCase();
  const compact = norm(lower);
  if (!lower) return [];
  const words = lower.split(/\s+/);
  const scored = [];
  for (const entry of catalog.list) {
    let score = null;
    if (compact && (entry.id === compact || entry.aliases.includes(compact))) score = 0;
    else if (compact && entry.id.startsWith(compact)) score = 1;
    else if (compact && entry.aliases.some((alias) => alias.startsWith(compact))) score = 2;
    else if (compact && entry.id.includes(compact)) score = 3;
    else if (entry.route.includes(lower)) score = 4;
    else if (words.every((word) => entry.text.includes(word))) score = 5;
    if (score !== null) scored.push({ score, entry });
  }
  scored.sort(
    (a, b) =>
      a.score - b.score ||
      a.entry.op.operation_id.length - b.entry.op.operation_id.length ||
      a.entry.op.operation_id.localeCompare(b.entry.op.operation_id),
  );
  return scored.map((found) => found.entry.op);
}
