/**
 * Equihash parameter sets and the numbers derived from them, following fluxd's Equihash<N,K>
 * (src/crypto/equihash.h): each BLAKE2b call yields floor(512/n) sub-hashes of ceil(n/8) bytes,
 * a sub-hash is read as k+1 collision fields of n/(k+1) bits, and a solution lists 2^k indices
 * of n/(k+1)+1 bits each.
 */

export type EquihashSpec = {
  n: number;
  k: number;
  /** The 8 ASCII bytes that open the BLAKE2b personalization, e.g. "ZcashPoW" or "ZelProof". */
  personalization: string;
  /** Flux's ZelHash variant of hash generation (see equihash-hash.ts). */
  zelhash?: boolean;
};

export type EquihashParams = {
  readonly n: number;
  readonly k: number;
  readonly zelhash: boolean;
  /** The full 16-byte BLAKE2b personalization: the 8 ASCII bytes, then n and k as LE32. */
  readonly personalization: Uint8Array;
  /** n/(k+1): the bits that must collide in each round. */
  readonly collisionBits: number;
  /** collisionBits + 1: the width of one index in the solution. */
  readonly indexBits: number;
  /** 2^k. */
  readonly indexCount: number;
  /** 2^(collisionBits+1): how many indices there are to choose from. */
  readonly indexSpace: number;
  readonly indicesPerHash: number;
  readonly subHashBytes: number;
  /** BLAKE2b digest length: indicesPerHash * subHashBytes. */
  readonly hashBytes: number;
  readonly solutionBytes: number;
};

/** Solution length in bytes for Equihash n,k: 2^k indices of n/(k+1)+1 bits. */
export function solutionSize(n: number, k: number): number {
  return (2 ** k * (n / (k + 1) + 1)) / 8;
}

/** Validates a spec and derives its working numbers. Throws RangeError naming the bad field. */
export function equihashParams(spec: EquihashSpec): EquihashParams {
  const { n, k, personalization } = spec;
  const bad = (field: string, value: unknown, why: string) =>
    new RangeError(`Equihash spec ${field}=${JSON.stringify(value)}: ${why}`);
  if (!Number.isInteger(k) || k < 1 || k > 20) throw bad('k', k, 'must be an integer in 1..20');
  if (!Number.isInteger(n) || n < k + 1 || n > 512) throw bad('n', n, `must be an integer in ${k + 1}..512`);
  if (n % (k + 1) !== 0) throw bad('n', n, `must be a multiple of k+1 = ${k + 1}`);
  const collisionBits = n / (k + 1);
  if (collisionBits + 1 > 31) throw bad('n', n, `indices of ${collisionBits + 1} bits do not fit in 31 bits`);
  const indicesPerHash = Math.floor(512 / n);
  const subHashBytes = Math.ceil(n / 8);
  const hashBytes = indicesPerHash * subHashBytes;
  if (hashBytes > 64) throw bad('n', n, `needs a ${hashBytes}-byte BLAKE2b digest (at most 64)`);
  const indexBits = collisionBits + 1;
  const indexCount = 2 ** k;
  if ((indexCount * indexBits) % 8 !== 0) throw bad('k', k, 'the solution does not fill whole bytes');
  if (typeof personalization !== 'string' || !/^[\x20-\x7e]{8}$/.test(personalization)) {
    throw bad('personalization', personalization, 'must be 8 printable ASCII characters');
  }
  const personal = new Uint8Array(16);
  for (let i = 0; i < 8; i++) personal[i] = personalization.charCodeAt(i);
  const view = new DataView(personal.buffer);
  view.setUint32(8, n, true);
  view.setUint32(12, k, true);
  return {
    n,
    k,
    zelhash: spec.zelhash === true,
    personalization: personal,
    collisionBits,
    indexBits,
    indexCount,
    indexSpace: 2 ** indexBits,
    indicesPerHash,
    subHashBytes,
    hashBytes,
    solutionBytes: (indexCount * indexBits) / 8,
  };
}
