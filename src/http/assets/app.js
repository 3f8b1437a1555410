// The Scopelink link builder (GET /). Plain script, no dependencies, served
// from /assets/app.js under a strict CSP: no inline code, no inline styles.
//
// State: an ordered list of input strings (any form the resolver takes, with
// includes written as `name?include=a,b`) and the mode. It lives in the page
// URL (`/?op=…&op=…&minimal=true`), so a link to the page reproduces it.
// Every change asks POST /v1/links with `partial: true`, which answers the
// link for the inputs that resolved and an error for each one that did not.
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
  };

  const MAX_MATCHES = 12;
  const SNIPPET_TEXT = 'Create a Klaviyo private API key';
  const COPY_LABELS = {
    link: 'Link',
    markdown: 'Markdown link',
    html: 'HTML button',
    go: '/go URL',
    oauth: 'OAuth scope string',
  };

  /** What the page shows; `items` are the strings sent to the API. */
  const state = { items: [], minimal: false };
  /** The last answer of POST /v1/links, with the items and mode it was for. */
  let report = null;
  /** The last failure (not a per-input error): a sentence to show. */
  let problem = null;
  /** The operations from GET /v1/operations, once loaded. */
  let catalog = null;
  let requestSeq = 0;
  let pendingFocus = null;
  let softFocus = null;
  let snippets = {};

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

  function opsQuery(items, minimal) {
    const parts = items.map((item) => 'op=' + encodeValue(item));
    if (minimal) parts.push('minimal=true');
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
  }

  /** Writes the state into the address bar; never an input that looks like a key. */
  function writeUrlState() {
    const items = state.items.filter((_, i) => !isSecretAt(i));
    const query = opsQuery(items, state.minimal);
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
    els.app.dataset.state = 'busy';
    els.result.setAttribute('aria-busy', 'true');
    render();
    let nextReport = null;
    let nextProblem = null;
    try {
      const response = await fetch('/v1/links', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ operations: sentItems, minimal, partial: true }),
      });
      const body = await response.json().catch(() => null);
      if (response.ok && body && Array.isArray(body.scopes)) {
        nextReport = { sentItems, minimal, body };
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

  async function loadCatalog() {
    els.catalogStatus.textContent = 'Loading the operation list…';
    try {
      const response = await fetch('/v1/operations', { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
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
      els.catalogStatus.textContent = '';
      els.app.dataset.catalog = 'ready';
      render();
      if (document.activeElement === els.search && els.search.value.trim()) updateMatches();
    } catch (error) {
      els.catalogStatus.textContent = `Could not load the operation list (${error.message}); type an input and press Enter.`;
      els.app.dataset.catalog = 'failed';
    }
  }

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
    const text = snippets[kind];
    if (!text) return;
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (_) {
      copied = fallbackCopy(text);
    }
    els.copyStatus.textContent = copied
      ? `${COPY_LABELS[kind]} copied to the clipboard.`
      : `Could not reach the clipboard: select the ${COPY_LABELS[kind]} and copy it by hand.`;
    els.copyStatus.dataset.copied = copied ? kind : '';
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
    if (!body || problem || !state.items.length) {
      snippets = {};
      return;
    }

    const url = body.url;
    const resolvedItems = report.sentItems.filter((_, i) => body.operations.some((op) => op.index === i));
    const goQuery = opsQuery(resolvedItems, report.minimal);
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

  // ----------------------------------------------------------------- start

  readUrlState();
  window.addEventListener('popstate', () => {
    readUrlState();
    refresh();
  });
  els.app.dataset.state = 'idle';
  render();
  loadCatalog();
  refresh();
})();
