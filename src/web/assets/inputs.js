// The builder's inputs as values: a text in any form the resolver takes, or
// a structured `{operation, include}`. How to compare and label them, and
// how pasted lines and suggested fixes become inputs. Reading an input is
// the API's job: nothing here parses one.

/** A structured input, normalised, or null when the value is not one. */
function structured(value) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  if (typeof value.operation !== 'string') return null;
  if (Object.keys(value).some((key) => key !== 'operation' && key !== 'include')) return null;
  const include = value.include === undefined ? [] : value.include;
  if (!Array.isArray(include) || include.some((v) => typeof v !== 'string')) return null;
  return { operation: value.operation, include: include.slice() };
}

/** A stable key of an input, to compare inputs and to remember answers by. */
export const itemKey = (item) => JSON.stringify(item);

export const sameItem = (a, b) => itemKey(a) === itemKey(b);

/** The input's operation text: the text itself, or a structured input's `operation`. */
export const operationText = (item) => (typeof item === 'string' ? item : item.operation);

/** The include values given apart from the text (a structured input's `include`). */
export const givenIncludes = (item) => (typeof item === 'string' ? [] : item.include);

/**
 * How the list shows an input: its text, or a structured one as the `op=`
 * text the API writes for it in page and /go URLs (`get_profile?include=lists`).
 */
export function itemLabel(item) {
  if (typeof item === 'string') return item;
  if (item && typeof item.operation === 'string') {
    const include = item.include || [];
    if (!include.length) return item.operation;
    return `${item.operation}${item.operation.includes('?') ? '&' : '?'}include=${include.join(',')}`;
  }
  return JSON.stringify(item);
}

/** A suggestion's replacement (text, or `{operation, include}`) as an input. */
export function replacementItem(replacement) {
  if (typeof replacement === 'string') return replacement;
  return structured(replacement) || JSON.stringify(replacement);
}

/**
 * An input to add: a structured one as it is, a text (a pasted line) trimmed,
 * or a JSON `{"operation", "include"}` line as a structured input.
 */
export function toItem(value) {
  if (typeof value !== 'string') return structured(value);
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      return structured(JSON.parse(trimmed)) || trimmed;
    } catch (_) {
      return trimmed;
    }
  }
  return trimmed;
}
