import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, fromReverseHex, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import {
  decodeSolution,
  EquihashError,
  type EquihashFailure,
  EquihashHasher,
  type EquihashSpec,
  encodeSolution,
  equihashParams,
  isValidEquihash,
  packBitsBE,
  solutionSize,
  unpackBitsBE,
  verifyEquihash,
} from '../../../src/consensus/pow/equihash.ts';
import { EQUIHASH_48_5, EQUIHASH_200_9, ZELHASH } from '../../../src/consensus/pow/schedule.ts';
import { mainnetGenesisVector } from '../../support/reference.ts';
import { at } from '../../support/at.ts';

const json = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const mainnetGenesis = mainnetGenesisVector();
const testGenesis = json('../vectors/pow-flux-test-genesis.json');

function failure(fn: () => void): EquihashFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof EquihashError) {
      assert.equal(err.rule, 'bad-solution');
      assert.equal(err.field, 'solution');
      assert.ok(err.message.startsWith(`bad-solution: ${err.reason}: `), err.message);
      return err.reason;
    }
    throw err;
  }
  assert.fail('expected the solution to be rejected');
}

/** Header fields as fluxd builds them: LE integers, hashes in internal (reversed) byte order. */
function powInputFromFields(b: {
  version: number;
  time: number;
  bits: string;
  nonce: string;
  merkleRoot: string;
}) {
  const input = new Uint8Array(140);
  const view = new DataView(input.buffer);
  view.setUint32(0, b.version, true);
  input.set(fromReverseHex(b.merkleRoot), 36);
  view.setUint32(100, b.time, true);
  view.setUint32(104, Number.parseInt(b.bits, 16), true);
  input.set(fromReverseHex(b.nonce), 108);
  return input;
}

function compactSize(n: number): Uint8Array {
  return n < 253 ? Uint8Array.of(n) : Uint8Array.of(253, n & 0xff, n >> 8);
}

function blockHash(powInput: Uint8Array, solution: Uint8Array): string {
  const header = new Uint8Array([...powInput, ...compactSize(solution.length), ...solution]);
  return reverseHex(sha256(sha256(header)));
}

describe('Equihash parameters', () => {
  it('solution sizes are those fluxd maps to parameter sets (CheckEquihashSolution)', () => {
    assert.equal(solutionSize(200, 9), 1344);
    assert.equal(solutionSize(144, 5), 100);
    assert.equal(solutionSize(96, 5), 68);
    assert.equal(solutionSize(125, 4), 52);
    assert.equal(solutionSize(48, 5), 36);
  });

  it('derives ZelHash numbers: 25-bit fields, 26-bit indices, four 16-byte sub-hashes in a 64-byte digest', () => {
    const p = equihashParams(ZELHASH);
    assert.deepEqual(
      [
        p.collisionBits,
        p.indexBits,
        p.indicesPerHash,
        p.subHashBytes,
        p.hashBytes,
        p.solutionBytes,
        p.indexSpace,
      ],
      [25, 26, 4, 16, 64, 52, 2 ** 26],
    );
    assert.equal(toHex(p.personalization), `${toHex(new TextEncoder().encode('ZelProof'))}7d00000004000000`);
  });

  it('rejects parameter sets it cannot handle, naming the field', () => {
    assert.throws(() => equihashParams({ n: 200, k: 0, personalization: 'ZcashPoW' }), /k=0/);
    assert.throws(() => equihashParams({ n: 201, k: 9, personalization: 'ZcashPoW' }), /multiple of k\+1/);
    assert.throws(() => equihashParams({ n: 200, k: 9, personalization: 'Zcash' }), /personalization/);
    assert.throws(() => equihashParams({ n: 300, k: 4, personalization: 'ZcashPoW' }), /do not fit/);
  });
});

describe('bit packing (fluxd equihash gtest vectors)', () => {
  // ExpandArray/CompressArray vectors; the expanded form there is zero-padded bytes, here numbers.
  const cases: [number, string, string, number][] = [
    [11, 'ffffffffffffffffffffff', '07ff07ff07ff07ff07ff07ff07ff07ff', 2],
    [21, 'aaaaad55556aaaab55555aaaaad55556aaaab55555', '155555155555155555155555155555155555155555155555', 3],
    [21, '000220000a7ffffe00123022b38226ac19bdf23456', '0000440000291fffff0001230045670089ab00cdef123456', 3],
    [
      14,
      'cccf333cccf333cccf333cccf333cccf333cccf333cccf333cccf333',
      '3333333333333333333333333333333333333333333333333333333333333333',
      2,
    ],
  ];
  for (const [width, compact, expanded, bytesPer] of cases) {
    it(`${width}-bit fields of ${compact.slice(0, 12)}…`, () => {
      const e = fromHex(expanded);
      const values = Array.from({ length: e.length / bytesPer }, (_, i) =>
        e.subarray(i * bytesPer, (i + 1) * bytesPer).reduce((acc, b) => acc * 256 + b, 0),
      );
      assert.deepEqual(Array.from(unpackBitsBE(fromHex(compact), width, values.length)), values);
      assert.equal(toHex(packBitsBE(values, width)), compact);
    });
  }

  it('minimal solution representation (20-bit collisions, 21-bit indices)', () => {
    const p: EquihashSpec = { n: 80, k: 3, personalization: 'ZcashPoW' }; // 8 indices of 21 bits
    const vectors: [number[], string][] = [
      [[1, 1, 1, 1, 1, 1, 1, 1], '000008000040000200001000008000040000200001'],
      [Array(8).fill(2097151), 'ffffffffffffffffffffffffffffffffffffffffff'],
      [[131071, 128, 131071, 128, 131071, 128, 131071, 128], '0ffff8002003fffe000800ffff8002003fffe00080'],
      [[68, 41, 2097151, 1233, 665, 1023, 1, 1048575], '000220000a7ffffe004d10014c800ffc00002fffff'],
    ];
    for (const [indices, minimal] of vectors) {
      assert.equal(toHex(encodeSolution(p, indices)), minimal);
      assert.deepEqual(Array.from(decodeSolution(p, fromHex(minimal))), indices);
    }
  });
});

describe('Equihash 200,9: Flux mainnet and testnet genesis', () => {
  const header = fromHex(mainnetGenesis.headerHex);
  const input = header.subarray(0, 140);
  const solution = header.subarray(143, 143 + 1344);

  it('the mainnet genesis solution verifies', () => {
    assert.equal(toHex(header.subarray(140, 143)), 'fd4005');
    assert.deepEqual(mainnetGenesis.equihash, { n: 200, k: 9, personalization: 'ZcashPoW' });
    verifyEquihash(EQUIHASH_200_9, input, solution);
    verifyEquihash(EQUIHASH_200_9, input, solution, { blake2b: 'typescript' });
    assert.equal(isValidEquihash(EQUIHASH_200_9, input, solution), true);
  });

  it('fails after flipping any single byte of the 140-byte input', () => {
    for (let i = 0; i < 140; i++) {
      const bad = input.slice();
      bad[i]! ^= 1 << (i % 8);
      assert.equal(
        failure(() => verifyEquihash(EQUIHASH_200_9, bad, solution)),
        'no-collision',
        `input byte ${i}`,
      );
    }
  });

  it('fails after flipping any of a spread of solution bytes (every 5th, and the first and last 16), with a reason', () => {
    const reasons = new Set<EquihashFailure>();
    for (let i = 0; i < solution.length; i++) {
      if (i % 5 !== 0 && i >= 16 && i < solution.length - 16) continue;
      const bad = solution.slice();
      bad[i]! ^= 0x80 >> (i % 8);
      reasons.add(failure(() => verifyEquihash(EQUIHASH_200_9, input, bad)));
    }
    assert.ok(reasons.has('no-collision') && reasons.has('out-of-order'), [...reasons].join());
  });

  it('rejects a solution of the wrong size or under other parameters', () => {
    assert.equal(
      failure(() => verifyEquihash(EQUIHASH_200_9, input, solution.subarray(1))),
      'invalid-solution-size',
    );
    assert.equal(
      failure(() => verifyEquihash({ ...EQUIHASH_200_9, personalization: 'ZelProof' }, input, solution)),
      'no-collision',
    );
    assert.equal(isValidEquihash(ZELHASH, input, solution), false);
  });

  it('the testnet genesis (fluxd chainparams) hashes to its asserted block hash and verifies', () => {
    const tn = testGenesis.blocks[0];
    const tnInput = powInputFromFields(tn);
    const tnSolution = fromHex(tn.solutionHex);
    assert.equal(blockHash(tnInput, tnSolution), tn.hash);
    verifyEquihash(tn.equihash, tnInput, tnSolution);
    for (const i of [0, 36, 100, 104, 108, 139]) {
      const bad = tnInput.slice();
      bad[i]! ^= 0x10;
      assert.equal(isValidEquihash(tn.equihash, bad, tnSolution), false, `input byte ${i}`);
    }
  });
});

describe('Equihash 200,9: real Zcash mainnet blocks (same algorithm and personalization)', () => {
  for (const file of ['zcash-mainnet-block-396.hex', 'zcash-mainnet-block-347501.hex']) {
    it(`${file}: the header's solution verifies, and not for a changed nonce`, () => {
      const block = fromHex(readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8'));
      assert.equal(toHex(block.subarray(140, 143)), 'fd4005');
      const input = block.subarray(0, 140);
      const solution = block.subarray(143, 143 + 1344);
      verifyEquihash(EQUIHASH_200_9, input, solution);
      const bad = input.slice();
      bad[120]! ^= 1;
      assert.equal(
        failure(() => verifyEquihash(EQUIHASH_200_9, bad, solution)),
        'no-collision',
      );
    });
  }
});

describe('Equihash 48,5: Flux regtest genesis', () => {
  const rt = testGenesis.blocks[1];
  const input = powInputFromFields(rt);
  const solution = fromHex(rt.solutionHex);

  it('hashes to fluxd regtest genesis hash and verifies under 48,5 "ZcashPoW"', () => {
    assert.equal(blockHash(input, solution), rt.hash);
    assert.deepEqual(rt.equihash, EQUIHASH_48_5);
    verifyEquihash(EQUIHASH_48_5, input, solution);
  });

  it('every single-byte change of input or solution is rejected', () => {
    for (let i = 0; i < input.length; i++) {
      const bad = input.slice();
      bad[i]! ^= 0xff;
      assert.equal(isValidEquihash(EQUIHASH_48_5, bad, solution), false, `input byte ${i}`);
    }
    for (let i = 0; i < solution.length; i++) {
      const bad = solution.slice();
      bad[i]! ^= 0x01;
      assert.equal(isValidEquihash(EQUIHASH_48_5, input, bad), false, `solution byte ${i}`);
    }
  });
});

describe('Equihash 96,5: fluxd/Zcash validator vectors', () => {
  const spec: EquihashSpec = { n: 96, k: 5, personalization: 'ZcashPoW' };
  const input = new Uint8Array([
    ...new TextEncoder().encode('Equihash is an asymmetric PoW based on the Generalised Birthday problem.'),
    ...Uint8Array.of(1, ...new Uint8Array(31)),
  ]);
  const valid = [
    2261, 15185, 36112, 104243, 23779, 118390, 118332, 130041, 32642, 69878, 76925, 80080, 45858, 116805,
    92842, 111026, 15972, 115059, 85191, 90330, 68190, 122819, 81830, 91132, 23460, 49807, 52426, 80391,
    69567, 114474, 104973, 122568,
  ];
  const check = (indices: number[]) => () => verifyEquihash(spec, input, encodeSolution(spec, indices));
  const swapped = (i: number, j: number) => {
    const s = valid.slice();
    s.splice(i, 1, at(valid, j));
    s.splice(j, 1, at(valid, i));
    return s;
  };

  it('accepts the original solution', () => {
    check(valid)();
  });

  it('rejects each published mutation, for the reason it breaks', () => {
    assert.equal(failure(check([2262, ...valid.slice(1)])), 'no-collision');
    assert.equal(failure(check(swapped(0, 12))), 'out-of-order');
    assert.equal(failure(check(swapped(0, 1))), 'out-of-order');
    assert.equal(
      failure(check([...valid.slice(2, 4), ...valid.slice(0, 2), ...valid.slice(4)])),
      'out-of-order',
    );
    assert.equal(
      failure(check([...valid.slice(0, 28), ...valid.slice(30), ...valid.slice(28, 30)])),
      'out-of-order',
    );
    assert.equal(failure(check([...valid.slice(16), ...valid.slice(0, 16)])), 'out-of-order');
    assert.equal(failure(check(valid.slice().sort((a, b) => a - b))), 'no-collision');
    assert.equal(failure(check(valid.slice(0, 16).flatMap((i) => [i, i]))), 'duplicate-index');
    assert.equal(failure(check([...valid.slice(0, 16), ...valid.slice(0, 16)])), 'duplicate-index');
  });

  it('names the round in its message', () => {
    assert.throws(
      check([...valid.slice(2, 4), ...valid.slice(0, 2), ...valid.slice(4)]),
      /out of order at round 2/,
    );
    assert.throws(check([...valid.slice(16), ...valid.slice(0, 16)]), /out of order at round 5/);
    assert.throws(check([2262, ...valid.slice(1)]), /no collision at round 1/);
  });
});

describe('ZelHash (125,4 "ZelProof" with the twist)', () => {
  const vector = json('../vectors/pow-zelhash.json');
  const input = fromHex(vector.powInputHex);

  /**
   * The twist re-derived here from fluxd's GenerateHash on top of @noble/hashes: sum, as 32-bit
   * little-endian words, the plain digests of hash numbers g&~15 .. g, then AND 0xF8 into bytes
   * 15, 31, 47, 63.
   */
  function referenceTwisted(g: number): Uint8Array {
    const personalization = equihashParams(ZELHASH).personalization;
    const sum = new Uint32Array(16);
    for (let g2 = g & ~15; g2 <= g; g2++) {
      const suffix = new Uint8Array(4);
      new DataView(suffix.buffer).setUint32(0, g2, true);
      const d = nobleBlake2b(new Uint8Array([...input, ...suffix]), { dkLen: 64, personalization });
      const view = new DataView(d.buffer, d.byteOffset);
      for (let w = 0; w < 16; w++) sum[w]! += view.getUint32(4 * w, true);
    }
    const bytes = new Uint8Array(64);
    const out = new DataView(bytes.buffer);
    for (let w = 0; w < 16; w++) out.setUint32(4 * w, at(sum, w), true);
    for (let i = 15; i < 64; i += 16) bytes[i]! &= 0xf8;
    return bytes;
  }

  const digestBytes = (words: Uint32Array) => {
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 16; i++) view.setUint32(4 * i, at(words, i), true);
    return bytes;
  };

  it('hash generation matches an independent re-derivation of the twist, across runs of 16', () => {
    const hasher = new EquihashHasher(ZELHASH, input);
    const words = new Uint32Array(16);
    for (const g of [0, 1, 2, 14, 15, 16, 17, 31, 32, 1000, 2 ** 24 - 1]) {
      hasher.hash(g, words);
      assert.equal(toHex(digestBytes(words)), toHex(referenceTwisted(g)), `hash number ${g}`);
    }
    const seen: string[] = [];
    hasher.forEachHash(13, 6, (_g, d) => seen.push(toHex(digestBytes(d))));
    assert.deepEqual(
      seen,
      [13, 14, 15, 16, 17, 18].map((g) => toHex(referenceTwisted(g))),
    );
  });

  it('hashesAt (the verifier path) gives the same digests with the WebAssembly and the TypeScript BLAKE2b', () => {
    const gs = [0, 3, 3, 15, 16, 40, 47, 48, 2 ** 24 - 2];
    const expected = [0, 3, 15, 16, 40, 47, 48, 2 ** 24 - 2].map((g) => `${g}:${toHex(referenceTwisted(g))}`);
    for (const blake2b of ['auto', 'typescript'] as const) {
      const seen: string[] = [];
      new EquihashHasher(ZELHASH, input, { blake2b }).hashesAt(gs, (g, d) =>
        seen.push(`${g}:${toHex(digestBytes(d))}`),
      );
      assert.deepEqual(seen, expected, blake2b);
    }
    // Another hasher using the shared kernel inside the callback must not disturb the running sum.
    const seen: string[] = [];
    const other = new EquihashHasher(ZELHASH, new Uint8Array(140));
    new EquihashHasher(ZELHASH, input).hashesAt(gs, (g, d) => {
      seen.push(`${g}:${toHex(digestBytes(d))}`);
      other.hashesAt([g + 1], () => {});
    });
    assert.deepEqual(seen, expected, 'interleaved');
  });

  it('the first twisted hash is the plain digest with the top 3 bits cleared at bytes 15, 31, 47, 63', () => {
    const hasher = new EquihashHasher(ZELHASH, input);
    const plain = new Uint32Array(16);
    const twisted = new Uint32Array(16);
    hasher.baseHash(0, plain);
    hasher.hash(0, twisted);
    const p = digestBytes(plain);
    for (const i of [15, 31, 47, 63]) p[i]! &= 0xf8;
    assert.equal(toHex(digestBytes(twisted)), toHex(p));
  });

  it('the self-generated solutions verify (with either BLAKE2b), and fail without the twist', () => {
    assert.deepEqual(vector.spec, ZELHASH);
    assert.ok(vector.solutionsHex.length > 0);
    for (const s of vector.solutionsHex) {
      const solution = fromHex(s);
      assert.equal(solution.length, 52);
      verifyEquihash(ZELHASH, input, solution);
      verifyEquihash(ZELHASH, input, solution, { blake2b: 'typescript' });
      assert.equal(isValidEquihash({ ...ZELHASH, zelhash: false }, input, solution), false);
    }
  });

  it('fails after flipping any byte of the input or the solution', () => {
    const solution = fromHex(vector.solutionsHex[0]);
    for (let i = 0; i < input.length; i++) {
      const bad = input.slice();
      bad[i]! ^= 0x04;
      assert.equal(
        failure(() => verifyEquihash(ZELHASH, bad, solution)),
        'no-collision',
        `input byte ${i}`,
      );
    }
    for (let i = 0; i < solution.length; i++) {
      const bad = solution.slice();
      bad[i]! ^= 0x20;
      assert.notEqual(
        failure(() => verifyEquihash(ZELHASH, input, bad)),
        'invalid-solution-size',
      );
    }
  });
});

describe('Equihash 144,5 "ZelProof"', () => {
  const vector = json('../vectors/pow-144_5.json');
  const input = fromHex(vector.powInputHex);

  it('the self-generated solutions verify, and fail under "ZcashPoW"', () => {
    for (const s of vector.solutionsHex) {
      verifyEquihash(vector.spec, input, fromHex(s));
      assert.equal(
        isValidEquihash({ ...vector.spec, personalization: 'ZcashPoW' }, input, fromHex(s)),
        false,
      );
    }
  });

  it('fails after flipping bytes of the nonce or the solution', () => {
    const solution = fromHex(vector.solutionsHex[0]);
    for (let i = 108; i < 140; i++) {
      const bad = input.slice();
      bad[i]! ^= 0x01;
      assert.equal(isValidEquihash(vector.spec, bad, solution), false, `nonce byte ${i - 108}`);
    }
    for (let i = 0; i < solution.length; i++) {
      const bad = solution.slice();
      bad[i]! ^= 0x02;
      assert.equal(isValidEquihash(vector.spec, input, bad), false, `solution byte ${i}`);
    }
  });
});

describe('index hashing for inputs of any length', () => {
  it('equals BLAKE2b(input || LE32(g)) whether the number falls aligned, unaligned or across blocks', () => {
    const spec: EquihashSpec = { n: 96, k: 5, personalization: 'ZcashPoW' };
    const personalization = equihashParams(spec).personalization;
    for (const length of [
      0, 1, 2, 3, 4, 100, 123, 124, 125, 126, 127, 128, 129, 140, 252, 253, 255, 256, 300,
    ]) {
      const input = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      const hasher = new EquihashHasher(spec, input);
      const words = new Uint32Array(16);
      for (const g of [0, 7, 0x01020304]) {
        hasher.baseHash(g, words);
        const suffix = new Uint8Array(4);
        new DataView(suffix.buffer).setUint32(0, g, true);
        const expected = nobleBlake2b(new Uint8Array([...input, ...suffix]), { dkLen: 60, personalization });
        const got = new Uint8Array(60);
        for (let i = 0; i < 60; i++) got[i] = at(words, i >> 2) >>> (8 * (i & 3));
        assert.equal(toHex(got), toHex(expected), `${length}-byte input, hash number ${g}`);
      }
    }
  });
});

describe('failure reasons', () => {
  it('a tree whose every round collides but whose last field does not cancel is a non-zero final XOR', () => {
    // A small Wagner search on 48,5 that stops one condition short: k rounds of collisions, any final field.
    const spec = EQUIHASH_48_5;
    const input = new TextEncoder().encode('fluxnode non-zero final xor');
    const hasher = new EquihashHasher(spec, input);
    type Node = { fields: Uint32Array; leaves: number[] };
    let list: Node[] = Array.from({ length: 512 }, (_, i) => ({ fields: hasher.fields(i), leaves: [i] }));
    for (let round = 0; round < spec.k; round++) {
      const next: Node[] = [];
      const groups = new Map<number, Node[]>();
      for (const node of list)
        groups.set(at(node.fields, round), [...(groups.get(at(node.fields, round)) ?? []), node]);
      for (const group of groups.values()) {
        for (let a = 0; a < group.length; a++) {
          for (let b = a + 1; b < group.length; b++) {
            const [l, r] =
              at(at(group, a).leaves, 0) < at(at(group, b).leaves, 0)
                ? [at(group, a), at(group, b)]
                : [at(group, b), at(group, a)];
            const leaves = [...l.leaves, ...r.leaves];
            if (new Set(leaves).size === leaves.length)
              next.push({ fields: l.fields.map((f, j) => f ^ at(r.fields, j)), leaves });
          }
        }
      }
      list = next;
    }
    const nearMiss = list.find((node) => node.fields[spec.k] !== 0);
    assert.ok(nearMiss, `${list.length} complete trees`);
    assert.equal(
      failure(() => verifyEquihash(spec, input, encodeSolution(spec, nearMiss.leaves))),
      'non-zero-final-xor',
    );
  });
});
