// Draws the builder from the state and the last link answer: each input with
// what it resolved to or why not, the link, its snippets, the warnings and
// the scopes with their reasons; keeps the keyboard focus across redraws.

import { operationById } from './catalog.js';
import { setSnippets } from './copy.js';
import { $, code, el, els, escapeHtml, joinCodes, plural, rich, setText } from './dom.js';
import { itemLabel, replacementItem } from './inputs.js';
import { emit, infoAt, isKeyLike, reportIsCurrent, state } from './state.js';

const SNIPPET_TEXT = 'Create a Klaviyo private API key';

let pendingFocus = null;
let softFocus = null;

/** The control to focus after the next render (`search`, `item-2`, `remove-0`…). */
export function focusNext(key) {
  pendingFocus = key;
}

export function render() {
  const focused = document.activeElement;
  const focusKey = focused && focused.dataset ? focused.dataset.focus : null;
  els.readwrite.checked = !state.minimal;
  els.minimal.checked = state.minimal;
  renderItems();
  renderResult();
  emit('render');
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
  els.items.replaceChildren(...state.items.map((item, index) => renderItem(item, index)));
}

/** A key-like input as the API echoed it, blanked (`pk_***`); it is never shown as given. */
function keyLikeLabel(error) {
  return error && error.code === 'looks_like_secret' && error.input !== undefined ? itemLabel(error.input) : 'pk_***';
}

function renderItem(input, index) {
  const info = infoAt(index);
  const { resolved, error } = info;
  const shown = isKeyLike(input) ? keyLikeLabel(error) : itemLabel(input);
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
  else item.append(el('p', { class: 'hint' }, state.problem ? 'Not checked.' : 'Checking…'));
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
  const op = operationById(resolved.operation_id);
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
      const replacement = itemLabel(replacementItem(suggestion.replacement));
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
              'data-suggestion': k,
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

function renderResult() {
  const { report, problem } = state;
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
    setSnippets({});
    return;
  }

  const url = body.url;
  const snippets = {
    link: url,
    markdown: `[${SNIPPET_TEXT}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})`,
    html: `<a href="${escapeHtml(url)}" target="_blank" rel="noopener" style="display:inline-block;padding:.6em 1.2em;border-radius:6px;background:#1b1b1f;color:#fff;font-weight:600;text-decoration:none">${SNIPPET_TEXT}</a>`,
    // The API builds the /go URL (relative) for the inputs that resolved.
    go: location.origin + body.go_url,
    oauth: body.oauth_scope,
  };
  setSnippets(snippets);
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
