// "For an OAuth app": Klaviyo's authorize URL for the builder's operations
// (POST /v1/oauth/authorize-url), with a state and a PKCE pair made in this
// browser; the code verifier never leaves it.

import { postAuthorizeUrl, problemText } from './api.js';
import { toolSnippets } from './copy.js';
import { $, code, itemErrors, plural, setFieldError, showLink } from './dom.js';
import { itemsKey, resolvedItems, state, withRevision } from './state.js';

const els = {
  form: $('oauth-form'),
  clientId: $('oauth-client-id'),
  redirectUri: $('oauth-redirect-uri'),
  state: $('oauth-state'),
  challenge: $('oauth-code-challenge'),
  stateGenerate: $('oauth-state-generate'),
  pkceGenerate: $('oauth-pkce-generate'),
  verifierBox: $('oauth-verifier-box'),
  verifier: $('oauth-verifier'),
  status: $('oauth-status'),
  errors: $('oauth-errors'),
  result: $('oauth-result'),
  url: $('oauth-url'),
  scope: $('oauth-scope'),
  stale: $('oauth-stale'),
};

/** What the authorize URL was built for, and whether a field changed since. */
const oauth = { key: null, edited: false, seq: 0, verifierFor: null };
const FIELDS = {
  client_id: { input: els.clientId, name: 'the client ID' },
  redirect_uri: { input: els.redirectUri, name: 'the redirect URI' },
  state: { input: els.state, name: 'a state' },
  code_challenge: { input: els.challenge, name: 'a code challenge' },
};

/** Marks the URL stale when the operations, mode, revision or a field changed. */
export function renderStale() {
  const stale = Boolean(oauth.key) && (oauth.key !== itemsKey() || oauth.edited);
  els.stale.hidden = !stale;
  els.result.classList.toggle('stale', stale);
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const randomText = (length) => base64url(crypto.getRandomValues(new Uint8Array(length)));

els.stateGenerate.addEventListener('click', () => {
  els.state.value = randomText(16);
  setFieldError(els.state, '');
  markEdited();
  els.status.textContent = 'Generated a random state: your app stores it and checks it when the user comes back.';
});

els.pkceGenerate.addEventListener('click', async () => {
  if (!window.crypto || !crypto.subtle || !window.TextEncoder) {
    els.status.textContent =
      'This browser cannot hash here (it needs https): make the verifier and challenge in your app.';
    return;
  }
  // RFC 7636: a verifier of 32 random bytes, and its S256 challenge.
  const verifier = randomText(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const challenge = base64url(new Uint8Array(digest));
  els.challenge.value = challenge;
  els.verifier.value = verifier;
  toolSnippets.verifier = verifier;
  oauth.verifierFor = challenge;
  els.verifierBox.hidden = false;
  setFieldError(els.challenge, '');
  markEdited();
  els.status.textContent =
    'Generated a code verifier and its challenge. Keep the verifier: only the challenge is sent to Scopelink.';
});

function markEdited() {
  if (oauth.key) oauth.edited = true;
  renderStale();
}

els.form.addEventListener('input', (event) => {
  if (event.target === els.challenge && oauth.verifierFor && els.challenge.value !== oauth.verifierFor) {
    // The verifier no longer goes with the challenge: forget it.
    oauth.verifierFor = null;
    els.verifier.value = '';
    delete toolSnippets.verifier;
    els.verifierBox.hidden = true;
  }
  if (event.target.getAttribute('aria-invalid')) setFieldError(event.target, '');
  markEdited();
});

els.form.addEventListener('submit', (event) => {
  event.preventDefault();
  buildAuthorizeUrl();
});

async function buildAuthorizeUrl() {
  const seq = ++oauth.seq;
  const values = {};
  const missing = [];
  for (const [field, { input, name }] of Object.entries(FIELDS)) {
    values[field] = input.value.trim();
    setFieldError(input, values[field] ? '' : `Enter ${name}.`);
    if (!values[field]) missing.push(input);
  }
  itemErrors(els.errors, []);
  if (missing.length) {
    els.status.textContent = `Fill in ${plural(missing.length, 'field')} marked above.`;
    missing[0].focus();
    return;
  }
  const { items, left } = resolvedItems();
  if (!items.length) {
    els.status.textContent = state.items.length
      ? 'None of the operations above resolved: fix them first.'
      : 'Add the operations your app calls above first: the URL asks for the scopes they need.';
    return;
  }
  const key = itemsKey();
  els.status.textContent = 'Building the authorize URL…';
  const answer = await postAuthorizeUrl(
    withRevision({ ...values, code_challenge_method: 'S256', operations: items, minimal: state.minimal }),
  );
  if (seq !== oauth.seq) return;
  if (answer.ok && answer.body && typeof answer.body.url === 'string') {
    const body = answer.body;
    oauth.key = key;
    oauth.edited = false;
    toolSnippets.authorize = body.url;
    showLink(els.url, body.url);
    els.scope.replaceChildren('Scope: ', code(body.scope), ` · revision ${body.catalog.revision}`);
    els.result.hidden = false;
    els.status.textContent =
      `Authorize URL for ${plural(items.length, 'operation')} with ${plural(body.scopes.length, 'scope')}.` +
      (left ? ` ${plural(left, 'input')} that could not be resolved ${left === 1 ? 'is' : 'are'} left out.` : '');
    renderStale();
    return;
  }
  // A refused parameter names its field first: `redirect_uri` is invalid: …
  const detail = problemText(answer);
  const named = /^`([a-z_]+)`/.exec(detail);
  const field = named && FIELDS[named[1]];
  els.result.hidden = true;
  oauth.key = null;
  delete toolSnippets.authorize;
  if (field) {
    setFieldError(field.input, detail);
    els.status.textContent = 'Klaviyo would refuse a field: see the message under it.';
    field.input.focus();
  } else if (answer.body && Array.isArray(answer.body.errors)) {
    els.status.textContent = `${detail} Fix the operations above:`;
    itemErrors(els.errors, answer.body.errors);
  } else {
    els.status.textContent = detail;
  }
  renderStale();
}
