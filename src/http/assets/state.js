// The builder's state (the inputs, the mode, the revision), its copy in the
// page URL, and the last link answer it was checked against; what the tools
// below the builder may send. Modules hear of changes through on()/emit().

import { SECRET, includesOf, opsQuery, splitItem } from './inputs.js';

/**
 * What the page shows: `items` are the strings sent to the API. `report` is
 * the last answer of POST /v1/links, with the items, mode and revision it was
 * for; `problem` the last failure (not a per-input error), a sentence to show.
 */
export const state = {
  items: [],
  minimal: false,
  revision: null,
  report: null,
  problem: null,
  /** The revision answering without one (the newest stable), once known. */
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

/**
 * What the last report says about `items[index]`: its answer for the same
 * text (even at another index, after a removal), or, while a changed
 * include list is being checked, the same operation with the new includes.
 */
export function infoAt(index) {
  const text = state.items[index];
  const report = state.report;
  if (!report) return { resolved: null, error: null, warnings: [], exact: false };
  const body = report.body;
  const at = (j) => ({
    resolved: body.operations.find((op) => op.index === j) || null,
    error: body.errors.find((error) => error.index === j) || null,
    warnings: body.warnings.filter((warning) => warning.index === j),
  });
  const j = report.sentItems[index] === text ? index : report.sentItems.indexOf(text);
  if (j >= 0) return { ...at(j), exact: true };
  const before = report.sentItems[index];
  if (before !== undefined && splitItem(before)[0] === splitItem(text)[0]) {
    const found = at(index);
    if (found.resolved) {
      return {
        resolved: { ...found.resolved, includes: includesOf(text) },
        error: null,
        warnings: found.warnings,
        exact: false,
      };
    }
  }
  return { resolved: null, error: null, warnings: [], exact: false };
}

export function isSecretAt(index) {
  const error = infoAt(index).error;
  return SECRET.test(state.items[index]) || Boolean(error && error.code === 'looks_like_secret');
}

/** Whether the report is for exactly the current items and mode. */
export function reportIsCurrent() {
  const report = state.report;
  return (
    Boolean(report) &&
    report.minimal === state.minimal &&
    report.revision === state.revision &&
    report.sentItems.length === state.items.length &&
    report.sentItems.every((item, i) => item === state.items[i])
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

/** Writes the state into the address bar; never an input that looks like a key. */
export function writeUrlState() {
  const items = state.items.filter((_, i) => !isSecretAt(i));
  const query = opsQuery(items, state.minimal, state.revision);
  const url = location.pathname + (query ? '?' + query : '');
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
}

// ------------------------------------------------- what the tools may send

/** The items the tools send: never one that looks like a key. */
export const sendableItems = () => state.items.filter((_, i) => !isSecretAt(i));

/** The inputs that resolved in the current answer, as the link and /go use them. */
export function resolvedItems() {
  const items = sendableItems();
  const report = state.report;
  if (!reportIsCurrent()) return { items, left: 0 };
  const ok = report.sentItems.filter((_, i) => report.body.operations.some((op) => op.index === i));
  return { items: ok.filter((item) => items.includes(item)), left: items.length - ok.length };
}

export const withRevision = (payload) => (state.revision ? { ...payload, revision: state.revision } : payload);

/** What a tool's answer depends on, to tell when it is stale. */
export const optionsKey = () => JSON.stringify([state.minimal, state.revision]);
export const itemsKey = () => JSON.stringify([sendableItems(), state.minimal, state.revision]);
