// The "Find an operation" combobox: matches from the operation list as the
// user types, picked with the keyboard or the pointer, or the text as typed.

import { addItems, whenChecked } from './builder.js';
import { catalogLoaded, findOperations } from './catalog.js';
import { el, els, plural } from './dom.js';
import { isChecked, isKeyLike } from './state.js';

const MAX_MATCHES = 12;

let matches = [];
let active = -1;

export function updateMatches() {
  const query = els.search.value;
  const found = findOperations(query);
  matches = found.slice(0, MAX_MATCHES);
  active = -1;
  els.results.replaceChildren(
    ...matches.map((op, i) =>
      el(
        'li',
        { id: `match-${i}`, role: 'option', class: 'option', 'aria-selected': 'false', 'data-operation': op.operation_id },
        el('span', { class: 'option-id' }, op.operation_id),
        el(
          'span',
          { class: 'option-meta' },
          el('span', { class: `method method-${op.method.toLowerCase()}` }, op.method),
          ' ',
          op.path,
          ' · ',
          op.summary,
        ),
        op.beta_revision ? el('span', { class: 'badge beta' }, 'beta') : null,
        op.client ? el('span', { class: 'badge client' }, 'client') : null,
      ),
    ),
  );
  const open = matches.length > 0;
  els.results.hidden = !open;
  els.search.setAttribute('aria-expanded', String(open));
  els.search.removeAttribute('aria-activedescendant');
  if (!query.trim()) els.catalogStatus.textContent = '';
  else if (!catalogLoaded()) els.catalogStatus.textContent = 'The operation list is still loading; Enter adds the text as typed.';
  else if (!found.length) els.catalogStatus.textContent = 'No operation matches; Enter adds the text as typed.';
  else if (found.length > matches.length) els.catalogStatus.textContent = `${found.length} matches, showing ${matches.length}: keep typing to narrow them.`;
  else els.catalogStatus.textContent = `${plural(found.length, 'match', 'matches')}.`;
}

/** The list loaded or changed: show its matches if the user is typing. */
export function catalogChanged() {
  if (document.activeElement === els.search && els.search.value.trim()) updateMatches();
}

function closeMatches() {
  matches = [];
  active = -1;
  els.results.hidden = true;
  els.results.replaceChildren();
  els.search.setAttribute('aria-expanded', 'false');
  els.search.removeAttribute('aria-activedescendant');
}

function setActive(index) {
  const options = els.results.querySelectorAll('[role="option"]');
  options.forEach((option, i) => {
    option.setAttribute('aria-selected', String(i === index));
    option.classList.toggle('active', i === index);
  });
  active = index;
  if (index >= 0 && options[index]) {
    els.search.setAttribute('aria-activedescendant', options[index].id);
    options[index].scrollIntoView({ block: 'nearest' });
  } else {
    els.search.removeAttribute('aria-activedescendant');
  }
}

function pick(op) {
  closeMatches();
  els.search.value = '';
  const added = addItems([op.operation_id]);
  els.catalogStatus.textContent = added
    ? `Added ${op.operation_id}.`
    : `${op.operation_id} is already in the list.`;
}

function addTyped() {
  const text = els.search.value.trim();
  if (!text) return;
  closeMatches();
  els.search.value = '';
  const added = addItems([text]);
  if (!added) {
    els.catalogStatus.textContent = 'Already in the list.';
    return;
  }
  // The text is echoed only once the API has said it is not key-like.
  const checking = 'Added; checking it…';
  els.catalogStatus.textContent = checking;
  whenChecked().then(() => {
    if (els.catalogStatus.textContent !== checking) return;
    if (isKeyLike(text)) els.catalogStatus.textContent = 'Added, blanked out: it looks like a private API key.';
    else if (isChecked(text)) els.catalogStatus.textContent = `Added ${text}.`;
    else els.catalogStatus.textContent = 'Added to the list.';
  });
}

els.search.addEventListener('input', updateMatches);
els.search.addEventListener('focus', () => {
  if (els.search.value.trim()) updateMatches();
});
els.search.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (els.results.hidden) updateMatches();
    if (!matches.length) return;
    const step = event.key === 'ArrowDown' ? 1 : -1;
    setActive((active + step + matches.length + (active < 0 && step < 0 ? 1 : 0)) % matches.length);
  } else if (event.key === 'Enter') {
    event.preventDefault();
    if (active >= 0 && matches[active]) pick(matches[active]);
    else addTyped();
  } else if (event.key === 'Escape') {
    if (!els.results.hidden) closeMatches();
    else els.search.value = '';
  }
});
// Keep focus in the box while the pointer picks an option.
els.results.addEventListener('mousedown', (event) => event.preventDefault());
els.results.addEventListener('click', (event) => {
  const option = event.target.closest('[role="option"]');
  if (!option) return;
  const op = matches.find((m) => m.operation_id === option.dataset.operation);
  if (op) pick(op);
  els.search.focus();
});
els.search.parentElement.parentElement.addEventListener('focusout', (event) => {
  if (!event.currentTarget.contains(event.relatedTarget)) closeMatches();
});
els.searchAdd.addEventListener('click', () => {
  if (active >= 0 && matches[active]) pick(matches[active]);
  else addTyped();
  els.search.focus();
});
