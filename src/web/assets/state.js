// The builder's state (the inputs, the mode, the revision), its copy in the
// page URL, and the last link answer it was checked against; which inputs
// the tools below the builder may send. Modules hear of changes through
// on()/emit().
//
// Which inputs look like a private key is the API's call, never the page's:
// POST /v1/links answers `looks_like_secret` for them. An input the API has
// not checked yet is kept out of everything but that request: the page URL
// is written only from the answer's `page_url`, and the tools send only the
// inputs the API has checked.

import { givenIncludes, itemKey, operationText, sameItem } from './inputs.js';

/**
 * What the page shows: `items` are the inputs sent to the API (texts or
 * `{operation, include}`). `report` is the last answer of POST /v1/links,
 * with the items, mode and revision it was for; `problem` the last failure
 * (not a per-input error), a sentence to show.
 */
export const state = {
  items: [],
  minimal: false,
  revision: null,
  report: null,
  problem: null,
  /** The revision answering without one (GET /v1/catalog's `default_revision`). */
  defaultRevision: null,
};

const listeners = new Map();

/**
 * Events: `render` (the builder was drawn again), `options` (the mode or the
 * revision changed), `catalog` (the operation list loaded).
 */
export function on(event, listener) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(listener);
}

export function emit(event) {
  for (const listener of listeners.get(event) || []) listener();
}

// ------------------------------------------------------ the API's verdicts

/**
 * For each input the API has checked (by `itemKey`), its error code, or ''
 * when it resolved. Whether an input looks like a key depends on its text
 * alone, so a verdict holds across modes and revisions.
 */
const verdicts = new Map();

/** Error codes given before the key check, so they don't tell whether an input is one. */
const UNCHECKED = new Set(['looks_like_secret', 'too_long']);

/** Remembers what an answer of POST /v1/links said about each input it was for. */
export function noteVerdicts(sentItems, body) {
  sentItems.forEach((item, index) => {
    const error = body.errors.find((e) => e.index === index);
    verdicts.set(itemKey(item), error ? error.code : '');
  });
}

/** The API has checked this input. */
export const isChecked = (item) => verdicts.has(itemKey(item));

/** The API called this input key-like (`looks_like_secret`). */
export const isKeyLike = (item) => verdicts.get(itemKey(item)) === 'looks_like_secret';

/** The API checked this input and found no key in it: it may leave the link request. */
const isCleared = (item) => verdicts.has(itemKey(item)) && !UNCHECKED.has(verdicts.get(itemKey(item)));

// ------------------------------------------------------------ the report

/**
 * What the last report says about `items[index]`: its answer for the same
 * input (even at another index, after a removal), or, while a ticked or
 * unticked include is being checked, the same operation with the new
 * include values.
 */
export function infoAt(index) {
  const item = state.items[index];
  const report = state.report;
  if (!report) return { resolved: null, error: null, warnings: [], exact: false };
  const body = report.body;
  const at = (j) => ({
    resolved: body.operations.find((op) => op.index === j) || null,
    error: body.errors.find((error) => error.index === j) || null,
    warnings: body.warnings.filter((warning) => warning.index === j),
  });
  const before = report.sentItems[index];
  const j = before !== undefined && sameItem(before, item) ? index : report.sentItems.findIndex((sent) => sameItem(sent, item));
  if (j >= 0) return { ...at(j), exact: true };
  if (before !== undefined && typeof item !== 'string') {
    const found = at(index);
    const { resolved } = found;
    if (resolved && (item.operation === resolved.operation_id || item.operation === operationText(before))) {
      return { resolved: { ...resolved, includes: givenIncludes(item) }, error: null, warnings: found.warnings, exact: false };
    }
  }
  return { resolved: null, error: null, warnings: [], exact: false };
}

/** Whether the report is for exactly the current items and mode. */
export function reportIsCurrent() {
  const report = state.report;
  return (
    Boolean(report) &&
    report.minimal === state.minimal &&
    report.revision === state.revision &&
    report.sentItems.length === state.items.length &&
    report.sentItems.every((item, i) => sameItem(item, state.items[i]))
  );
}

// ------------------------------------------------------------- URL state

export function readUrlState() {
  const params = new URLSearchParams(location.search);
  state.items = params
    .getAll('op')
    .map((op) => op.trim())
    .filter(Boolean);
  const minimal = params.get('minimal');
  state.minimal = minimal === 'true' || minimal === '1';
  const revision = (params.get('revision') || '').trim();
  state.revision = revision || null;
}

/**
 * Writes the state into the address bar: the answer's `page_url` (the API
 * leaves key-like inputs out of it) once the answer is for the current
 * state, or just the mode and revision when there are no inputs. While an
 * answer is awaited, the address stays as it is.
 */
export function writeUrlState() {
  let url = null;
  if (!state.items.length) {
    const params = new URLSearchParams();
    if (state.minimal) params.set('minimal', 'true');
    if (state.revision) params.set('revision', state.revision);
    const query = params.toString();
    url = location.pathname + (query ? '?' + query : '');
  } else if (reportIsCurrent() && typeof state.report.body.page_url === 'string') {
    url = state.report.body.page_url;
  }
  if (url !== null && url !== location.pathname + location.search) history.replaceState(null, '', url);
}

// ------------------------------------------------- what the tools may send

/** The items the tools send: only those the API checked and found no key in. */
export const sendableItems = () => state.items.filter(isCleared);

/** The inputs that resolved in the current answer, as the link and /go use them. */
export function resolvedItems() {
  const items = sendableItems();
  const report = state.report;
  if (!reportIsCurrent()) return { items, left: 0 };
  const ok = report.sentItems.filter((_, i) => report.body.operations.some((op) => op.index === i));
  return { items: ok.filter((item) => items.some((sendable) => sameItem(sendable, item))), left: items.length - ok.length };
}

export const withRevision = (payload) => (state.revision ? { ...payload, revision: state.revision } : payload);

/** What a tool's answer depends on, to tell when it is stale. */
export const optionsKey = () => JSON.stringify([state.minimal, state.revision]);
export const itemsKey = () => JSON.stringify([sendableItems(), state.minimal, state.revision]);
