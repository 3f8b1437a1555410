// "From traffic": a HAR file or request log sent to POST /v1/links/from-har;
// shows what was read and which operations were called, and adds them (or a
// suggested fix for an unrecognised call) to the builder.

import { postTraffic, problemText } from './api.js';
import { addItems } from './builder.js';
import { $, code, dropZone, el, fill, joinCodes, plural, rich, setText } from './dom.js';
import { itemLabel, replacementItem } from './inputs.js';
import { optionsKey, state } from './state.js';

const els = {
  drop: $('traffic-drop'),
  file: $('traffic-file'),
  status: $('traffic-status'),
  result: $('traffic-result'),
  counts: $('traffic-counts'),
  hostsBox: $('traffic-hosts-box'),
  hosts: $('traffic-hosts'),
  opsBox: $('traffic-ops-box'),
  ops: $('traffic-ops'),
  use: $('traffic-use'),
  unrecognizedBox: $('traffic-unrecognized-box'),
  unrecognized: $('traffic-unrecognized'),
  unreadableBox: $('traffic-unreadable-box'),
  unreadable: $('traffic-unreadable'),
};

/** The file read last, the mode and revision it was read with, and its answer. */
const traffic = { file: null, key: null, report: null, seq: 0 };

/** The mode or revision changed: read the file again with them. */
export function optionsChanged() {
  if (traffic.file && traffic.key !== optionsKey()) readTraffic(traffic.file);
}

els.file.addEventListener('change', () => {
  const file = els.file.files && els.file.files[0];
  if (file) readTraffic(file);
});

dropZone(els.drop, (transfer) => {
  const file = transfer.files[0];
  if (!file) return;
  try {
    els.file.files = transfer.files;
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
  els.drop.classList.add('busy');
  els.status.textContent = `Reading ${file.name}…`;
  const answer = await postTraffic(file, { har, minimal: state.minimal, revision: state.revision });
  if (seq !== traffic.seq) return;
  els.drop.classList.remove('busy');
  traffic.key = key;
  if (!(answer.ok && answer.body && answer.body.calls)) {
    traffic.report = null;
    els.result.hidden = true;
    els.status.textContent = `${file.name}: ${problemText(answer)}`;
    return;
  }
  traffic.report = answer.body;
  renderTraffic(file.name, answer.body);
}

/** An operation read from traffic as an input: its operationId, with the include values it was called with. */
const trafficItem = (op) => (op.includes.length ? { operation: op.operation_id, include: op.includes } : op.operation_id);

function renderTraffic(name, body) {
  const calls = body.calls;
  const unrecognized = body.unrecognized.reduce((sum, call) => sum + call.calls, 0);
  els.status.textContent =
    `${name} (${body.format === 'har' ? 'HAR' : 'request log'}): ${plural(calls.klaviyo, 'Klaviyo API call')}, ` +
    `${plural(body.operations.length, 'operation')} recognised` +
    (body.unrecognized.length ? `, ${plural(body.unrecognized.length + body.unrecognized_more, 'call')} not recognised` : '') +
    ` (revision ${body.link.catalog.revision}).`;
  const count = (label, kind, value) =>
    el('div', { class: `count${value ? '' : ' zero'}` }, el('dt', {}, label), el('dd', { 'data-count': kind }, String(value)));
  fill(
    els.counts,
    count('Klaviyo API calls', 'klaviyo', calls.klaviyo),
    count('Not recognised', 'unrecognized', unrecognized),
    count('Calls to other hosts', 'other_hosts', calls.other_hosts),
    count('CORS preflights', 'preflight', calls.preflight),
    calls.oauth ? count('OAuth token calls', 'oauth', calls.oauth) : null,
    count('Unreadable', 'unreadable', calls.unreadable),
  );

  els.hostsBox.hidden = !body.other_hosts.length;
  fill(
    els.hosts,
    ...body.other_hosts.map((host) =>
      el('li', { 'data-host': host.host }, code(host.host), ' ', el('small', {}, plural(host.calls, 'call'))),
    ),
    body.other_hosts_more ? el('li', {}, el('small', {}, `and ${plural(body.other_hosts_more, 'call')} to more hosts`)) : null,
  );

  els.opsBox.hidden = !body.operations.length;
  els.ops.replaceChildren(
    ...body.operations.map((op) =>
      el(
        'li',
        {},
        code(itemLabel(trafficItem(op)), 'called-op'),
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
  setText(els.use, body.operations.length === 1 ? 'Use this operation' : `Use these ${body.operations.length} operations`);

  els.unrecognizedBox.hidden = !body.unrecognized.length;
  fill(
    els.unrecognized,
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
                const replacement = itemLabel(replacementItem(suggestion.replacement));
                return el(
                  'li',
                  {},
                  el(
                    'button',
                    {
                      type: 'button',
                      class: 'fix',
                      'data-call': i,
                      'data-suggestion': k,
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

  els.unreadableBox.hidden = !body.unreadable.length;
  fill(
    els.unreadable,
    ...body.unreadable.map((bad) =>
      el('li', {}, bad.line ? `Line ${bad.line}: ` : bad.entry ? `Entry ${bad.entry}: ` : '', rich(bad.reason)),
    ),
    calls.unreadable > body.unreadable.length
      ? el('li', {}, el('small', {}, `and ${calls.unreadable - body.unreadable.length} more`))
      : null,
  );
  els.result.hidden = false;
}

els.use.addEventListener('click', () => {
  if (!traffic.report) return;
  const items = traffic.report.operations.map(trafficItem);
  const added = addItems(items);
  els.status.textContent =
    `Added ${plural(added, 'operation')} to the list` + (added < items.length ? ` (${items.length - added} already there).` : '.');
});

els.unrecognized.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-suggestion]');
  if (!button || !traffic.report) return;
  const call = traffic.report.unrecognized[Number(button.dataset.call)];
  const suggestion = call && call.suggestions[Number(button.dataset.suggestion)];
  if (!suggestion) return;
  const item = replacementItem(suggestion.replacement);
  const added = addItems([item]);
  els.status.textContent = added ? `Added ${itemLabel(item)} to the list.` : `${itemLabel(item)} is already in the list.`;
});
