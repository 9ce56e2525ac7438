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
export function decodeSolution(spec: EquihashSpec | EquihashParams, solution: Uint8Array): Uint32Array {
  const p = toEquihashParams(spec);
  if (solution.length !== p.solutionBytes) {
    throw new EquihashError(
      'invalid-solution-size',
      `Equihash ${p.n},${p.k} solutions are ${p.solutionBytes} bytes, got ${solution.length}`,
      solution.length,
    );
  }
  return unpackBitsBE(solution, p.indexBits, p.indexCount);
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
  const sorted = indices.slice().sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1])
      throw new EquihashError('duplicate-index', `index ${sorted[i]} appears more than once`, sorted[i]);
  }
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
  const indices = decodeSolution(p, solution);
  checkIndexStructure(indices);

  const hasher = new EquihashHasher(p, powInput, options);
  const width = p.k + 1;
  const fields = leafFields(hasher, indices);

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
function leafFields(hasher: EquihashHasher, indices: Uint32Array): Uint32Array {
  const p = hasher.params;
  const width = p.k + 1;
  const n = indices.length;
  const out = new Uint32Array(n * width);
  // Leaf positions ordered by index: sort index·2^20 + position as doubles (exact below 2^53).
  const keys = new Float64Array(n);
  for (let leaf = 0; leaf < n; leaf++) keys[leaf] = indices[leaf]! * 0x100000 + leaf;
  keys.sort();
  const order = new Uint32Array(n);
  const gs = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    order[i] = keys[i]! % 0x100000;
    gs[i] = Math.floor(indices[order[i]!]! / p.indicesPerHash);
  }
  let pos = 0;
  hasher.hashesAt(gs, (g, digest) => {
    for (; pos < n && gs[pos] === g; pos++)
      hasher.fieldsFromDigest(digest, indices[order[pos]!]!, out, order[pos]! * width);
  });
  return out;
}
