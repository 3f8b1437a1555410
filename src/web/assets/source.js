// "From source code": files chosen, a folder, or files and folders dropped
// are read in the browser (text only: binaries, files over the per-file
// limit and dependency folders are left out, with a note) and sent to
// POST /v1/links/from-source. Shows the link, each scope with the calls
// (`file:line`) that need it, the calls that could not be read (with the
// operations each may be), the calls to the retired API with their
// replacements, the files that call Klaviyo but could not be read, and adds
// the operations found to the builder. What a call is, and which files are
// code, is the API's call: the page only reads the files.

import { postSource, problemText } from './api.js';
import { addItems } from './builder.js';
import { toolSnippets } from './copy.js';
import { $, code, dropZone, el, fill, plural, rich, setText, showLink } from './dom.js';
import { itemLabel } from './inputs.js';
import { optionsKey, state } from './state.js';

/** The server's default per-file limit (SCOPELINK_MAX_SOURCE_FILE_BYTES); its own limits still rule. */
const MAX_FILE_BYTES = 1024 * 1024;
/** Folders never sent: dependencies, builds and git's own (as `scopelink scan` skips them). */
const SKIPPED_DIRS = new Set(['node_modules', 'vendor', 'dist', 'build', '.venv', 'target', '.git']);

const els = {
  drop: $('source-drop'),
  files: $('source-files'),
  folder: $('source-folder'),
  status: $('source-status'),
  notes: $('source-notes'),
  result: $('source-result'),
  linkBox: $('source-link-box'),
  url: $('source-url'),
  use: $('source-use'),
  scopesBox: $('source-scopes-box'),
  scopes: $('source-scopes'),
  unresolvedBox: $('source-unresolved-box'),
  unresolved: $('source-unresolved'),
  errorsBox: $('source-errors-box'),
  errors: $('source-errors'),
  skippedBox: $('source-skipped-box'),
  skipped: $('source-skipped'),
  retiredBox: $('source-retired-box'),
  retired: $('source-retired'),
  migration: $('source-migration'),
  unreadBox: $('source-unread-box'),
  unread: $('source-unread'),
};

/** The files read last, the mode and revision they were scanned with, and the answer. */
const source = { files: null, key: null, report: null, seq: 0 };

/** The mode or revision changed: scan the same files again with them. */
export function optionsChanged() {
  if (source.files && source.key !== optionsKey()) scan(source.files);
}

// ------------------------------------------------------------ reading files

/** Whether a `/`-separated path passes through a folder that is never sent. */
const inSkippedDir = (path) => path.split('/').slice(0, -1).some((part) => SKIPPED_DIRS.has(part));

/**
 * Reads `{file, path}` pairs as text: `{files: [{path, content}], notes}`,
 * where each note says what was left out and why.
 */
async function readAll(entries) {
  const files = [];
  const notes = [];
  let skippedDirs = 0;
  for (const { file, path } of entries) {
    if (inSkippedDir(path)) {
      skippedDirs += 1;
      continue;
    }
    if (file.size > MAX_FILE_BYTES) {
      notes.push(`${path}: ${file.size} bytes, over the limit of ${MAX_FILE_BYTES} per file; left out.`);
      continue;
    }
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (error) {
      notes.push(`${path}: could not be read (${error.message}); left out.`);
      continue;
    }
    if (bytes.includes(0)) {
      notes.push(`${path}: a binary file; left out.`);
      continue;
    }
    try {
      files.push({ path, content: new TextDecoder('utf-8', { fatal: true }).decode(bytes) });
    } catch (_) {
      notes.push(`${path}: not UTF-8 text; left out.`);
    }
  }
  if (skippedDirs) {
    notes.unshift(
      `${plural(skippedDirs, 'file')} in dependency or build folders (${[...SKIPPED_DIRS].join(', ')}) left out.`,
    );
  }
  return { files, notes };
}

/** A file input's files with their paths (relative to the folder chosen, for a folder). */
const fromInput = (input) => [...(input.files || [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));

/** Every file under dropped entries (files and folders), skipping never-sent folders unread. */
async function fromDrop(dataTransfer) {
  const entries = [...dataTransfer.items]
    .map((item) => (item.kind === 'file' && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null))
    .filter(Boolean);
  if (!entries.length) return [...dataTransfer.files].map((file) => ({ file, path: file.name }));
  const out = [];
  const walk = async (entry) => {
    const path = entry.fullPath.replace(/^\/+/, '');
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject)).catch(() => null);
      if (file) out.push({ file, path });
      return;
    }
    if (SKIPPED_DIRS.has(entry.name)) return;
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject)).catch(() => []);
      if (!batch.length) break;
      for (const child of batch) await walk(child);
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

async function read(entries, what) {
  const seq = ++source.seq;
  els.drop.classList.add('busy');
  setText(els.status, `Reading ${what}…`);
  const { files, notes } = await readAll(entries);
  if (seq !== source.seq) return;
  els.notes.hidden = !notes.length;
  fill(els.notes, ...notes.map((note) => el('li', {}, note)));
  if (!files.length) {
    els.drop.classList.remove('busy');
    source.files = null;
    source.report = null;
    els.result.hidden = true;
    setText(els.status, entries.length ? 'No text files to scan.' : 'No files were given.');
    return;
  }
  source.files = files;
  scan(files, seq);
}

els.files.addEventListener('change', () => {
  if (els.files.files && els.files.files.length) read(fromInput(els.files), plural(els.files.files.length, 'file'));
});
els.folder.addEventListener('change', () => {
  if (els.folder.files && els.folder.files.length) read(fromInput(els.folder), 'the folder');
});

dropZone(els.drop, async (transfer) => read(await fromDrop(transfer), 'the dropped files'));

// ------------------------------------------------------------- the answer

async function scan(files, seq = ++source.seq) {
  const key = optionsKey();
  els.drop.classList.add('busy');
  setText(els.status, `Scanning ${plural(files.length, 'file')}…`);
  const answer = await postSource({
    files,
    minimal: state.minimal,
    ...(state.revision ? { revision: state.revision } : {}),
  });
  if (seq !== source.seq) return;
  els.drop.classList.remove('busy');
  source.key = key;
  if (!(answer.ok && answer.body && Array.isArray(answer.body.calls))) {
    source.report = null;
    els.result.hidden = true;
    setText(els.status, problemText(answer));
    return;
  }
  source.report = answer.body;
  renderSource(answer.body);
}

const FORMS = { sdk_method: 'SDK method', raw_http: 'raw request', manifest: 'manifest' };

/** The operations found, each once, as builder inputs (with the include values called). */
function foundItems(body) {
  const items = new Map();
  for (const op of body.operations) {
    const item = op.includes.length ? { operation: op.operation_id, include: op.includes } : op.operation_id;
    items.set(itemLabel(item), item);
  }
  return [...items.values()];
}

const at = (file, line) => el('span', { class: 'at' }, `${file}:${line}`);

function renderSource(body) {
  const items = foundItems(body);
  const unreadable = body.unresolved.length + body.errors.length;
  setText(
    els.status,
    body.calls.length
      ? `Scanned ${plural(body.files_scanned, 'file')}: ${plural(body.calls.length, 'Klaviyo API call')}, ` +
          `${plural(items.length, 'operation')}` +
          (unreadable ? `, ${plural(unreadable, 'call')} not read` : '') +
          ` (revision ${body.catalog.revision}).`
      : `No Klaviyo API calls found in ${plural(body.files_scanned, 'file')}` +
          (body.unresolved.length ? `; ${plural(body.unresolved.length, 'call')} could not be read` : '') +
          (body.retired.length ? `; ${plural(body.retired.length, 'call')} to the retired API` : '') +
          '. No link is given: a key made from an empty scope list has full access.',
  );

  // No call that needs a scope: no link (`url` is null), never an empty `scopes=`.
  els.linkBox.hidden = !body.url;
  if (body.url) showLink(els.url, body.url);
  toolSnippets['source-link'] = body.url || '';
  els.use.hidden = !items.length;
  setText(els.use, items.length === 1 ? 'Use this operation' : `Use these ${items.length} operations`);

  els.scopesBox.hidden = !body.explanations.length;
  fill(
    els.scopes,
    ...body.explanations.map((explanation) =>
      el(
        'li',
        { 'data-scope': explanation.scope },
        code(explanation.scope, 'scope'),
        el(
          'ul',
          { class: 'sites' },
          ...explanation.calls.map((site) =>
            el('li', {}, at(site.file, site.line), ' ', el('small', {}, FORMS[site.form] || site.form), ' ', code(site.input)),
          ),
        ),
      ),
    ),
  );

  els.unresolvedBox.hidden = !body.unresolved.length;
  fill(
    els.unresolved,
    ...body.unresolved.map((call) =>
      el(
        'li',
        {},
        el('p', { class: 'call' }, at(call.file, call.line), ' ', rich(call.detail), ' ', el('small', {}, `(${call.reason})`)),
        code(call.excerpt, 'excerpt'),
        ...(call.candidates && call.candidates.length
          ? [
              el(
                'ul',
                { class: 'candidates' },
                ...call.candidates.map((c) =>
                  el(
                    'li',
                    {},
                    'could be ',
                    code(c.operation_id),
                    ` (${c.method} ${c.path})`,
                    c.adds.length ? [', adds ', ...c.adds.map((s) => code(s, 'scope'))] : ', adds no scope',
                  ),
                ),
              ),
            ]
          : []),
      ),
    ),
  );

  els.retiredBox.hidden = !body.retired.length;
  if (body.migration && body.migration.url) showLink(els.migration, body.migration.url);
  fill(
    els.retired,
    ...body.retired.map((call) =>
      el(
        'li',
        { 'data-basis': call.basis },
        el(
          'p',
          { class: 'call' },
          at(call.file, call.line),
          ' ',
          call.endpoint ? code(call.endpoint) : '',
          call.sdk_method ? [' ', el('small', {}, `old SDK method ${call.sdk_method}`)] : '',
        ),
        el(
          'p',
          {},
          call.replaced_by.length
            ? [
                call.basis === 'suggested' ? 'Suggested replacement: ' : 'Replaced by ',
                ...call.replaced_by.flatMap((r, i) => [i ? ' and ' : '', code(r.operation_id), ` (${r.method} ${r.path})`]),
                call.scopes.length ? ['; a key needs ', ...call.scopes.flatMap((s, i) => [i ? ', ' : '', code(s, 'scope')])] : '',
              ]
            : 'No current operation is recorded for it.',
        ),
      ),
    ),
  );

  const unread = [
    ...body.unscanned.map((file) =>
      el('li', {}, at(file.file, file.line), ` ${file.language} is not a language Scopelink reads: `, code(file.excerpt, 'excerpt')),
    ),
    ...body.skipped
      .filter((file) => file.names_klaviyo)
      .map((file) => el('li', {}, code(file.file), ': ', rich(file.reason))),
  ];
  els.unreadBox.hidden = !unread.length;
  fill(els.unread, ...unread);

  els.errorsBox.hidden = !body.errors.length;
  fill(
    els.errors,
    ...body.errors.map((error) => {
      const call = body.calls[error.index];
      return el(
        'li',
        {},
        el('p', { class: 'call' }, at(call.file, call.line), ' ', code(call.input)),
        el('p', { class: 'item-error' }, rich(error.detail), ' ', el('small', {}, `(${error.code})`)),
      );
    }),
  );

  els.skippedBox.hidden = !body.skipped.length;
  fill(
    els.skipped,
    ...body.skipped.map((file) => el('li', {}, file.file ? code(file.file) : '(no path)', ': ', rich(file.reason))),
  );
  els.result.hidden = false;
}

els.use.addEventListener('click', () => {
  if (!source.report) return;
  const items = foundItems(source.report);
  const added = addItems(items);
  setText(
    els.status,
    `Added ${plural(added, 'operation')} to the list` + (added < items.length ? ` (${items.length - added} already there).` : '.'),
  );
});
