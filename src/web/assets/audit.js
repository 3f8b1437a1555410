// "Audit an existing link": an old create-key link, a scope list or a section
// of docs checked by POST /v1/audit, scope by scope, and, if asked, against
// the builder's operations, with the corrected link. Docs answer one audit per
// link, scope list or key type found in them.

import { postAudit, problemText } from './api.js';
import { toolSnippets } from './copy.js';
import { $, code, el, itemErrors, joinCodes, plural, rich, setFieldError, showLink } from './dom.js';
import { itemsKey, optionsKey, sendableItems, state, withRevision } from './state.js';

const els = {
  form: $('audit-form'),
  text: $('audit-text'),
  against: $('audit-against'),
  status: $('audit-status'),
  result: $('audit-result'),
  stale: $('audit-stale'),
  report: $('audit-report'),
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
/** What each thing found in docs is, as its heading names it. */
const KIND_LABELS = {
  create_key: 'create-key link',
  go: '/go link',
  scope_ids: 'scope list (scope ids)',
  display_names: 'scope list (names and levels)',
  read_only_key: 'Read-Only key',
  full_access_key: 'Full Access key',
};

/** Marks the audit stale when what it was made for changed. */
export function renderStale() {
  const stale = Boolean(audit.key) && audit.key !== (audit.against ? itemsKey() : optionsKey());
  els.stale.hidden = !stale;
  els.result.classList.toggle('stale', stale);
}

const LINK = /:\/\/|klaviyo\.com|create-private-api-key|[?&]scopes=/i;
/** Markdown or HTML structure: a table row (any `|`), a heading, a list item, a tag. */
const STRUCTURE = [/\|/, /^#{1,6}\s/, /^(?:[-*+]|\d+[.)])\s+\S/, /<\/?[a-z][a-z0-9-]*(?:\s[^>]*)?\/?>/i];
/** A scope token (`lists:read`, `list:read`), taken out before counting words. */
const SCOPE_TOKEN = /[a-z][\w-]*:[a-z][\w-]*/gi;

/** A line of prose: three words or more once its scope tokens are taken out. */
const isProse = (line) => (line.replace(SCOPE_TOKEN, ' ').match(/[a-z]+/gi) || []).length >= 3;

/**
 * What is sent for the text: one line is a `link` if it looks like one and
 * `scopes` otherwise; several lines are `docs` when one of them is Markdown or
 * HTML (a table row, a heading, a list item, a tag), holds a link, or is prose
 * (three words or more that are not scope tokens), and `scopes`, one text a
 * line, otherwise.
 */
function auditSource(text) {
  const trimmed = text.trim();
  const lines = trimmed.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (lines.length > 1) {
    const docs = lines.some(
      (line) => STRUCTURE.some((pattern) => pattern.test(line)) || LINK.test(line) || isProse(line),
    );
    return docs ? { docs: text } : { scopes: lines };
  }
  if (LINK.test(trimmed)) return { link: trimmed };
  return { scopes: lines };
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

/** An answer of the audit: a link's or scope list's report, or the docs' audits. */
const isReport = (body) => Boolean(body) && Array.isArray(body.findings);
const isDocsAudit = (body) => Boolean(body) && Array.isArray(body.found);

async function runAudit() {
  const seq = ++audit.seq;
  const text = els.text.value;
  if (!text.trim()) {
    setFieldError(els.text, 'Paste a create-key link, a list of scopes or a section of docs.');
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
  delete els.status.dataset.clean;
  const answer = await postAudit(payload);
  if (seq !== audit.seq) return;
  if (!(answer.ok && (isReport(answer.body) || isDocsAudit(answer.body)))) {
    audit.key = null;
    els.result.hidden = true;
    // Key-like text is the API's call too: it refuses it (`looks_like_secret`)
    // without echoing or logging it, and its detail says so under the field.
    // Docs with nothing to audit are a 422 `nothing_in_docs`, shown the same way.
    const detail = problemText(answer);
    setFieldError(els.text, detail);
    if (answer.body && answer.body.code === 'looks_like_secret') els.text.focus();
    els.status.textContent = 'The audit could not be made: see the message under the field.';
    renderStale();
    return;
  }
  audit.key = key;
  audit.against = against;
  els.status.dataset.clean = String(answer.body.clean);
  if (isDocsAudit(answer.body)) renderDocsAudit(answer.body);
  else {
    els.status.textContent = `${reportSummary(answer.body)} Revision ${answer.body.catalog.revision}.`;
    els.report.replaceChildren();
    renderReport(answer.body, els.report, { id: 'audit', level: 3 });
  }
  els.result.hidden = false;
  renderStale();
}

/** One sentence on a report: how many scopes, what is to fix, whether they fit. */
function reportSummary(body) {
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
  if (body.clean) return `Nothing to fix: ${checked} checked${intended ? ', and they fit the operations above' : ''}.`;
  return `${checked} checked${parts.length ? `: ${parts.join('; ')}` : ''}.${fits(intended) ? '' : " They don't fit the operations above."}`;
}

const fits = (intended) => !intended || (!intended.missing.length && !intended.excess.length);

/**
 * A copy button (`data-copy`, copied by copy.js) for one report's link: the
 * link is handed over on the click, before copy.js reads it, so each report
 * shown copies its own.
 */
function copyButton(kind, url, label, describedBy) {
  const button = el('button', { type: 'button', 'data-copy': kind, 'aria-describedby': describedBy }, label);
  button.addEventListener('click', () => {
    toolSnippets[kind] = url;
  });
  return button;
}

function linkParagraph(id, url, describedBy) {
  const anchor = el('a', { id, href: '/', target: '_blank', rel: 'noopener noreferrer', 'aria-describedby': describedBy });
  showLink(anchor, url);
  return el('p', { class: 'url' }, anchor);
}

/**
 * Renders one AuditReport (of a link, a scope list, or one found in docs) at
 * the end of `container`. Every id starts with `id` (`audit` for the one
 * report of a link or scope list); headings start at `<h{level}>`.
 */
function renderReport(body, container, { id, level }) {
  const h = (n) => `h${Math.min(level + n, 6)}`;
  const counts = body.counts || {};
  const intended = body.intended;

  const findingsHeading = el(h(0), { id: `${id}-findings-heading` }, 'Scope by scope');
  const findings = el(
    'ul',
    { id: `${id}-findings`, class: 'findings', 'aria-labelledby': `${id}-findings-heading` },
    body.findings.map(renderFinding),
  );

  const renames = (counts.renamed || 0) + (counts.unknown || 0) + (counts.duplicate || 0) > 0;
  const normalized = el(
    'div',
    { id: `${id}-normalized-box`, hidden: !(renames && body.normalized.length) },
    el(h(0), { id: `${id}-normalized-heading` }, 'The same access under current names'),
    linkParagraph(`${id}-normalized-url`, body.normalized_url),
    el(
      'div',
      { class: 'actions' },
      copyButton('audit-normalized', body.normalized_url, 'Copy link', `${id}-normalized-heading`),
    ),
  );

  const allowedOps = body.allowed_operations || [];
  const count = typeof body.allowed_operation_count === 'number' ? body.allowed_operation_count : allowedOps.length;
  const allowed = el(
    'details',
    { class: 'allowed', id: `${id}-allowed` },
    el(
      'summary',
      { id: `${id}-allowed-summary` },
      `These scopes allow ${plural(count, 'private-key operation')}${allowedOps.length < count ? ` (the first ${allowedOps.length} listed)` : ''}`,
    ),
    el(
      'ul',
      { id: `${id}-allowed-list`, class: 'allowed-list' },
      allowedOps.map((op) =>
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
    ),
  );

  container.append(findingsHeading, findings, normalized, allowed);
  if (intended) container.append(renderIntended(intended, { id, h }));
}

/** The comparison with the builder's operations: missing, excess, needed, the corrected link. */
function renderIntended(intended, { id, h }) {
  const fit = fits(intended);
  const row = (label, cls, values, empty) => [
    el('dt', {}, label),
    el('dd', { class: cls }, values.length ? joinCodes(values) : el('span', { class: 'hint' }, empty)),
  ];
  const errors = el('ul', { id: `${id}-intended-errors`, class: 'tool-errors' });
  itemErrors(errors, intended.errors || []);
  const warnings = intended.warnings || [];
  return el(
    'div',
    { id: `${id}-intended-box` },
    el(h(0), { id: `${id}-intended-heading` }, 'Against the operations above'),
    el(
      'p',
      { id: `${id}-intended-summary` },
      fit
        ? 'The scopes fit the operations exactly.'
        : `${plural(intended.missing.length, 'scope')} missing, ${plural(intended.excess.length, 'scope')} more than needed.`,
    ),
    el(
      'dl',
      { class: 'diff', id: `${id}-diff` },
      row('Missing', 'missing', intended.missing, 'none'),
      row('Excess', 'excess', intended.excess, 'none'),
      row('Needed', 'needed', intended.needed, 'none'),
    ),
    errors,
    el(
      'ul',
      { id: `${id}-intended-warnings`, class: 'warnings', hidden: !warnings.length },
      warnings.map((warning) => el('li', { class: `warning warning-${warning.code}` }, rich(warning.message))),
    ),
    el(
      'div',
      { id: `${id}-corrected-box`, hidden: fit || !intended.needed.length },
      el(h(1), { id: `${id}-corrected-heading` }, 'Corrected link'),
      linkParagraph(`${id}-corrected-url`, intended.corrected_url),
      el(
        'div',
        { class: 'actions' },
        copyButton('audit-corrected', intended.corrected_url, 'Copy corrected link', `${id}-corrected-heading`),
      ),
    ),
  );
}

/**
 * A DocsAudit: whether the docs are clean, then one part per link, scope
 * list or key type found, headed with its line, each with its report or why
 * it could not be audited.
 */
function renderDocsAudit(body) {
  const found = body.found;
  const toFix = found.filter((entry) => entry.audit && !entry.audit.clean).length;
  const unreadable = found.filter((entry) => !entry.audit).length;
  const parts = [];
  if (toFix) parts.push(`${toFix} to fix`);
  if (unreadable) parts.push(`${unreadable} not audited`);
  const what = `${plural(found.length, 'link, scope list or key type', 'links, scope lists and key types')} found in the docs`;
  const verdict = body.clean
    ? `Clean: ${what}, nothing to fix.`
    : `Not clean: ${what}${parts.length ? `, ${parts.join(', ')}` : ''}.`;
  const audited = found.find((entry) => entry.audit && entry.audit.catalog);
  els.status.textContent = `${verdict}${audited ? ` Revision ${audited.audit.catalog.revision}.` : ''}`;
  els.report.replaceChildren();
  found.forEach((entry, i) => els.report.append(renderDocEntry(entry, `audit-found-${i + 1}`)));
}

function renderDocEntry(entry, id) {
  const label = KIND_LABELS[entry.kind] || entry.kind.replace(/_/g, ' ');
  const outcome = entry.audit ? (entry.audit.clean ? 'clean' : 'to-fix') : 'error';
  const outcomeLabel = { clean: 'clean', 'to-fix': 'to fix', error: 'not audited' }[outcome];
  const box = el(
    'article',
    {
      class: `doc-entry doc-entry-${outcome}`,
      id,
      'data-line': entry.line,
      'data-kind': entry.kind,
      'aria-labelledby': `${id}-heading`,
    },
    el(
      'h3',
      { class: 'doc-entry-head', id: `${id}-heading` },
      el('span', { class: 'doc-entry-where' }, `line ${entry.line}: ${label}`),
      el('span', { class: `badge doc-entry-state doc-entry-state-${outcome}` }, outcomeLabel),
    ),
    entry.url ? el('p', { class: 'url doc-entry-url' }, code(entry.url)) : null,
    entry.scopes && entry.scopes.length ? el('p', { class: 'doc-entry-scopes' }, joinCodes(entry.scopes)) : null,
  );
  if (entry.audit) {
    box.append(el('p', { class: 'doc-entry-summary' }, reportSummary(entry.audit)));
    renderReport(entry.audit, box, { id, level: 4 });
  } else {
    const error = entry.error || { code: 'unreadable', detail: 'it could not be audited' };
    box.append(
      el('p', { class: 'doc-entry-problem' }, rich(error.detail), ' ', el('small', {}, `(${error.code})`)),
    );
  }
  return box;
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
