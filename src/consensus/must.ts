/**
 * Owns `must`: the one way to read a value the code's own invariants say is there (an array slot
 * inside a checked length, a map entry written just before) without a silent `!`. If the
 * invariant is ever broken, the throw names what was missing instead of failing later on
 * `undefined`.
 */

/** A value that an invariant promised was absent; `what` names it for the log. */
export class MissingValueError extends Error {
  readonly what: string;

  constructor(what: string) {
    super(`missing ${what}`);
    this.name = 'MissingValueError';
    this.what = what;
  }
}

/** Returns `value`, or throws a `MissingValueError` naming `what` if it is undefined. */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MissingValueError(what);
  return value;
}
