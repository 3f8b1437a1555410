// The Klaviyo revision select: the loaded revisions, newest first, shown
// only when there is a choice; a change reloads the list and the link.

import { getReady } from './api.js';
import { refresh } from './builder.js';
import { loadCatalog } from './catalog.js';
import { el, els } from './dom.js';
import { emit, state } from './state.js';

/** The loaded revisions, once known. */
let revisions = null;

const isBetaRevision = (revision) => /\.pre$/.test(revision);

export async function loadRevisions() {
  const answer = await getReady();
  revisions =
    answer.body && Array.isArray(answer.body.revisions)
      ? answer.body.revisions.filter((r) => typeof r === 'string')
      : null;
  // The server answers from the newest stable revision when none is given;
  // the operation list loaded without one names it too.
  if (!state.defaultRevision && revisions) {
    const stable = revisions.filter((r) => !isBetaRevision(r)).sort();
    state.defaultRevision = stable.length ? stable[stable.length - 1] : null;
  }
  renderRevisions();
}

/** The select, shown only when more than one revision is loaded. */
export function renderRevisions() {
  const list = revisions ? revisions.slice() : [];
  els.revisionField.hidden = list.length < 2;
  if (list.length < 2) return;
  // Newest first; a revision in the page URL that is not loaded stays visible as such.
  const day = (revision) => revision.replace(/\.pre$/, '');
  list.sort((a, b) => day(b).localeCompare(day(a)) || isBetaRevision(a) - isBetaRevision(b));
  const { defaultRevision } = state;
  const chosen = state.revision || defaultRevision;
  const options = list.map((revision) => {
    const note =
      revision === defaultRevision ? 'newest stable, the default' : isBetaRevision(revision) ? 'beta' : 'stable';
    return el('option', { value: revision }, `${revision} (${note})`);
  });
  if (state.revision && !list.includes(state.revision)) {
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
