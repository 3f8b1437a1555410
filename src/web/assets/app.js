// The Scopelink link builder (GET /). Plain script, no dependencies, served
// from /assets/app.js under a strict CSP: no inline code, no inline styles.
//
// State: an ordered list of input strings (any form the resolver takes, with
// includes written as `name?include=a,b`), the mode and the Klaviyo revision.
// It lives in the page URL (`/?op=…&op=…&minimal=true&revision=…`), so a link
// to the page reproduces it. Every change asks POST /v1/links with
// `partial: true`, which answers the link for the inputs that resolved and an
// error for each one that did not.
//
// Below the builder, three tools work on the same state: an OAuth authorize
// URL (POST /v1/oauth/authorize-url, with a PKCE pair made in this browser
// whose verifier never leaves it), an audit of an existing link or scope list
// (POST /v1/audit), and the operations read from a HAR file or a request log
// (POST /v1/links/from-har), which can be added to the list.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const els = {
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

  const MAX_MATCHES = 12;
  const SNIPPET_TEXT = 'Create a Klaviyo private API key';
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
  };

  /** What the page shows; `items` are the strings sent to the API. */
  const state = { items: [], minimal: false, revision: null };
  /** The last answer of POST /v1/links, with the items, mode and revision it was for. */
  let report = null;
  /** The last failure (not a per-input error): a sentence to show. */
  let problem = null;
  /** The operations from GET /v1/operations, once loaded. */
  let catalog = null;
  let requestSeq = 0;
  let pendingFocus = null;
  let softFocus = null;
  let snippets = {};
  /** Copyable texts of the tools below the builder (OAuth, audit). */
  const toolSnippets = {};
  /** `GET /readyz` → `revisions`, and the revision answering without one (newest stable). */
  let revisions = null;
  let defaultRevision = null;

  // ---------------------------------------------------------------- helpers

  /** `el('p', {class: 'x'}, 'text', child)`: an element with attributes and children. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === 'class') node.className = value;
      else if (name === 'checked') node.checked = Boolean(value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const code = (text, cls) => el('code', cls ? { class: cls } : {}, text);

  /** The API's messages quote names in backticks: show those as code. */
  const rich = (text) => String(text).split('`').map((part, i) => (i % 2 ? code(part) : part));
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;

  function decode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch (_) {
      return text;
    }
  }

  /**
   * Like form encoding, but keeps `/ : , $ @ { } ? =` readable in page and /go
   * URLs: a query value ends only at `&`, which stays encoded.
   */
  function encodeValue(text) {
    return encodeURIComponent(text)
      .replace(/%20/g, '+')
      .replace(/%2F/gi, '/')
      .replace(/%3A/gi, ':')
      .replace(/%2C/gi, ',')
      .replace(/%24/gi, '$')
      .replace(/%40/gi, '@')
      .replace(/%7B/gi, '{')
      .replace(/%7D/gi, '}')
      .replace(/%3F/gi, '?')
      .replace(/%3D/gi, '=');
  }

  function opsQuery(items, minimal, revision) {
    const parts = items.map((item) => 'op=' + encodeValue(item));
    if (minimal) parts.push('minimal=true');
    if (revision) parts.push('revision=' + encodeValue(revision));
    return parts.join('&');
  }

  const SECRET = /pk_[A-Za-z0-9]/;
  const redact = (text) => text.replace(/pk_[A-Za-z0-9_-]*/g, 'pk_***');

  /** An input's `name` and its query, split at the first `?`. */
  function splitItem(text) {
    const at = text.indexOf('?');
    return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
  }

  const isIncludeParam = (part) => decode(part.split('=')[0]).trim().toLowerCase() === 'include';

  /** The include values written in an input (`?include=a,b&include=c`). */
  function includesOf(text) {
    const values = [];
    for (const part of splitItem(text)[1].split('&')) {
      if (!part.includes('=') || !isIncludeParam(part)) continue;
      for (const value of decode(part.slice(part.indexOf('=') + 1)).split(',')) {
        const trimmed = value.trim();
        if (trimmed && !values.includes(trimmed)) values.push(trimmed);
      }
    }
    return values;
  }

  /** The input with its include values replaced; other parameters stay as typed. */
  function withIncludes(text, values) {
    const [base, query] = splitItem(text);
    const kept = query.split('&').filter((part) => part && !isIncludeParam(part));
    if (values.length) kept.push('include=' + values.join(','));
    return kept.length ? `${base}?${kept.join('&')}` : base;
  }

  /** A suggestion's replacement (text, or `{operation, include}`) as input text. */
  function replacementText(replacement) {
    if (typeof replacement === 'string') return replacement;
    if (replacement && typeof replacement.operation === 'string') {
      const include = replacement.include || [];
      return include.length ? `${replacement.operation}?include=${include.join(',')}` : replacement.operation;
    }
    return JSON.stringify(replacement);
  }

  /** One pasted line: text as is, or a JSON `{"operation", "include"}` as text. */
  function lineToItem(line) {
    const trimmed = line.trim();
    if (trimmed.startsWith('{')) {
      try {
        return replacementText(JSON.parse(trimmed));
      } catch (_) {
        return trimmed;
      }
    }
    return trimmed;
  }

  // ------------------------------------------------------------ the report

  /**
   * What the last report says about `items[index]`: its answer for the same
   * text (even at another index, after a removal), or, while a changed
   * include list is being checked, the same operation with the new includes.
   */
  function infoAt(index) {
    const text = state.items[index];
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

  function isSecretAt(index) {
    const error = infoAt(index).error;
    return SECRET.test(state.items[index]) || Boolean(error && error.code === 'looks_like_secret');
  }

  /** Whether the report is for exactly the current items and mode. */
  function reportIsCurrent() {
    return (
      Boolean(report) &&
      report.minimal === state.minimal &&
      report.revision === state.revision &&
      report.sentItems.length === state.items.length &&
      report.sentItems.every((item, i) => item === state.items[i])
    );
  }

  // ------------------------------------------------------------- URL state

  function readUrlState() {
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
  function writeUrlState() {
    const items = state.items.filter((_, i) => !isSecretAt(i));
    const query = opsQuery(items, state.minimal, state.revision);
    const url = location.pathname + (query ? '?' + query : '');
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  }

  // --------------------------------------------------------------- the API

  async function refresh() {
    const seq = ++requestSeq;
    writeUrlState();
    if (!state.items.length) {
      report = null;
      problem = null;
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
    let nextReport = null;
    let nextProblem = null;
    try {
      const response = await fetch('/v1/links', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ operations: sentItems, minimal, partial: true, ...(revision ? { revision } : {}) }),
      });
      const body = await response.json().catch(() => null);
      if (response.ok && body && Array.isArray(body.scopes)) {
        nextReport = { sentItems, minimal, revision, body };
      } else {
        nextProblem =
          body && body.detail ? body.detail : `The Scopelink API answered ${response.status}.`;
      }
    } catch (error) {
      nextProblem = `Could not reach the Scopelink API (${error.message}).`;
    }
    if (seq !== requestSeq) return; // a newer request is on its way
    report = nextReport;
    problem = nextProblem;
    els.result.removeAttribute('aria-busy');
    els.app.dataset.state = 'ready';
    writeUrlState();
    render();
  }

  let catalogSeq = 0;

  /**
   * The operation list of the chosen revision (for search and include values);
   * an unknown revision (from an old page URL) falls back to the default list.
   */
  async function loadCatalog() {
    const seq = ++catalogSeq;
    const revision = state.revision;
    if (!catalog) els.catalogStatus.textContent = 'Loading the operation list…';
    try {
      const get = (rev) =>
        fetch('/v1/operations' + (rev ? `?revision=${encodeURIComponent(rev)}` : ''), {
          headers: { accept: 'application/json' },
        });
      let response = await get(revision);
      if (revision && response.status === 422) response = await get(null);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      if (seq !== catalogSeq) return;
      if (!revision && body.catalog && body.catalog.revision) defaultRevision = body.catalog.revision;
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
      renderRevisions();
      render();
      if (document.activeElement === els.search && els.search.value.trim()) updateMatches();
    } catch (error) {
      if (seq !== catalogSeq) return;
      if (catalog) return; // keep the list already loaded
      els.catalogStatus.textContent = `Could not load the operation list (${error.message}); type an input and press Enter.`;
      els.app.dataset.catalog = 'failed';
    }
  }

  // ------------------------------------------------------------- revisions

  const isBetaRevision = (revision) => /\.pre$/.test(revision);

  async function loadRevisions() {
    try {
      const response = await fetch('/readyz', { headers: { accept: 'application/json' } });
      const body = await response.json();
      if (Array.isArray(body.revisions)) revisions = body.revisions.filter((r) => typeof r === 'string');
    } catch (_) {
      revisions = null;
    }
    // The server answers from the newest stable revision when none is given;
    // the operation list loaded without one names it too.
    if (!defaultRevision && revisions) {
      const stable = revisions.filter((r) => !isBetaRevision(r)).sort();
      defaultRevision = stable.length ? stable[stable.length - 1] : null;
    }
    renderRevisions();
  }

  /** The select, shown only when more than one revision is loaded. */
  function renderRevisions() {
    const list = revisions ? revisions.slice() : [];
    els.revisionField.hidden = list.length < 2;
    if (list.length < 2) return;
    // Newest first; a revision in the page URL that is not loaded stays visible as such.
    const day = (revision) => revision.replace(/\.pre$/, '');
    list.sort((a, b) => day(b).localeCompare(day(a)) || isBetaRevision(a) - isBetaRevision(b));
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
    state.revision = !value || value === defaultRevision ? null : value;
    renderRevisions();
    loadCatalog();
    optionsChanged();
    refresh();
  });

  // ---------------------------------------------------------------- search

  /** Lower case, letters and digits only: `getProfile` and `get_profile` meet. */
  function norm(text) {
    return text.toLowerCase().replace(/[^a-z0-9]/g, '');
  }

  /** The catalog's operations matching the query, best first. */
  function findOperations(query) {
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

  let matches = [];
  let active = -1;

  function updateMatches() {
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
    else if (!catalog) els.catalogStatus.textContent = 'The operation list is still loading; Enter adds the text as typed.';
    else if (!found.length) els.catalogStatus.textContent = 'No operation matches; Enter adds the text as typed.';
    else if (found.length > matches.length) els.catalogStatus.textContent = `${found.length} matches, showing ${matches.length}: keep typing to narrow them.`;
    else els.catalogStatus.textContent = `${plural(found.length, 'match', 'matches')}.`;
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
    els.catalogStatus.textContent = added ? `Added ${redact(text)}.` : 'Already in the list.';
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

  // ----------------------------------------------------------------- items

  /** Appends inputs not already in the list; answers how many were added. */
  function addItems(texts) {
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
    pendingFocus = state.items.length ? `remove-${Math.min(index, state.items.length - 1)}` : 'search';
    refresh();
  }

  function replaceItem(index, text) {
    state.items[index] = text;
    pendingFocus = `item-${index}`;
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
    pendingFocus = 'search';
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
      optionsChanged();
      refresh();
    });
  }

  // --------------------------------------------------------------- copying

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

  // ------------------------------------------------------------- rendering

  function render() {
    const focused = document.activeElement;
    const focusKey = focused && focused.dataset ? focused.dataset.focus : null;
    els.readwrite.checked = !state.minimal;
    els.minimal.checked = state.minimal;
    renderItems();
    renderResult();
    renderTools();
    restoreFocus(focused, focusKey);
  }

  function restoreFocus(previous, previousKey) {
    const find = (key) => (key === 'search' ? els.search : els.app.querySelector(`[data-focus="${key}"]`));
    if (pendingFocus) {
      const target = find(pendingFocus);
      if (target) {
        target.focus();
        pendingFocus = null;
      }
      return;
    }
    // A re-rendered control keeps the keyboard focus it had; if it is not
    // there yet (its item is being checked), try again on the next render.
    const key = previousKey && previous && !previous.isConnected ? previousKey : softFocus;
    softFocus = null;
    if (key && (document.activeElement === document.body || !document.activeElement)) {
      const target = find(key);
      if (target) target.focus();
      else if (key === previousKey) softFocus = key;
    }
  }

  function renderItems() {
    els.itemsEmpty.hidden = state.items.length > 0;
    els.clear.hidden = state.items.length < 2;
    els.items.replaceChildren(...state.items.map((text, index) => renderItem(text, index)));
  }

  function renderItem(text, index) {
    const info = infoAt(index);
    const { resolved, error } = info;
    const shown = isSecretAt(index) ? (error && typeof error.input === 'string' ? error.input : redact(text)) : text;
    const item = el('li', {
      class: `item${error ? ' has-error' : ''}${resolved ? ' resolved' : ''}${info.exact ? '' : ' pending'}`,
      tabindex: '-1',
      'data-focus': `item-${index}`,
      'data-index': index,
    });
    const title = el('div', { class: 'item-head' }, code(shown, 'item-input'));
    title.append(
      el(
        'button',
        {
          type: 'button',
          class: 'quiet remove',
          'data-action': 'remove',
          'data-index': index,
          'data-focus': `remove-${index}`,
          'aria-label': `Remove ${shown}`,
        },
        'Remove',
      ),
    );
    item.append(title);
    if (resolved) item.append(...renderResolved(resolved, index, info.warnings));
    else if (error) item.append(...renderError(error, index));
    else item.append(el('p', { class: 'hint' }, problem ? 'Not checked.' : 'Checking…'));
    return item;
  }

  function renderResolved(resolved, index, warnings) {
    const parts = [];
    const what = el(
      'p',
      { class: 'item-op' },
      el('span', { class: `method method-${resolved.method.toLowerCase()}` }, resolved.method),
      ' ',
      el('span', { class: 'path' }, resolved.path),
      ' ',
      el('span', { class: 'op-name' }, resolved.operation_id),
      el('span', { class: 'op-summary' }, ` · ${resolved.summary} · ${resolved.tag}`),
      resolved.beta_revision ? el('span', { class: 'badge beta' }, 'beta') : null,
      resolved.client ? el('span', { class: 'badge client' }, 'client') : null,
    );
    parts.push(what);
    parts.push(
      el(
        'p',
        { class: 'item-scopes' },
        resolved.scopes.length ? ['Needs ', ...joinCodes(resolved.scopes)] : 'Needs no private-key scope.',
      ),
    );
    const op = catalog ? catalog.byId.get(resolved.operation_id) : null;
    const rules = op && op.includes ? op.includes : [];
    if (rules.length) {
      const legendId = `includes-${index}`;
      const fieldset = el(
        'fieldset',
        { class: 'includes' },
        el('legend', { id: legendId }, 'Include related resources ', el('small', {}, '(include=)')),
      );
      const list = el('div', { class: 'checks' });
      for (const rule of rules) {
        const id = `include-${index}-${rule.value}`;
        const extra = rule.extra_scopes.length ? `+${rule.extra_scopes.join(' +')}` : 'no extra scope';
        list.append(
          el(
            'label',
            { class: 'check', for: id },
            el('input', {
              type: 'checkbox',
              id,
              checked: resolved.includes.includes(rule.value),
              'data-include': rule.value,
              'data-index': index,
              'data-focus': `include-${index}-${rule.value}`,
            }),
            el('span', {}, rule.value),
            el('small', {}, extra),
          ),
        );
      }
      fieldset.append(list);
      parts.push(fieldset);
    }
    for (const warning of warnings) {
      parts.push(el('p', { class: 'item-warning' }, rich(warning.message)));
    }
    return parts;
  }

  function renderError(error, index) {
    const parts = [
      el(
        'p',
        { class: 'item-error', id: `error-${index}` },
        el('strong', {}, 'Not resolved: '),
        rich(error.detail),
        ' ',
        el('small', {}, `(${error.code})`),
      ),
    ];
    if (error.suggestions.length) {
      const fixes = el('div', { class: 'fixes' }, el('p', { class: 'fixes-title' }, 'Did you mean:'));
      const list = el('ul', { class: 'fix-list' });
      error.suggestions.forEach((suggestion, k) => {
        const replacement = replacementText(suggestion.replacement);
        list.append(
          el(
            'li',
            {},
            el(
              'button',
              {
                type: 'button',
                class: 'fix',
                'data-action': 'fix',
                'data-index': index,
                'data-replacement': replacement,
                'data-focus': `fix-${index}-${k}`,
                'aria-describedby': `fix-${index}-${k}-why`,
              },
              el('span', { class: 'visually-hidden' }, 'Use '),
              code(replacement),
            ),
            ' ',
            el('small', { id: `fix-${index}-${k}-why` }, rich(suggestion.reason)),
          ),
        );
      });
      fixes.append(list);
      parts.push(fixes);
    }
    return parts;
  }

  function joinCodes(values) {
    const out = [];
    values.forEach((value, i) => {
      if (i) out.push(', ');
      out.push(code(value));
    });
    return out;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function renderResult() {
    const body = report ? report.body : null;
    const current = reportIsCurrent();
    els.result.classList.toggle('stale', Boolean(body) && !current);
    if (!state.items.length) {
      setText(els.summary, 'Add an operation to get a link.');
    } else if (problem) {
      setText(els.summary, problem);
    } else if (!body) {
      setText(els.summary, 'Building the link…');
    } else {
      const okCount = body.operations.length;
      const errCount = body.errors.length;
      let text;
      if (!okCount) text = 'No link yet: fix the inputs marked in the list.';
      else if (!body.scopes.length) text = `None of ${plural(okCount, 'operation')} needs a private-key scope.`;
      else
        text = `${plural(body.scopes.length, 'scope')} for ${plural(okCount, 'operation')}${body.minimal ? ', minimal' : ', read + write'}.`;
      if (okCount && errCount) text += ` ${plural(errCount, 'input')} could not be resolved and ${errCount === 1 ? 'is' : 'are'} left out: see the list.`;
      setText(els.summary, text);
    }

    const hasLink = Boolean(body) && !problem && state.items.length > 0 && body.scopes.length > 0;
    els.linkBox.hidden = !hasLink;
    els.warningsBox.hidden = !(body && !problem && state.items.length && body.warnings.length);
    els.scopesBox.hidden = !hasLink;
    const answered = Boolean(body) && !problem && state.items.length > 0;
    els.answeredRevision.hidden = !answered;
    if (answered) {
      const revision = body.catalog && body.catalog.revision;
      const text = `Answered from Klaviyo revision ${revision}.`;
      if (els.answeredRevision.textContent !== text) {
        els.answeredRevision.replaceChildren('Answered from Klaviyo revision ', code(revision), '.');
        els.answeredRevision.dataset.revision = revision;
      }
    }
    if (!body || problem || !state.items.length) {
      snippets = {};
      return;
    }

    const url = body.url;
    const resolvedItems = report.sentItems.filter((_, i) => body.operations.some((op) => op.index === i));
    const goQuery = opsQuery(resolvedItems, report.minimal, report.revision);
    snippets = {
      link: url,
      markdown: `[${SNIPPET_TEXT}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})`,
      html: `<a href="${escapeHtml(url)}" target="_blank" rel="noopener" style="display:inline-block;padding:.6em 1.2em;border-radius:6px;background:#1b1b1f;color:#fff;font-weight:600;text-decoration:none">${SNIPPET_TEXT}</a>`,
      go: `${location.origin}/go?${goQuery}`,
      oauth: body.oauth_scope,
    };
    setText(els.linkUrl, url);
    els.linkUrl.href = url;
    els.open.href = url;
    for (const kind of ['markdown', 'html', 'go', 'oauth']) setText($(`snippet-${kind}`), snippets[kind]);

    els.warnings.replaceChildren(
      ...body.warnings.map((warning) =>
        el(
          'li',
          { class: `warning warning-${warning.code}` },
          typeof warning.index === 'number' ? el('span', { class: 'item-no' }, `#${warning.index + 1}`) : null,
          rich(warning.message),
        ),
      ),
    );

    els.scopes.replaceChildren(
      ...body.explanations.map((explanation) =>
        el(
          'li',
          {},
          code(explanation.scope, 'scope'),
          el('ul', { class: 'why' }, ...explanation.needed_by.map(renderReason)),
        ),
      ),
    );
  }

  function renderReason(reason) {
    const who = [el('span', { class: 'item-no' }, `#${reason.index + 1}`), code(reason.operation_id)];
    if (reason.kind === 'include') {
      return el(
        'li',
        {},
        ...who,
        ' with ',
        code(`include=${reason.value}`),
        reason.evidence && reason.evidence.length
          ? el('small', { class: 'evidence' }, ` (as ${reason.evidence.join(', ')})`)
          : null,
      );
    }
    if (reason.kind === 'write_implies_read') {
      return el('li', {}, ...who, ': the read paired with ', code(reason.write_scope), el('small', {}, ' (read + write mode)'));
    }
    return el('li', {}, ...who, ' calls for it');
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  // ------------------------------------------------------------ the tools

  /** One JSON call to the API: `{ok, status, body}`; a network failure is status 0. */
  async function api(path, init) {
    try {
      const response = await fetch(path, {
        ...init,
        headers: { accept: 'application/json', ...((init && init.headers) || {}) },
      });
      const body = await response.json().catch(() => null);
      return { ok: response.ok, status: response.status, body };
    } catch (error) {
      return { ok: false, status: 0, body: null, failure: error.message };
    }
  }

  const postJson = (path, payload) =>
    api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

  function problemText(answer) {
    if (answer.status === 0) return `Could not reach the Scopelink API (${answer.failure}).`;
    return answer.body && answer.body.detail ? answer.body.detail : `The Scopelink API answered ${answer.status}.`;
  }

  /** The items the tools send: never one that looks like a key. */
  const sendableItems = () => state.items.filter((_, i) => !isSecretAt(i));

  /** The inputs that resolved in the current answer, as the link and /go use them. */
  function resolvedItems() {
    const items = sendableItems();
    if (!reportIsCurrent()) return { items, left: 0 };
    const ok = report.sentItems.filter((_, i) => report.body.operations.some((op) => op.index === i));
    return { items: ok.filter((item) => items.includes(item)), left: items.length - ok.length };
  }

  const withRevision = (payload) => (state.revision ? { ...payload, revision: state.revision } : payload);
  const optionsKey = () => JSON.stringify([state.minimal, state.revision]);
  const itemsKey = () => JSON.stringify([sendableItems(), state.minimal, state.revision]);

  /** A field's error under it, and on the field for assistive technology. */
  function setFieldError(input, message) {
    const box = $(`${input.id}-error`);
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (box) {
      box.hidden = !message;
      box.replaceChildren(...(message ? rich(message) : []));
    }
  }

  function itemErrors(list, errors) {
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

  /** Replaces a node's children, skipping the `null`s of optional parts. */
  function fill(node, ...children) {
    node.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
  }

  function showLink(anchor, url) {
    setText(anchor, url);
    anchor.href = url;
  }

  function renderTools() {
    const oauthStale = Boolean(oauth.key) && (oauth.key !== itemsKey() || oauth.edited);
    els.oauthStale.hidden = !oauthStale;
    els.oauthResult.classList.toggle('stale', oauthStale);
    const auditStale = Boolean(audit.key) && audit.key !== (audit.against ? itemsKey() : optionsKey());
    els.auditStale.hidden = !auditStale;
    els.auditResult.classList.toggle('stale', auditStale);
  }

  /** The mode or revision changed: what the traffic answer depends on. */
  function optionsChanged() {
    if (traffic.file && traffic.key !== optionsKey()) readTraffic(traffic.file);
  }

  Object.assign(els, {
    oauthForm: $('oauth-form'),
    oauthClientId: $('oauth-client-id'),
    oauthRedirectUri: $('oauth-redirect-uri'),
    oauthState: $('oauth-state'),
    oauthChallenge: $('oauth-code-challenge'),
    oauthStateGenerate: $('oauth-state-generate'),
    oauthPkceGenerate: $('oauth-pkce-generate'),
    oauthVerifierBox: $('oauth-verifier-box'),
    oauthVerifier: $('oauth-verifier'),
    oauthStatus: $('oauth-status'),
    oauthErrors: $('oauth-errors'),
    oauthResult: $('oauth-result'),
    oauthUrl: $('oauth-url'),
    oauthScope: $('oauth-scope'),
    oauthStale: $('oauth-stale'),
    auditForm: $('audit-form'),
    auditText: $('audit-text'),
    auditAgainst: $('audit-against'),
    auditStatus: $('audit-status'),
    auditResult: $('audit-result'),
    auditStale: $('audit-stale'),
    auditFindings: $('audit-findings'),
    auditNormalizedBox: $('audit-normalized-box'),
    auditNormalizedUrl: $('audit-normalized-url'),
    auditAllowed: $('audit-allowed'),
    auditAllowedSummary: $('audit-allowed-summary'),
    auditAllowedList: $('audit-allowed-list'),
    auditIntendedBox: $('audit-intended-box'),
    auditIntendedSummary: $('audit-intended-summary'),
    auditDiff: $('audit-diff'),
    auditIntendedErrors: $('audit-intended-errors'),
    auditIntendedWarnings: $('audit-intended-warnings'),
    auditCorrectedBox: $('audit-corrected-box'),
    auditCorrectedUrl: $('audit-corrected-url'),
    trafficDrop: $('traffic-drop'),
    trafficFile: $('traffic-file'),
    trafficStatus: $('traffic-status'),
    trafficResult: $('traffic-result'),
    trafficCounts: $('traffic-counts'),
    trafficHostsBox: $('traffic-hosts-box'),
    trafficHosts: $('traffic-hosts'),
    trafficOpsBox: $('traffic-ops-box'),
    trafficOps: $('traffic-ops'),
    trafficUse: $('traffic-use'),
    trafficUnrecognizedBox: $('traffic-unrecognized-box'),
    trafficUnrecognized: $('traffic-unrecognized'),
    trafficUnreadableBox: $('traffic-unreadable-box'),
    trafficUnreadable: $('traffic-unreadable'),
  });

  // ------------------------------------------------------------ OAuth app

  /** What the authorize URL was built for, and whether a field changed since. */
  const oauth = { key: null, edited: false, seq: 0, verifierFor: null };
  const OAUTH_FIELDS = {
    client_id: { input: els.oauthClientId, name: 'the client ID' },
    redirect_uri: { input: els.oauthRedirectUri, name: 'the redirect URI' },
    state: { input: els.oauthState, name: 'a state' },
    code_challenge: { input: els.oauthChallenge, name: 'a code challenge' },
  };

  function base64url(bytes) {
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  const randomText = (length) => base64url(crypto.getRandomValues(new Uint8Array(length)));

  els.oauthStateGenerate.addEventListener('click', () => {
    els.oauthState.value = randomText(16);
    setFieldError(els.oauthState, '');
    markOAuthEdited();
    els.oauthStatus.textContent = 'Generated a random state: your app stores it and checks it when the user comes back.';
  });

  els.oauthPkceGenerate.addEventListener('click', async () => {
    if (!window.crypto || !crypto.subtle || !window.TextEncoder) {
      els.oauthStatus.textContent =
        'This browser cannot hash here (it needs https): make the verifier and challenge in your app.';
      return;
    }
    // RFC 7636: a verifier of 32 random bytes, and its S256 challenge.
    const verifier = randomText(32);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    const challenge = base64url(new Uint8Array(digest));
    els.oauthChallenge.value = challenge;
    els.oauthVerifier.value = verifier;
    toolSnippets.verifier = verifier;
    oauth.verifierFor = challenge;
    els.oauthVerifierBox.hidden = false;
    setFieldError(els.oauthChallenge, '');
    markOAuthEdited();
    els.oauthStatus.textContent =
      'Generated a code verifier and its challenge. Keep the verifier: only the challenge is sent to Scopelink.';
  });

  function markOAuthEdited() {
    if (oauth.key) oauth.edited = true;
    renderTools();
  }

  els.oauthForm.addEventListener('input', (event) => {
    if (event.target === els.oauthChallenge && oauth.verifierFor && els.oauthChallenge.value !== oauth.verifierFor) {
      // The verifier no longer goes with the challenge: forget it.
      oauth.verifierFor = null;
      els.oauthVerifier.value = '';
      delete toolSnippets.verifier;
      els.oauthVerifierBox.hidden = true;
    }
    if (event.target.getAttribute('aria-invalid')) setFieldError(event.target, '');
    markOAuthEdited();
  });

  els.oauthForm.addEventListener('submit', (event) => {
    event.preventDefault();
    buildAuthorizeUrl();
  });

  async function buildAuthorizeUrl() {
    const seq = ++oauth.seq;
    const values = {};
    const missing = [];
    for (const [field, { input, name }] of Object.entries(OAUTH_FIELDS)) {
      values[field] = input.value.trim();
      setFieldError(input, values[field] ? '' : `Enter ${name}.`);
      if (!values[field]) missing.push(input);
    }
    itemErrors(els.oauthErrors, []);
    if (missing.length) {
      els.oauthStatus.textContent = `Fill in ${plural(missing.length, 'field')} marked above.`;
      missing[0].focus();
      return;
    }
    const { items, left } = resolvedItems();
    if (!items.length) {
      els.oauthStatus.textContent = state.items.length
        ? 'None of the operations above resolved: fix them first.'
        : 'Add the operations your app calls above first: the URL asks for the scopes they need.';
      return;
    }
    const key = itemsKey();
    els.oauthStatus.textContent = 'Building the authorize URL…';
    const answer = await postJson(
      '/v1/oauth/authorize-url',
      withRevision({ ...values, code_challenge_method: 'S256', operations: items, minimal: state.minimal }),
    );
    if (seq !== oauth.seq) return;
    if (answer.ok && answer.body && typeof answer.body.url === 'string') {
      const body = answer.body;
      oauth.key = key;
      oauth.edited = false;
      toolSnippets.authorize = body.url;
      showLink(els.oauthUrl, body.url);
      els.oauthScope.replaceChildren('Scope: ', code(body.scope), ` · revision ${body.catalog.revision}`);
      els.oauthResult.hidden = false;
      els.oauthStatus.textContent =
        `Authorize URL for ${plural(items.length, 'operation')} with ${plural(body.scopes.length, 'scope')}.` +
        (left ? ` ${plural(left, 'input')} that could not be resolved ${left === 1 ? 'is' : 'are'} left out.` : '');
      renderTools();
      return;
    }
    // A refused parameter names its field first: `redirect_uri` is invalid: …
    const detail = problemText(answer);
    const named = /^`([a-z_]+)`/.exec(detail);
    const field = named && OAUTH_FIELDS[named[1]];
    els.oauthResult.hidden = true;
    oauth.key = null;
    delete toolSnippets.authorize;
    if (field) {
      setFieldError(field.input, detail);
      els.oauthStatus.textContent = 'Klaviyo would refuse a field: see the message under it.';
      field.input.focus();
    } else if (answer.body && Array.isArray(answer.body.errors)) {
      els.oauthStatus.textContent = `${detail} Fix the operations above:`;
      itemErrors(els.oauthErrors, answer.body.errors);
    } else {
      els.oauthStatus.textContent = detail;
    }
    renderTools();
  }

  // ---------------------------------------------------------------- audit

  const audit = { key: null, against: false, seq: 0 };
  const STATUS_LABELS = {
    current: 'current',
    renamed: 'renamed',
    beta_only: 'beta only',
    documented_unused: 'documented, unused',
    unknown: 'unknown',
    duplicate: 'repeated',
  };

  /** A link is sent as `link`; anything else as scope texts, one per line. */
  function auditSource(text) {
    const trimmed = text.trim();
    if (/:\/\/|klaviyo\.com|create-private-api-key|[?&]scopes=/i.test(trimmed)) return { link: trimmed };
    return { scopes: trimmed.split(/\r?\n/).map((line) => line.trim()).filter(Boolean) };
  }

  els.auditText.addEventListener('input', () => setFieldError(els.auditText, ''));
  els.auditForm.addEventListener('submit', (event) => {
    event.preventDefault();
    runAudit();
  });
  // Ctrl+Enter (or ⌘+Enter) in the text area audits too.
  els.auditText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runAudit();
    }
  });

  async function runAudit() {
    const seq = ++audit.seq;
    const text = els.auditText.value;
    if (!text.trim()) {
      setFieldError(els.auditText, 'Paste a create-key link or a list of scopes.');
      els.auditText.focus();
      return;
    }
    if (SECRET.test(text)) {
      // Never send it, not even to be refused.
      setFieldError(
        els.auditText,
        'This looks like a Klaviyo private API key (pk_…): an audit needs only the link or the scope names. If it is a real key, revoke it in Klaviyo.',
      );
      els.auditText.focus();
      return;
    }
    const against = els.auditAgainst.checked;
    const payload = withRevision({ ...auditSource(text), minimal: state.minimal });
    if (against) {
      payload.operations = sendableItems();
      if (!payload.operations.length) {
        els.auditStatus.textContent = 'Add operations above to compare with, or untick the comparison.';
        return;
      }
    }
    const key = against ? itemsKey() : optionsKey();
    els.auditStatus.textContent = 'Auditing…';
    const answer = await postJson('/v1/audit', payload);
    if (seq !== audit.seq) return;
    if (!(answer.ok && answer.body && Array.isArray(answer.body.findings))) {
      audit.key = null;
      els.auditResult.hidden = true;
      const detail = problemText(answer);
      setFieldError(els.auditText, detail);
      els.auditStatus.textContent = 'The audit could not be made: see the message under the field.';
      renderTools();
      return;
    }
    audit.key = key;
    audit.against = against;
    renderAudit(answer.body);
    renderTools();
  }

  function renderAudit(body) {
    const counts = body.counts || {};
    const toFix = body.findings.filter((f) => f.needs_fix).length;
    const tally = Object.keys(STATUS_LABELS)
      .filter((status) => status !== 'current' && counts[status])
      .map((status) => `${counts[status]} ${STATUS_LABELS[status]}`);
    const checked = plural(body.findings.length, 'scope');
    const parts = [];
    if (toFix) parts.push(`${toFix} to fix`);
    if (tally.length) parts.push(tally.join(', '));
    const intended = body.intended;
    const fits = !intended || (!intended.missing.length && !intended.excess.length);
    let summary;
    if (body.clean) summary = `Nothing to fix: ${checked} checked${intended ? ', and they fit the operations above' : ''}.`;
    else summary = `${checked} checked${parts.length ? `: ${parts.join('; ')}` : ''}.${fits ? '' : ' They don\'t fit the operations above.'}`;
    els.auditStatus.textContent = `${summary} Revision ${body.catalog.revision}.`;

    els.auditFindings.replaceChildren(...body.findings.map(renderFinding));

    const renames = (counts.renamed || 0) + (counts.unknown || 0) + (counts.duplicate || 0) > 0;
    els.auditNormalizedBox.hidden = !(renames && body.normalized.length);
    toolSnippets['audit-normalized'] = body.normalized_url;
    showLink(els.auditNormalizedUrl, body.normalized_url);

    const allowed = body.allowed_operations || [];
    const count = typeof body.allowed_operation_count === 'number' ? body.allowed_operation_count : allowed.length;
    setText(
      els.auditAllowedSummary,
      `These scopes allow ${plural(count, 'private-key operation')}${allowed.length < count ? ` (the first ${allowed.length} listed)` : ''}`,
    );
    els.auditAllowed.hidden = false;
    els.auditAllowedList.replaceChildren(
      ...allowed.map((op) =>
        el(
          'li',
          {},
          el('span', { class: `method method-${op.method.toLowerCase()}` }, op.method),
          ' ',
          el('span', { class: 'path' }, op.path),
          ' ',
          el('span', { class: 'op-name' }, op.operation_id),
          op.beta ? el('span', { class: 'badge beta' }, 'beta') : null,
        ),
      ),
    );

    els.auditIntendedBox.hidden = !intended;
    if (intended) {
      els.auditIntendedSummary.replaceChildren(
        fits
          ? 'The scopes fit the operations exactly.'
          : `${plural(intended.missing.length, 'scope')} missing, ${plural(intended.excess.length, 'scope')} more than needed.`,
      );
      const row = (label, cls, values, empty) => [
        el('dt', {}, label),
        el('dd', { class: cls }, values.length ? joinCodes(values) : el('span', { class: 'hint' }, empty)),
      ];
      els.auditDiff.replaceChildren(
        ...row('Missing', 'missing', intended.missing, 'none'),
        ...row('Excess', 'excess', intended.excess, 'none'),
        ...row('Needed', 'needed', intended.needed, 'none'),
      );
      itemErrors(els.auditIntendedErrors, intended.errors || []);
      const warnings = intended.warnings || [];
      els.auditIntendedWarnings.hidden = !warnings.length;
      els.auditIntendedWarnings.replaceChildren(
        ...warnings.map((warning) => el('li', { class: `warning warning-${warning.code}` }, rich(warning.message))),
      );
      els.auditCorrectedBox.hidden = fits || !intended.needed.length;
      toolSnippets['audit-corrected'] = intended.corrected_url;
      showLink(els.auditCorrectedUrl, intended.corrected_url);
    } else {
      delete toolSnippets['audit-corrected'];
    }
    els.auditResult.hidden = false;
  }

  function renderFinding(finding) {
    const renamedTo =
      finding.current.length && !(finding.current.length === 1 && finding.current[0] === finding.given);
    return el(
      'li',
      { class: `finding finding-${finding.status}${finding.needs_fix ? ' needs-fix' : ''}`, 'data-status': finding.status },
      el(
        'p',
        { class: 'finding-head' },
        code(finding.given, 'given'),
        renamedTo ? [' → ', ...finding.current.flatMap((name, i) => [i ? ', ' : null, code(name, 'current')])] : null,
        ' ',
        el('span', { class: `badge status status-${finding.status}` }, STATUS_LABELS[finding.status] || finding.status),
      ),
      el('p', { class: 'finding-message' }, rich(finding.message)),
      // The message usually names the suggestions already.
      finding.suggestions.some((name) => !finding.message.includes(name))
        ? el(
            'p',
            { class: 'finding-suggestions' },
            'Closest current scopes: ',
            ...joinCodes(finding.suggestions),
          )
        : null,
    );
  }

  // -------------------------------------------------------------- traffic

  const traffic = { file: null, key: null, report: null, seq: 0 };

  els.trafficFile.addEventListener('change', () => {
    const file = els.trafficFile.files && els.trafficFile.files[0];
    if (file) readTraffic(file);
  });

  const hasFiles = (event) => Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes('Files');
  els.trafficDrop.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    els.trafficDrop.classList.add('over');
  });
  els.trafficDrop.addEventListener('dragleave', (event) => {
    if (!els.trafficDrop.contains(event.relatedTarget)) els.trafficDrop.classList.remove('over');
  });
  els.trafficDrop.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    els.trafficDrop.classList.remove('over');
    const file = event.dataTransfer.files[0];
    if (!file) return;
    try {
      els.trafficFile.files = event.dataTransfer.files;
    } catch (_) {
      // Older browsers cannot set a file input's files; the upload goes on.
    }
    readTraffic(file);
  });

  async function readTraffic(file) {
    const seq = ++traffic.seq;
    traffic.file = file;
    const key = optionsKey();
    const har = /\.(har|json)$/i.test(file.name);
    const query = ['partial=true'];
    if (state.minimal) query.push('minimal=true');
    if (state.revision) query.push(`revision=${encodeURIComponent(state.revision)}`);
    els.trafficDrop.classList.add('busy');
    els.trafficStatus.textContent = `Reading ${file.name}…`;
    const answer = await api(`/v1/links/from-har?${query.join('&')}`, {
      method: 'POST',
      headers: { 'content-type': har ? 'application/json' : 'text/plain' },
      body: file,
    });
    if (seq !== traffic.seq) return;
    els.trafficDrop.classList.remove('busy');
    traffic.key = key;
    if (!(answer.ok && answer.body && answer.body.calls)) {
      traffic.report = null;
      els.trafficResult.hidden = true;
      els.trafficStatus.textContent = `${file.name}: ${problemText(answer)}`;
      return;
    }
    traffic.report = answer.body;
    renderTraffic(file.name, answer.body);
  }

  const trafficItem = (op) => (op.includes.length ? `${op.operation_id}?include=${op.includes.join(',')}` : op.operation_id);

  function renderTraffic(name, body) {
    const calls = body.calls;
    const unrecognized = body.unrecognized.reduce((sum, call) => sum + call.calls, 0);
    els.trafficStatus.textContent =
      `${name} (${body.format === 'har' ? 'HAR' : 'request log'}): ${plural(calls.klaviyo, 'Klaviyo API call')}, ` +
      `${plural(body.operations.length, 'operation')} recognised` +
      (body.unrecognized.length ? `, ${plural(body.unrecognized.length + body.unrecognized_more, 'call')} not recognised` : '') +
      ` (revision ${body.link.catalog.revision}).`;
    const count = (label, kind, value) =>
      el('div', { class: `count${value ? '' : ' zero'}` }, el('dt', {}, label), el('dd', { 'data-count': kind }, String(value)));
    fill(els.trafficCounts, 
      count('Klaviyo API calls', 'klaviyo', calls.klaviyo),
      count('Not recognised', 'unrecognized', unrecognized),
      count('Calls to other hosts', 'other_hosts', calls.other_hosts),
      count('CORS preflights', 'preflight', calls.preflight),
      calls.oauth ? count('OAuth token calls', 'oauth', calls.oauth) : null,
      count('Unreadable', 'unreadable', calls.unreadable),
    );

    els.trafficHostsBox.hidden = !body.other_hosts.length;
    fill(els.trafficHosts, 
      ...body.other_hosts.map((host) =>
        el('li', { 'data-host': host.host }, code(host.host), ' ', el('small', {}, plural(host.calls, 'call'))),
      ),
      body.other_hosts_more ? el('li', {}, el('small', {}, `and ${plural(body.other_hosts_more, 'call')} to more hosts`)) : null,
    );

    els.trafficOpsBox.hidden = !body.operations.length;
    els.trafficOps.replaceChildren(
      ...body.operations.map((op) =>
        el(
          'li',
          {},
          code(trafficItem(op), 'called-op'),
          ' ',
          el('small', {}, plural(op.calls, 'call')),
          el(
            'span',
            { class: 'called-route' },
            el('span', { class: `method method-${op.method.toLowerCase()}` }, op.method),
            ' ',
            op.path,
          ),
        ),
      ),
    );
    setText(
      els.trafficUse,
      body.operations.length === 1 ? 'Use this operation' : `Use these ${body.operations.length} operations`,
    );

    els.trafficUnrecognizedBox.hidden = !body.unrecognized.length;
    fill(els.trafficUnrecognized, 
      ...body.unrecognized.map((call, i) =>
        el(
          'li',
          {},
          el('p', { class: 'call' }, code(`${call.method} ${call.url}`), ' ', el('small', {}, plural(call.calls, 'call'))),
          el('p', { class: 'item-error' }, rich(call.detail), ' ', el('small', {}, `(${call.code})`)),
          call.accepted && call.accepted.length
            ? el('p', { class: 'accepted' }, 'Accepted here: ', ...joinCodes(call.accepted))
            : null,
          call.suggestions.length
            ? el(
                'ul',
                { class: 'fix-list' },
                ...call.suggestions.map((suggestion, k) => {
                  const replacement = replacementText(suggestion.replacement);
                  return el(
                    'li',
                    {},
                    el(
                      'button',
                      {
                        type: 'button',
                        class: 'fix',
                        'data-add': replacement,
                        'aria-describedby': `call-${i}-${k}-why`,
                      },
                      el('span', { class: 'visually-hidden' }, 'Add '),
                      code(replacement),
                    ),
                    ' ',
                    el('small', { id: `call-${i}-${k}-why` }, rich(suggestion.reason)),
                  );
                }),
              )
            : null,
        ),
      ),
      body.unrecognized_more
        ? el('li', {}, el('small', {}, `and ${plural(body.unrecognized_more, 'more call')} not listed`))
        : null,
    );

    els.trafficUnreadableBox.hidden = !body.unreadable.length;
    fill(els.trafficUnreadable, 
      ...body.unreadable.map((bad) =>
        el('li', {}, bad.line ? `Line ${bad.line}: ` : bad.entry ? `Entry ${bad.entry}: ` : '', rich(bad.reason)),
      ),
      calls.unreadable > body.unreadable.length
        ? el('li', {}, el('small', {}, `and ${calls.unreadable - body.unreadable.length} more`))
        : null,
    );
    els.trafficResult.hidden = false;
  }

  els.trafficUse.addEventListener('click', () => {
    if (!traffic.report) return;
    const items = traffic.report.operations.map(trafficItem);
    const added = addItems(items);
    els.trafficStatus.textContent =
      `Added ${plural(added, 'operation')} to the list` +
      (added < items.length ? ` (${items.length - added} already there).` : '.');
  });

  els.trafficUnrecognized.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-add]');
    if (!button) return;
    const added = addItems([button.dataset.add]);
    els.trafficStatus.textContent = added ? `Added ${button.dataset.add} to the list.` : `${button.dataset.add} is already in the list.`;
  });

  // ----------------------------------------------------------------- start

  readUrlState();
  window.addEventListener('popstate', () => {
    const revision = state.revision;
    readUrlState();
    renderRevisions();
    if (revision !== state.revision) {
      loadCatalog();
      optionsChanged();
    }
    refresh();
  });
  els.app.dataset.state = 'idle';
  render();
  loadCatalog();
  loadRevisions();
  refresh();
})();
