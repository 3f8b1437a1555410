// The copy buttons (`data-copy`): the texts they copy, the clipboard (with a
// fallback for browsers without it), and the confirmation in their section.

import { el, els } from './dom.js';

const COPY_LABELS = {
  link: 'Link',
  markdown: 'Markdown link',
  html: 'HTML button',
  go: '/go URL',
  oauth: 'OAuth scope string',
  verifier: 'Code verifier',
  authorize: 'Authorize URL',
  'audit-normalized': 'Link under current names',
  'audit-corrected': 'Corrected link',
  'source-link': 'Link for the code',
};

/** The builder's copyable texts, replaced at each render. */
let snippets = {};
/** Copyable texts of the tools below the builder (OAuth, audit), set one by one. */
export const toolSnippets = {};

export function setSnippets(next) {
  snippets = next;
}

function fallbackCopy(text) {
  const area = el('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch (_) {
    copied = false;
  }
  area.remove();
  return copied;
}

async function copy(kind, button) {
  const text = snippets[kind] || toolSnippets[kind];
  if (!text) return;
  const section = button.closest('section');
  const status = (section && section.querySelector('.copy-status')) || els.copyStatus;
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch (_) {
    copied = fallbackCopy(text);
  }
  status.textContent = copied
    ? `${COPY_LABELS[kind]} copied to the clipboard.`
    : `Could not reach the clipboard: select the ${COPY_LABELS[kind]} and copy it by hand.`;
  status.dataset.copied = copied ? kind : '';
  if (copied) {
    button.classList.add('done');
    setTimeout(() => button.classList.remove('done'), 1500);
  }
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-copy]');
  if (button) copy(button.dataset.copy, button);
});
