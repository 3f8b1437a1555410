// The Klaviyo revision select: GET /v1/catalog's revisions, in its order
// (newest first), shown only when there is a choice; a change reloads the
// operation list and the link.

import { getCatalog } from './api.js';
import { refresh } from './builder.js';
import { loadCatalog } from './catalog.js';
import { el, els } from './dom.js';
import { emit, state } from './state.js';

/** GET /v1/catalog's `revisions` (`{revision, beta, …}`), once loaded. */
let revisions = null;

export async function loadRevisions() {
  const answer = await getCatalog();
  const body = answer.ok ? answer.body : null;
  if (body && Array.isArray(body.revisions)) {
    revisions = body.revisions.filter((r) => r && typeof r.revision === 'string');
    if (typeof body.default_revision === 'string') state.defaultRevision = body.default_revision;
  }
  renderRevisions();
}

/** The select, shown only when more than one revision is loaded. */
export function renderRevisions() {
  const list = revisions || [];
  els.revisionField.hidden = list.length < 2;
  if (list.length < 2) return;
  const { defaultRevision } = state;
  const chosen = state.revision || defaultRevision;
  const options = list.map(({ revision, beta }) => {
    const note = revision === defaultRevision ? 'newest stable, the default' : beta ? 'beta' : 'stable';
    return el('option', { value: revision }, `${revision} (${note})`);
  });
  // A revision in the page URL that is not loaded stays visible as such.
  if (state.revision && !list.some((r) => r.revision === state.revision)) {
    options.unshift(el('option', { value: state.revision }, `${state.revision} (not loaded)`));
  }
  if (!chosen) options.unshift(el('option', { value: '' }, 'The default'));
  const signature = options.map((o) => `${o.value}=${o.textContent}`).join('|');
  if (els.revision.dataset.signature !== signature) {
    els.revision.replaceChildren(...options);
    els.revision.dataset.signature = signature;
  }
  els.revision.value = chosen || '';
}

els.revision.addEventListener('change', () => {
  const value = els.revision.value;
  state.revision = !value || value === state.defaultRevision ? null : value;
  renderRevisions();
  loadCatalog();
  emit('options');
  refresh();
});
