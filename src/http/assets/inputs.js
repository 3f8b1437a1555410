// Input texts as the page handles them: include values written into the
// text, suggestions and pasted JSON lines turned into text, key-like text
// recognised and blanked, and the query encoding of page and /go URLs.

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

export function opsQuery(items, minimal, revision) {
  const parts = items.map((item) => 'op=' + encodeValue(item));
  if (minimal) parts.push('minimal=true');
  if (revision) parts.push('revision=' + encodeValue(revision));
  return parts.join('&');
}

export const SECRET = /pk_[A-Za-z0-9]/;
export const redact = (text) => text.replace(/pk_[A-Za-z0-9_-]*/g, 'pk_***');

/** An input's `name` and its query, split at the first `?`. */
export function splitItem(text) {
  const at = text.indexOf('?');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

const isIncludeParam = (part) => decode(part.split('=')[0]).trim().toLowerCase() === 'include';

/** The include values written in an input (`?include=a,b&include=c`). */
export function includesOf(text) {
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
export function withIncludes(text, values) {
  const [base, query] = splitItem(text);
  const kept = query.split('&').filter((part) => part && !isIncludeParam(part));
  if (values.length) kept.push('include=' + values.join(','));
  return kept.length ? `${base}?${kept.join('&')}` : base;
}

/** A suggestion's replacement (text, or `{operation, include}`) as input text. */
export function replacementText(replacement) {
  if (typeof replacement === 'string') return replacement;
  if (replacement && typeof replacement.operation === 'string') {
    const include = replacement.include || [];
    return include.length ? `${replacement.operation}?include=${include.join(',')}` : replacement.operation;
  }
  return JSON.stringify(replacement);
}

/** One pasted line: text as is, or a JSON `{"operation", "include"}` as text. */
export function lineToItem(line) {
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
