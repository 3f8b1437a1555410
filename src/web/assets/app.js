// The Scopelink link builder (GET /): the entry module, which wires the
// others together and starts the page. ES modules, no dependencies and no
// build step, served from /assets/ under a strict CSP (no inline code, no
// inline styles).
//
// State: an ordered list of inputs (texts in any form the resolver takes,
// or `{operation, include}`), the mode and the Klaviyo revision. It lives in
// the page URL (`/?op=…&op=…&minimal=true&revision=…`), so a link to the
// page reproduces it. Every change asks POST /v1/links with `partial: true`,
// which answers the link for the inputs that resolved, an error for each one
// that did not, and the page and /go URLs for them. The rules (which input is
// a key, its include values, URL encoding, the revisions) are the API's: the
// page takes them from its answers and never re-implements them.
//
// Below the builder, four tools work on the same state: the operations an
// integration's source code calls (source.js), an OAuth authorize URL
// (oauth.js), an audit of an existing link or scope list (audit.js), and the
// operations read from a HAR file or a request log (traffic.js).

import * as audit from './audit.js';
import { refresh } from './builder.js';
import { loadCatalog } from './catalog.js';
import './copy.js';
import { els } from './dom.js';
import * as oauth from './oauth.js';
import { render } from './render.js';
import { loadRevisions, renderRevisions } from './revisions.js';
import { catalogChanged } from './search.js';
import * as source from './source.js';
import { on, readUrlState, state } from './state.js';
import * as traffic from './traffic.js';

// After each drawing of the builder, the tools tell whether their answer is stale.
on('render', oauth.renderStale);
on('render', audit.renderStale);
// The mode or revision changed: the traffic answer depends on them.
on('options', traffic.optionsChanged);
on('options', source.optionsChanged);
// The operation list loaded: it names each operation's include values.
on('catalog', render);
on('catalog', catalogChanged);

readUrlState();
window.addEventListener('popstate', () => {
  const revision = state.revision;
  readUrlState();
  renderRevisions();
  if (revision !== state.revision) {
    loadCatalog();
    traffic.optionsChanged();
    source.optionsChanged();
  }
  refresh();
});
els.app.dataset.state = 'idle';
render();
loadCatalog();
loadRevisions();
refresh();
