/**
 * Owns `at(list, i)` for tests: reads an index that the test expects to exist and fails the test
 * with the index and length when it does not (a plain `list[i]` would be `T | undefined`).
 */
import assert from 'node:assert/strict';

export function at<T>(list: ArrayLike<T>, index: number): T {
  const i = index < 0 ? list.length + index : index;
  const value = list[i];
  assert.ok(value !== undefined, `expected an element at index ${index} (length ${list.length})`);
  return value;
}

/** A tuple of `N` elements of `T` (for `tuple` below). */
export type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N
  ? R
  : Tuple<T, N, [...R, T]>;

/** `list` as a tuple of its first `n` elements, failing the test when any of them is missing. */
export function tuple<T, N extends number>(list: ArrayLike<T>, n: N): Tuple<T, N> {
  assert.ok(list.length >= n, `expected at least ${n} elements, got ${list.length}`);
  return Array.from({ length: n }, (_, i) => at(list, i)) as Tuple<T, N>;
}
