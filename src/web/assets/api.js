// The page's one way to the Scopelink JSON API on the same origin: a fetch
// wrapper per call, each answering `{ok, status, body}` and never throwing.

/** One JSON call: `{ok, status, body}`; a network failure is status 0 with `failure`. */
export async function api(path, init) {
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

export const postJson = (path, payload) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

/** The sentence to show for an answer that is not the one asked for. */
export function problemText(answer) {
  if (answer.status === 0) return `Could not reach the Scopelink API (${answer.failure}).`;
  return answer.body && answer.body.detail ? answer.body.detail : `The Scopelink API answered ${answer.status}.`;
}

/** `POST /v1/links`: the link for the inputs that resolve, an error for each other one. */
export const postLinks = (payload) => postJson('/v1/links', payload);

/** `GET /v1/operations`, of one revision or the default one. */
export const getOperations = (revision) =>
  api('/v1/operations' + (revision ? `?revision=${encodeURIComponent(revision)}` : ''));

/** `GET /v1/catalog`: the loaded revisions, newest first, and the default one. */
export const getCatalog = () => api('/v1/catalog');

/** `POST /v1/oauth/authorize-url`. */
export const postAuthorizeUrl = (payload) => postJson('/v1/oauth/authorize-url', payload);

/** `POST /v1/audit`. */
export const postAudit = (payload) => postJson('/v1/audit', payload);

/** `POST /v1/links/from-source`: `{files: [{path, content}], minimal, revision}`. */
export const postSource = (payload) => postJson('/v1/links/from-source', payload);

/** `POST /v1/links/from-har`: the file as it is, read as HAR or as a request log. */
export function postTraffic(file, { har, minimal, revision }) {
  const query = ['partial=true'];
  if (minimal) query.push('minimal=true');
  if (revision) query.push(`revision=${encodeURIComponent(revision)}`);
  return api(`/v1/links/from-har?${query.join('&')}`, {
    method: 'POST',
    headers: { 'content-type': har ? 'application/json' : 'text/plain' },
    body: file,
  });
}
