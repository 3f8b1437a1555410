// The builder's actions: add, fix, remove and tick inputs, switch the mode,
// and ask POST /v1/links (partial) for every change; the answer is drawn by
// render.js.

import { postLinks, problemText } from './api.js';
import { els, plural } from './dom.js';
import { includesOf, lineToItem, withIncludes } from './inputs.js';
import { focusNext, render } from './render.js';
import { emit, state, writeUrlState } from './state.js';

let requestSeq = 0;

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
  state.report = ok ? { sentItems, minimal, revision, body: answer.body } : null;
  state.problem = ok ? null : problemText(answer);
  els.result.removeAttribute('aria-busy');
  els.app.dataset.state = 'ready';
  writeUrlState();
  render();
}

/** Appends inputs not already in the list; answers how many were added. */
export function addItems(texts) {
  let added = 0;
  for (const text of texts) {
    const item = lineToItem(text);
    if (!item || state.items.includes(item)) continue;
    state.items.push(item);
    added += 1;
  }
  if (added) refresh();
  return added;
}

function removeItem(index) {
  state.items.splice(index, 1);
  focusNext(state.items.length ? `remove-${Math.min(index, state.items.length - 1)}` : 'search');
  refresh();
}

function replaceItem(index, text) {
  state.items[index] = text;
  focusNext(`item-${index}`);
  refresh();
}

function toggleInclude(index, value, on) {
  const values = includesOf(state.items[index]).filter((v) => v !== value);
  if (on) values.push(value);
  state.items[index] = withIncludes(state.items[index], values);
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
  else if (button.dataset.action === 'fix') replaceItem(index, button.dataset.replacement);
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
