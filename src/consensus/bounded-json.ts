/**
 * JSON from the outside (stratum lines, JSON-RPC bodies, app specs) parsed with a nesting limit.
 * `JSON.parse` itself copes with any depth, but everything after it that walks the value
 * recursively (JSON.stringify of an echoed id, validators, hashing) overflows the stack somewhere
 * past ten thousand levels; refusing deep text up front keeps that failure out of every later step.
 * It lives in consensus/ because it is pure and the lowest layer using it (mining's stratum) sits
 * right under it.
 */

/** Text whose nesting is deeper than the reader allows. */
export class JsonDepthError extends Error {
  readonly field = 'depth';
  readonly value: number;
  readonly limit: number;

  constructor(limit: number, offset: number) {
    super(`JSON nested deeper than ${limit} levels (at character ${offset})`);
    this.name = 'JsonDepthError';
    this.value = limit + 1;
    this.limit = limit;
  }
}

/** Default nesting allowed: far beyond any honest request or spec, far below any stack limit. */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of `text`, stopping at `limit + 1` (a scan of brackets outside strings). */
export function jsonDepth(text: string, limit = Number.MAX_SAFE_INTEGER): { depth: number; offset: number } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return { depth: deepest, offset: i };
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return { depth: deepest, offset: text.length };
}

/** `JSON.parse`, refusing text nested deeper than `maxDepth` before parsing it. */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const { depth, offset } = jsonDepth(text, maxDepth);
  if (depth > maxDepth) throw new JsonDepthError(maxDepth, offset);
  return JSON.parse(text);
}
