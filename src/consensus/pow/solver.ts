/**
 * A CPU Equihash solver (Wagner's algorithm) for any parameters, built on the same index
 * generation as the verifier. It lists every index with its k+1 collision fields, then for each
 * round sorts the list on the round's field and XORs together every pair that agrees on it,
 * remembering only the pair (not the index lists) so memory stays at a few words per entry.
 * The last round also demands agreement on the final field; each surviving pair is unfolded
 * into its 2^k indices, which must be distinct, and put into the canonical tree order.
 *
 * It finds the same solutions as fluxd's BasicSolve. Work and memory grow with 2^(n/(k+1)+1):
 * 48,5 takes about a millisecond, 96,5 a fraction of a second; ZelHash (125,4) about two minutes
 * and 3.8 GB, 144,5 a few minutes — fine for producing test vectors, far too slow to mine them.
 */
import { EquihashHasher } from './equihash-hash.ts';
import { encodeSolution, toEquihashParams } from './equihash.ts';
import type { EquihashParams, EquihashSpec } from './equihash-params.ts';

export interface SolveOptions {
  /** Stop once this many solutions are found (default: find all). */
  maxSolutions?: number;
  /** Polled between phases and during long loops; returning true abandons the search. */
  shouldStop?: () => boolean;
}

/** All solutions for `powInput` (packed, ready for a block header), in the order found. */
export function solveEquihash(
  spec: EquihashSpec | EquihashParams,
  powInput: Uint8Array,
  opts: SolveOptions = {},
): Uint8Array[] {
  const p = toEquihashParams(spec);
  return solveEquihashIndices(p, powInput, opts).map((indices) => encodeSolution(p, indices));
}

/** Like solveEquihash, but each solution as its 2^k indices in canonical order. */
export function solveEquihashIndices(
  spec: EquihashSpec | EquihashParams,
  powInput: Uint8Array,
  opts: SolveOptions = {},
): Uint32Array[] {
  const p = toEquihashParams(spec);
  const stop = opts.shouldStop ?? (() => false);
  const maxSolutions = opts.maxSolutions ?? Number.POSITIVE_INFINITY;
  const hasher = new EquihashHasher(p, powInput);

  let columns = initialColumns(hasher, stop);
  if (!columns) return [];
  // parents[level - 1] = [left, right]: the entries of list level-1 that entry e of list `level` joins.
  const parents: [Uint32Array, Uint32Array][] = [];

  for (let round = 0; round < p.k - 1; round++) {
    const current = columns;
    const key = current[round]!;
    const order = sortByField(key, p.collisionBits);
    let pairs = 0;
    forEachRun(key, order, (start, end) => {
      const len = end - start;
      pairs += (len * (len - 1)) / 2;
    });
    if (stop()) return [];
    const left = new Uint32Array(pairs);
    const right = new Uint32Array(pairs);
    const next: Uint32Array[] = [];
    for (let j = round + 1; j <= p.k; j++) next[j] = new Uint32Array(pairs);
    let e = 0;
    forEachRun(key, order, (start, end) => {
      for (let x = start; x < end; x++) {
        const a = order[x]!;
        for (let y = x + 1; y < end; y++) {
          const b = order[y]!;
          let rest = 0;
          for (let j = round + 1; j <= p.k; j++) {
            const v = current[j]![a]! ^ current[j]![b]!;
            next[j]![e] = v;
            rest |= v;
          }
          // Two entries whose hashes agree entirely are almost always one set of indices paired
          // up two ways; such a pair (and everything built on it) repeats an index. Weeding them
          // out here keeps small parameter sets from filling up with them.
          if (rest === 0 && !allDistinct(joinCanonical(unfold(parents, round, a), unfold(parents, round, b))))
            continue;
          left[e] = a;
          right[e] = b;
          e++;
        }
      }
    });
    parents.push([left.subarray(0, e), right.subarray(0, e)]);
    columns = next.map((column) => column.subarray(0, e));
    if (stop()) return [];
  }

  // Final round: the two entries must agree on both remaining fields.
  const solutions: Uint32Array[] = [];
  const seen = new Set<string>();
  const key = columns[p.k - 1]!;
  const last = columns[p.k]!;
  const order = sortByField(key, p.collisionBits);
  forEachRun(key, order, (start, end) => {
    for (let x = start; x < end && solutions.length < maxSolutions; x++) {
      for (let y = x + 1; y < end && solutions.length < maxSolutions; y++) {
        const a = order[x]!;
        const b = order[y]!;
        if (last[a] !== last[b]) continue;
        const indices = joinCanonical(unfold(parents, p.k - 1, a), unfold(parents, p.k - 1, b));
        if (!allDistinct(indices)) continue;
        const id = indices.join(',');
        if (seen.has(id)) continue;
        seen.add(id);
        solutions.push(indices);
      }
    }
  });
  return solutions;
}

/** Column j holds collision field j of every index, or null if stopped. */
function initialColumns(hasher: EquihashHasher, stop: () => boolean): Uint32Array[] | null {
  const p = hasher.params;
  const columns: Uint32Array[] = [];
  for (let j = 0; j <= p.k; j++) columns.push(new Uint32Array(p.indexSpace));
  const fields = new Uint32Array(p.k + 1);
  const hashes = Math.ceil(p.indexSpace / p.indicesPerHash);
  const chunk = 1 << 16;
  for (let start = 0; start < hashes; start += chunk) {
    hasher.forEachHash(start, Math.min(chunk, hashes - start), (g, digest) => {
      for (let s = 0; s < p.indicesPerHash; s++) {
        const i = g * p.indicesPerHash + s;
        if (i >= p.indexSpace) break;
        hasher.fieldsFromDigest(digest, i, fields, 0);
        for (let j = 0; j <= p.k; j++) columns[j]![i] = fields[j]!;
      }
    });
    if (stop()) return null;
  }
  return columns;
}

/** Entry positions ordered by `key` (an LSD radix sort in two passes). */
function sortByField(key: Uint32Array, bits: number): Uint32Array {
  const n = key.length;
  const lowBits = bits >> 1;
  const highBits = bits - lowBits;
  const lowMask = 2 ** lowBits - 1;
  const tmp = new Uint32Array(n);
  const out = new Uint32Array(n);
  const lowCount = new Uint32Array(2 ** lowBits + 1);
  for (let i = 0; i < n; i++) lowCount[(key[i]! & lowMask) + 1]!++;
  for (let b = 1; b < lowCount.length; b++) lowCount[b]! += lowCount[b - 1]!;
  for (let i = 0; i < n; i++) tmp[lowCount[key[i]! & lowMask]!++] = i;
  const highCount = new Uint32Array(2 ** highBits + 1);
  for (let i = 0; i < n; i++) highCount[(key[i]! >>> lowBits) + 1]!++;
  for (let b = 1; b < highCount.length; b++) highCount[b]! += highCount[b - 1]!;
  for (let x = 0; x < n; x++) {
    const i = tmp[x]!;
    out[highCount[key[i]! >>> lowBits]!++] = i;
  }
  return out;
}

/** Calls `visit(start, end)` for each run of two or more positions in `order` with equal keys. */
function forEachRun(key: Uint32Array, order: Uint32Array, visit: (start: number, end: number) => void): void {
  let start = 0;
  while (start < order.length) {
    const value = key[order[start]!];
    let end = start + 1;
    while (end < order.length && key[order[end]!] === value) end++;
    if (end - start > 1) visit(start, end);
    start = end;
  }
}

/** The indices under entry `e` of list `level`, in canonical order (each subtree's smaller first index on the left). */
function unfold(parents: [Uint32Array, Uint32Array][], level: number, e: number): Uint32Array {
  if (level === 0) return Uint32Array.of(e);
  const [left, right] = parents[level - 1]!;
  return joinCanonical(unfold(parents, level - 1, left[e]!), unfold(parents, level - 1, right[e]!));
}

function joinCanonical(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  const [first, second] = a[0]! < b[0]! ? [a, b] : [b, a];
  out.set(first);
  out.set(second, first.length);
  return out;
}

function allDistinct(indices: Uint32Array): boolean {
  const sorted = indices.slice().sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
  return true;
}
