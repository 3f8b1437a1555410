// DOM helpers every part of the page shares: finding and building elements,
// short texts, and the builder's elements. No state and no API calls here.

export const $ = (id) => document.getElementById(id);

/** The builder's elements (the tools below it look up their own). */
export const els = {
  app: $('app'),
  search: $('search'),
  searchAdd: $('search-add'),
  results: $('search-results'),
  catalogStatus: $('catalog-status'),
  paste: $('paste'),
  pasteText: $('paste-text'),
  pasteAdd: $('paste-add'),
  items: $('items'),
  itemsEmpty: $('items-empty'),
  clear: $('clear'),
  result: $('result'),
  readwrite: $('mode-readwrite'),
  minimal: $('mode-minimal'),
  summary: $('summary'),
  linkBox: $('link-box'),
  linkUrl: $('link-url'),
  open: $('open'),
  copyStatus: $('copy-status'),
  warningsBox: $('warnings-box'),
  warnings: $('warnings'),
  scopesBox: $('scopes-box'),
  scopes: $('scopes'),
  revisionField: $('revision-field'),
  revision: $('revision'),
  answeredRevision: $('answered-revision'),
};

/** `el('p', {class: 'x'}, 'text', child)`: an element with attributes and children. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else if (name === 'checked') node.checked = Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const code = (text, cls) => el('code', cls ? { class: cls } : {}, text);

/** The API's messages quote names in backticks: show those as code. */
export const rich = (text) => String(text).split('`').map((part, i) => (i % 2 ? code(part) : part));

export const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;

/** `a`, `b`, `c` as code, comma-separated. */
export function joinCodes(values) {
  const out = [];
  values.forEach((value, i) => {
    if (i) out.push(', ');
    out.push(code(value));
  });
  return out;
}

/** Sets a node's text only when it changes (no needless DOM mutations). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Replaces a node's children, skipping the `null`s of optional parts. */
export function fill(node, ...children) {
  node.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
}

export function showLink(anchor, url) {
  setText(anchor, url);
  anchor.href = url;
}

export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A field's error under it, and on the field for assistive technology. */
export function setFieldError(input, message) {
  const box = $(`${input.id}-error`);
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  if (box) {
    box.hidden = !message;
    box.replaceChildren(...(message ? rich(message) : []));
  }
}

/** The API's per-input errors as a list (the tools show them under their form). */
export function itemErrors(list, errors) {
  list.hidden = !errors.length;
  list.replaceChildren(
    ...errors.map((error) =>
      el(
        'li',
        {},
        code(typeof error.input === 'string' ? error.input : JSON.stringify(error.input)),
        ': ',
        rich(error.detail),
        ' ',
        el('small', {}, `(${error.code})`),
      ),
    ),
  );
}

/**
 * Makes `zone` take dropped files: highlighted (`over`) while files are
 * dragged over it, and `onDrop(dataTransfer)` when they are dropped.
 * Drags of anything but files are left to the browser.
 */
export function dropZone(zone, onDrop) {
  const hasFiles = (event) => Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes('Files');
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove('over');
  });
  zone.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    zone.classList.remove('over');
    onDrop(event.dataTransfer);
  });
}
