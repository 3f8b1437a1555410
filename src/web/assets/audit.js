// "Audit an existing link": an old create-key link or scope list checked by
// POST /v1/audit, scope by scope, and, if asked, against the builder's
// operations, with the corrected link.

import { postAudit, problemText } from './api.js';
import { toolSnippets } from './copy.js';
import { $, code, el, itemErrors, joinCodes, plural, rich, setFieldError, setText, showLink } from './dom.js';
import { itemsKey, optionsKey, sendableItems, state, withRevision } from './state.js';

const els = {
  form: $('audit-form'),
  text: $('audit-text'),
  against: $('audit-against'),
  status: $('audit-status'),
  result: $('audit-result'),
  stale: $('audit-stale'),
  findings: $('audit-findings'),
  normalizedBox: $('audit-normalized-box'),
  normalizedUrl: $('audit-normalized-url'),
  allowed: $('audit-allowed'),
  allowedSummary: $('audit-allowed-summary'),
  allowedList: $('audit-allowed-list'),
  intendedBox: $('audit-intended-box'),
  intendedSummary: $('audit-intended-summary'),
  diff: $('audit-diff'),
  intendedErrors: $('audit-intended-errors'),
  intendedWarnings: $('audit-intended-warnings'),
  correctedBox: $('audit-corrected-box'),
  correctedUrl: $('audit-corrected-url'),
};

/** What the audit shown was made for. */
const audit = { key: null, against: false, seq: 0 };
const STATUS_LABELS = {
  current: 'current',
  renamed: 'renamed',
  beta_only: 'beta only',
  documented_unused: 'documented, unused',
  unknown: 'unknown',
  duplicate: 'repeated',
};

/** Marks the audit stale when what it was made for changed. */
export function renderStale() {
  const stale = Boolean(audit.key) && audit.key !== (audit.against ? itemsKey() : optionsKey());
  els.stale.hidden = !stale;
  els.result.classList.toggle('stale', stale);
}

/** A link is sent as `link`; anything else as scope texts, one per line. */
function auditSource(text) {
  const trimmed = text.trim();
  if (/:\/\/|klaviyo\.com|create-private-api-key|[?&]scopes=/i.test(trimmed)) return { link: trimmed };
  return { scopes: trimmed.split(/\r?\n/).map((line) => line.trim()).filter(Boolean) };
}

els.text.addEventListener('input', () => setFieldError(els.text, ''));
els.form.addEventListener('submit', (event) => {
  event.preventDefault();
  runAudit();
});
// Ctrl+Enter (or ⌘+Enter) in the text area audits too.
els.text.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    runAudit();
  }
});

async function runAudit() {
  const seq = ++audit.seq;
  const text = els.text.value;
  if (!text.trim()) {
    setFieldError(els.text, 'Paste a create-key link or a list of scopes.');
    els.text.focus();
    return;
  }
  const against = els.against.checked;
  const payload = withRevision({ ...auditSource(text), minimal: state.minimal });
  if (against) {
    payload.operations = sendableItems();
    if (!payload.operations.length) {
      els.status.textContent = 'Add operations above to compare with, or untick the comparison.';
      return;
    }
  }
  const key = against ? itemsKey() : optionsKey();
  els.status.textContent = 'Auditing…';
  const answer = await postAudit(payload);
  if (seq !== audit.seq) return;
  if (!(answer.ok && answer.body && Array.isArray(answer.body.findings))) {
    audit.key = null;
    els.result.hidden = true;
    // Key-like text is the API's call too: it refuses it (`looks_like_secret`)
    // without echoing or logging it, and its detail says so under the field.
    const detail = problemText(answer);
    setFieldError(els.text, detail);
    if (answer.body && answer.body.code === 'looks_like_secret') els.text.focus();
    els.status.textContent = 'The audit could not be made: see the message under the field.';
    renderStale();
    return;
  }
  audit.key = key;
  audit.against = against;
  renderAudit(answer.body);
  renderStale();
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
  els.status.textContent = `${summary} Revision ${body.catalog.revision}.`;

  els.findings.replaceChildren(...body.findings.map(renderFinding));

  const renames = (counts.renamed || 0) + (counts.unknown || 0) + (counts.duplicate || 0) > 0;
  els.normalizedBox.hidden = !(renames && body.normalized.length);
  toolSnippets['audit-normalized'] = body.normalized_url;
  showLink(els.normalizedUrl, body.normalized_url);

  const allowed = body.allowed_operations || [];
  const count = typeof body.allowed_operation_count === 'number' ? body.allowed_operation_count : allowed.length;
  setText(
    els.allowedSummary,
    `These scopes allow ${plural(count, 'private-key operation')}${allowed.length < count ? ` (the first ${allowed.length} listed)` : ''}`,
  );
  els.allowed.hidden = false;
  els.allowedList.replaceChildren(
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

  els.intendedBox.hidden = !intended;
  if (intended) {
    els.intendedSummary.replaceChildren(
      fits
        ? 'The scopes fit the operations exactly.'
        : `${plural(intended.missing.length, 'scope')} missing, ${plural(intended.excess.length, 'scope')} more than needed.`,
    );
    const row = (label, cls, values, empty) => [
      el('dt', {}, label),
      el('dd', { class: cls }, values.length ? joinCodes(values) : el('span', { class: 'hint' }, empty)),
    ];
    els.diff.replaceChildren(
      ...row('Missing', 'missing', intended.missing, 'none'),
      ...row('Excess', 'excess', intended.excess, 'none'),
      ...row('Needed', 'needed', intended.needed, 'none'),
    );
    itemErrors(els.intendedErrors, intended.errors || []);
    const warnings = intended.warnings || [];
    els.intendedWarnings.hidden = !warnings.length;
    els.intendedWarnings.replaceChildren(
      ...warnings.map((warning) => el('li', { class: `warning warning-${warning.code}` }, rich(warning.message))),
    );
    els.correctedBox.hidden = fits || !intended.needed.length;
    toolSnippets['audit-corrected'] = intended.corrected_url;
    showLink(els.correctedUrl, intended.corrected_url);
  } else {
    delete toolSnippets['audit-corrected'];
  }
  els.result.hidden = false;
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
