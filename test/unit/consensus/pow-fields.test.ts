/**
 * The fast paths of Equihash verification agree with the general ones: the 32-bit bit unpacker with
 * the double-precision one, byte-plan field reads with word reads, and each way of ordering leaves
 * finds a repeated index.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeSolution,
  EquihashError,
  EquihashHasher,
  type EquihashSpec,
  encodeSolution,
  unpackBitsBE,
  verifyEquihash,
} from '../../../src/consensus/pow/equihash.ts';
import { EQUIHASH_200_9, ZELHASH } from '../../../src/consensus/pow/schedule.ts';
import { mainnetGenesisVector } from '../../support/reference.ts';

/** Reads fields one bit at a time: slow and obviously right. */
function unpackByBits(bytes: Uint8Array, width: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let b = 0; b < width; b++) {
      const bit = i * width + b;
      v = v * 2 + ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    out.push(v);
  }
  return out;
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('unpacking fields of every width from 1 to 32 bits matches a bit-by-bit reading', () => {
  const bytes = pseudoRandomBytes(200, 7);
  for (let width = 1; width <= 32; width++) {
    const count = Math.floor((bytes.length * 8) / width);
    assert.deepEqual(
      [...unpackBitsBE(bytes, width, count)],
      unpackByBits(bytes, width, count),
      `width ${width}`,
    );
  }
});

test('unpacking into a given array fills it and returns it', () => {
  const out = new Uint32Array(8).fill(0xffffffff);
  const bytes = pseudoRandomBytes(25, 3);
  assert.equal(unpackBitsBE(bytes, 25, 8, out), out);
  assert.deepEqual([...out], unpackByBits(bytes, 25, 8));
});

const SPECS: [string, EquihashSpec][] = [
  ['200,9', EQUIHASH_200_9],
  ['144,5', { n: 144, k: 5, personalization: 'ZelProof' }],
  ['125,4', ZELHASH],
  ['96,5', { n: 96, k: 5, personalization: 'ZcashPoW' }],
];

for (const [label, spec] of SPECS) {
  test(`${label}: collision fields read from the digest's bytes equal those read from its words`, () => {
    const hasher = new EquihashHasher(spec, pseudoRandomBytes(140, 11));
    const p = hasher.params;
    const viaWords = new Uint32Array(p.k + 1);
    const viaBytes = new Uint32Array(p.k + 1);
    const gs = [0, 1, 2, 17, 1000, 65_535];
    let seen = 0;
    hasher.hashesAt(gs, (g, digest, bytes) => {
      assert.ok(bytes !== null, 'a byte view on this little-endian machine');
      for (let s = 0; s < p.indicesPerHash; s++) {
        const i = g * p.indicesPerHash + s;
        hasher.fieldsFromDigest(digest, i, viaWords, 0);
        hasher.fieldsFromBytes(digest, bytes, i, viaBytes, 0);
        assert.deepEqual([...viaBytes], [...viaWords], `index ${i}`);
      }
      seen++;
    });
    assert.equal(seen, gs.length);
  });
}

test('a 200,9 solution with one index repeated fails as a duplicate, naming the index', () => {
  const v = mainnetGenesisVector();
  const header = Uint8Array.from(Buffer.from(v.headerHex, 'hex'));
  const input = header.subarray(0, 140);
  const indices = decodeSolution(EQUIHASH_200_9, header.subarray(143, 1487));
  const repeated = indices.slice();
  repeated[300] = repeated[17]!;
  assert.throws(
    () => verifyEquihash(EQUIHASH_200_9, input, encodeSolution(EQUIHASH_200_9, repeated)),
    (err: unknown) =>
      err instanceof EquihashError &&
      err.reason === 'duplicate-index' &&
      err.message.includes(String(indices[17])),
  );
  verifyEquihash(EQUIHASH_200_9, input, encodeSolution(EQUIHASH_200_9, indices));
});
