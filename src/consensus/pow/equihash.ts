/**
 * Equihash solution verification for any n,k and personalization, with Flux's ZelHash variant,
 * following fluxd's Equihash<N,K>::IsValidSolution. A solution is valid when:
 *  - it is exactly 2^k indices of n/(k+1)+1 bits, packed big-endian;
 *  - the indices are pairwise distinct;
 *  - the index tree is ordered: at every round the left subtree's first index is smaller than
 *    the right one's;
 *  - at round r (1..k) the two subtrees' XORed hashes agree on collision field r-1;
 *  - the XOR of all 2^k hashes has its last field zero as well (so the whole n bits are zero).
 * Checks run cheapest first (size, distinctness, order, then hashing), so the reason reported for
 * a solution with several defects can differ from the first one fluxd would log; the verdict does not.
 */
import { ConsensusError } from '../errors.ts';
import { packBitsBE, unpackBitsBE } from './bits.ts';
import { EquihashHasher, type HasherOptions, toEquihashParams } from './equihash-hash.ts';
import type { EquihashParams, EquihashSpec } from './equihash-params.ts';

export { packBitsBE, readBitsFromWords, unpackBitsBE } from './bits.ts';
export { EquihashHasher, type HasherOptions, toEquihashParams, ZELHASH_RUN } from './equihash-hash.ts';
export { type EquihashParams, type EquihashSpec, equihashParams, solutionSize } from './equihash-params.ts';

export type EquihashFailure =
  | 'invalid-solution-size'
  | 'duplicate-index'
  | 'out-of-order'
  | 'no-collision'
  | 'non-zero-final-xor';

/** A proof-of-work solution that does not verify; `reason` says which rule, `message` where. */
export class EquihashError extends ConsensusError {
  readonly reason: EquihashFailure;

  constructor(reason: EquihashFailure, detail: string, value?: unknown) {
    super('bad-solution', `${reason}: ${detail}`, { field: 'solution', value });
    this.name = 'EquihashError';
    this.reason = reason;
  }
}

/** The 2^k indices of a packed solution (checks only its length). */
export function decodeSolution(
  spec: EquihashSpec | EquihashParams,
  solution: Uint8Array,
  out?: Uint32Array,
): Uint32Array {
  const p = toEquihashParams(spec);
  if (solution.length !== p.solutionBytes) {
    throw new EquihashError(
      'invalid-solution-size',
      `Equihash ${p.n},${p.k} solutions are ${p.solutionBytes} bytes, got ${solution.length}`,
      solution.length,
    );
  }
  return unpackBitsBE(solution, p.indexBits, p.indexCount, out);
}

/**
 * Arrays one verification fills, kept per parameter set: verification is synchronous and never
 * re-entered, so one set serves every call, and a header sync allocates nothing per header here.
 * Nothing in them outlives a call or changes a result.
 */
interface Workspace {
  indices: Uint32Array;
  order: Uint32Array;
  gs: Uint32Array;
  fields: Uint32Array;
}
const workspaces = new WeakMap<EquihashParams, Workspace>();

function workspaceFor(p: EquihashParams): Workspace {
  let w = workspaces.get(p);
  if (w === undefined) {
    const n = p.indexCount;
    w = {
      indices: new Uint32Array(n),
      order: new Uint32Array(n),
      gs: new Uint32Array(n),
      fields: new Uint32Array(n * (p.k + 1)),
    };
    workspaces.set(p, w);
  }
  return w;
}

/** Packs 2^k indices into a solution. */
export function encodeSolution(spec: EquihashSpec | EquihashParams, indices: ArrayLike<number>): Uint8Array {
  const p = toEquihashParams(spec);
  if (indices.length !== p.indexCount)
    throw new RangeError(
      `Equihash ${p.n},${p.k} solutions have ${p.indexCount} indices, got ${indices.length}`,
    );
  return packBitsBE(indices, p.indexBits);
}

/** Checks distinctness and the tree order of decoded indices. */
export function checkIndexStructure(indices: Uint32Array): void {
  checkDistinct(indices, sortedLeaves(indices));
  checkTreeOrder(indices);
}

/** Leaf positions ordered by index (ties by position). */
function sortedLeaves(
  indices: Uint32Array,
  order: Uint32Array = new Uint32Array(indices.length),
): Uint32Array {
  const n = indices.length;
  if (n <= SMALL_SORT) {
    // Insertion sort of positions by index: for 144,5's 32 leaves or ZelHash's 16 it beats a sort call.
    for (let i = 0; i < n; i++) {
      const index = indices[i]!;
      let j = i - 1;
      for (; j >= 0 && indices[order[j]!]! > index; j--) order[j + 1] = order[j]!;
      order[j + 1] = i;
    }
    return order;
  }
  if (Number.isInteger(Math.log2(n)) && indices.every((i) => i < 2 ** 32 / n)) {
    // One sort of index·n + position as 32-bit integers (200,9: 21 + 9 bits).
    const keys = new Uint32Array(n);
    for (let leaf = 0; leaf < n; leaf++) keys[leaf] = indices[leaf]! * n + leaf;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! & (n - 1);
    return order;
  }
  // One sort of index·2^20 + position as doubles, exact below 2^53.
  const keys = new Float64Array(n);
  for (let leaf = 0; leaf < n; leaf++) keys[leaf] = indices[leaf]! * 0x100000 + leaf;
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = keys[i]! % 0x100000;
  return order;
}

const SMALL_SORT = 64;

function checkDistinct(indices: Uint32Array, order: Uint32Array): void {
  for (let i = 1; i < order.length; i++) {
    const index = indices[order[i]!]!;
    if (index === indices[order[i - 1]!])
      throw new EquihashError('duplicate-index', `index ${index} appears more than once`, index);
  }
}

function checkTreeOrder(indices: Uint32Array): void {
  for (let size = 1, round = 1; size < indices.length; size *= 2, round++) {
    for (let left = 0; left < indices.length; left += 2 * size) {
      if (indices[left]! > indices[left + size]!) {
        throw new EquihashError(
          'out-of-order',
          `out of order at round ${round}: subtree at position ${left} starts with ${indices[left]}, its right sibling with ${indices[left + size]}`,
          { round, position: left },
        );
      }
    }
  }
}

/**
 * Verifies `solution` for `powInput` (for Flux block headers: the header's first 108 bytes and
 * the 32-byte nonce, 140 bytes; any length is accepted). Throws EquihashError when invalid.
 */
export function verifyEquihash(
  spec: EquihashSpec | EquihashParams,
  powInput: Uint8Array,
  solution: Uint8Array,
  options?: HasherOptions,
): void {
  const p = toEquihashParams(spec);
  const w = workspaceFor(p);
  const indices = decodeSolution(p, solution, w.indices);
  const order = sortedLeaves(indices, w.order);
  checkDistinct(indices, order);
  checkTreeOrder(indices);

  const hasher = new EquihashHasher(p, powInput, options);
  const width = p.k + 1;
  const fields = leafFields(hasher, indices, order, w);

  // Fold the tree bottom-up in place: after round r the node for leaves [a, a + 2^r) lives at
  // leaf a and carries the XOR of their fields.
  for (let size = 1, round = 1; size < indices.length; size *= 2, round++) {
    const field = round - 1;
    for (let left = 0; left < indices.length; left += 2 * size) {
      const a = left * width;
      const b = (left + size) * width;
      if (fields[a + field] !== fields[b + field]) {
        throw new EquihashError(
          'no-collision',
          `no collision at round ${round}: subtrees starting with indices ${indices[left]} and ${indices[left + size]} differ in field ${field}`,
          { round, position: left },
        );
      }
      for (let j = field + 1; j < width; j++) fields[a + j]! ^= fields[b + j]!;
    }
  }
  if (fields[p.k] !== 0) {
    throw new EquihashError(
      'non-zero-final-xor',
      `the XOR of all ${indices.length} hashes is not zero in its last field`,
      fields[p.k],
    );
  }
}

/** verifyEquihash as a boolean; other errors (a malformed spec) still throw. */
export function isValidEquihash(
  spec: EquihashSpec | EquihashParams,
  powInput: Uint8Array,
  solution: Uint8Array,
  options?: HasherOptions,
): boolean {
  try {
    verifyEquihash(spec, powInput, solution, options);
    return true;
  } catch (err) {
    if (err instanceof EquihashError) return false;
    throw err;
  }
}

/**
 * The k+1 collision fields of every index, leaf-major. Each needed digest is computed once;
 * for ZelHash, indices whose hash numbers share a run of 16 share one prefix sum.
 */
function leafFields(
  hasher: EquihashHasher,
  indices: Uint32Array,
  order: Uint32Array,
  w: Workspace,
): Uint32Array {
  const p = hasher.params;
  const width = p.k + 1;
  const n = indices.length;
  const out = w.fields;
  const gs = w.gs;
  for (let i = 0; i < n; i++) gs[i] = Math.floor(indices[order[i]!]! / p.indicesPerHash);
  let pos = 0;
  hasher.hashesAt(gs, (g, digest, bytes) => {
    for (; pos < n && gs[pos] === g; pos++)
      hasher.fieldsFromBytes(digest, bytes, indices[order[pos]!]!, out, order[pos]! * width);
  });
  return out;
}
