// The builder's actions: add, fix, remove and tick inputs, switch the mode,
// and ask POST /v1/links (partial) for every change; the answer is drawn by
// render.js.

import { postLinks, problemText } from './api.js';
import { els, plural } from './dom.js';
import { givenIncludes, operationText, replacementItem, sameItem, toItem } from './inputs.js';
import { focusNext, render } from './render.js';
import { emit, infoAt, noteVerdicts, state, writeUrlState } from './state.js';

let requestSeq = 0;
/** The last link request added inputs started, settled once its answer is drawn. */
let checking = Promise.resolve();

/** Settles once the inputs added last have been checked by the API (or a newer request is out). */
export const whenChecked = () => checking;

/** Asks for the link of the current inputs; a newer call wins over an older one. */
export async function refresh() {
  const seq = ++requestSeq;
  writeUrlState();
  if (!state.items.length) {
    state.report = null;
    state.problem = null;
    els.app.dataset.state = 'ready';
    render();
    return;
  }
  const sentItems = state.items.slice();
  const minimal = state.minimal;
  const revision = state.revision;
  els.app.dataset.state = 'busy';
  els.result.setAttribute('aria-busy', 'true');
  render();
  const answer = await postLinks({ operations: sentItems, minimal, partial: true, ...(revision ? { revision } : {}) });
  if (seq !== requestSeq) return; // a newer request is on its way
  const ok = answer.ok && answer.body && Array.isArray(answer.body.scopes);
  if (ok) noteVerdicts(sentItems, answer.body);
  state.report = ok ? { sentItems, minimal, revision, body: answer.body } : null;
  state.problem = ok ? null : problemText(answer);
  els.result.removeAttribute('aria-busy');
  els.app.dataset.state = 'ready';
  writeUrlState();
  render();
}

/**
 * Appends inputs (texts, pasted lines or `{operation, include}`) not already
 * in the list; answers how many were added.
 */
export function addItems(values) {
  let added = 0;
  for (const value of values) {
    const item = toItem(value);
    if (!item || state.items.some((other) => sameItem(other, item))) continue;
    state.items.push(item);
    added += 1;
  }
  if (added) checking = refresh();
  return added;
}

function removeItem(index) {
  state.items.splice(index, 1);
  focusNext(state.items.length ? `remove-${Math.min(index, state.items.length - 1)}` : 'search');
  refresh();
}

/** Applies the `k`th suggestion the answer made for the input at `index`. */
function applyFix(index, k) {
  const { error } = infoAt(index);
  const suggestion = error && error.suggestions[k];
  if (!suggestion) return;
  state.items[index] = replacementItem(suggestion.replacement);
  focusNext(`item-${index}`);
  refresh();
}

/**
 * Ticks or unticks an include: the input becomes `{operation, include}` with
 * the include values the answer resolved it with, plus or minus this one. The
 * operation keeps the input's own text when that text brings no include
 * value of its own (then it keeps following the revision), else it is the
 * operationId it resolved to.
 */
function toggleInclude(index, value, on) {
  const item = state.items[index];
  const { resolved } = infoAt(index);
  if (!resolved) return;
  const given = givenIncludes(item);
  const operation = resolved.includes.every((v) => given.includes(v)) ? operationText(item) : resolved.operation_id;
  const include = resolved.includes.filter((v) => v !== value);
  if (on) include.push(value);
  state.items[index] = { operation, include };
  refresh();
}

els.pasteAdd.addEventListener('click', () => {
  const lines = els.pasteText.value.split(/\r?\n/).filter((line) => line.trim());
  const added = addItems(lines);
  els.pasteText.value = '';
  els.catalogStatus.textContent = `Added ${plural(added, 'input')}${added < lines.length ? ` (${lines.length - added} already in the list)` : ''}.`;
});

els.clear.addEventListener('click', () => {
  state.items = [];
  focusNext('search');
  refresh();
});

els.items.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const index = Number(button.dataset.index);
  if (button.dataset.action === 'remove') removeItem(index);
  else if (button.dataset.action === 'fix') applyFix(index, Number(button.dataset.suggestion));
});

els.items.addEventListener('change', (event) => {
  const box = event.target.closest('input[data-include]');
  if (box) toggleInclude(Number(box.dataset.index), box.dataset.include, box.checked);
});

for (const radio of [els.readwrite, els.minimal]) {
  radio.addEventListener('change', () => {
    state.minimal = els.minimal.checked;
    emit('options');
    refresh();
  });
}
