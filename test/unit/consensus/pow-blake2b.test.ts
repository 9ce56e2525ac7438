import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js';
import { toHex } from '../../../src/consensus/bytes.ts';
import {
  blake2bKernel,
  KERNEL_BLOCK,
  KERNEL_CHAIN,
  KERNEL_OUT,
} from '../../../src/consensus/pow/blake2b-wasm.ts';
import {
  BLAKE2B_BLOCK_BYTES,
  Blake2b,
  blake2b,
  blake2bCompress,
  loadBlockWords,
  storeDigest,
} from '../../../src/consensus/pow/blake2b.ts';
import { at } from '../../support/at.ts';

const hex = (b: Uint8Array) => toHex(b);

describe('BLAKE2b', () => {
  it('matches the RFC 7693 appendix A example ("abc", 64-byte digest)', () => {
    assert.equal(
      hex(blake2b(new TextEncoder().encode('abc'))),
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1' +
        '7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
  });

  it('matches @noble/hashes over random inputs, lengths, output sizes, keys, salts and personalizations', () => {
    for (let i = 0; i < 600; i++) {
      const data = randomBytes(i % 300);
      const params = {
        outputLength: 1 + (i % 64),
        personalization: i % 2 ? randomBytes(16) : undefined,
        salt: i % 3 === 0 ? randomBytes(16) : undefined,
        key: i % 7 === 0 ? randomBytes(1 + (i % 64)) : undefined,
      };
      const expected = nobleBlake2b(data, { dkLen: params.outputLength, ...params });
      assert.equal(hex(blake2b(data, params)), hex(expected), `case ${i}, ${data.length} bytes`);
    }
  });

  it('gives the same digest however the input is split across update calls', () => {
    const personalization = new TextEncoder().encode('ZelProof\x7d\x00\x00\x00\x04\x00\x00\x00');
    for (const length of [0, 1, 127, 128, 129, 140, 144, 255, 256, 257, 1000]) {
      const data = randomBytes(length);
      const expected = hex(nobleBlake2b(data, { dkLen: 50, personalization }));
      for (const step of [1, 7, 64, 128, 200]) {
        const h = new Blake2b({ outputLength: 50, personalization });
        for (let p = 0; p < length; p += step) h.update(data.subarray(p, p + step));
        assert.equal(hex(h.digest()), expected, `${length} bytes in steps of ${step}`);
      }
    }
  });

  it('clone() forks the state: both copies continue independently', () => {
    const h = new Blake2b({ outputLength: 32 }).update(randomBytes(200));
    const copy = h.clone();
    const a = randomBytes(60);
    const b = randomBytes(61);
    const left = h.update(a).digest();
    const right = copy.update(b).digest();
    assert.notEqual(hex(left), hex(right));
    const once = new Blake2b({ outputLength: 32 });
    once.digest();
    assert.throws(() => once.digest(), /twice/);
  });

  it('a midstate plus one compression of the last block equals the full hash (Equihash 140+4 bytes)', () => {
    const personalization = randomBytes(16);
    const prefix = randomBytes(140);
    const h = new Blake2b({ outputLength: 64, personalization }).update(prefix);
    const { chain, counter, tail } = h.midstate();
    assert.equal(counter, 128);
    assert.equal(tail.length, 12);
    const block = new Uint8Array(BLAKE2B_BLOCK_BYTES);
    const words = new Uint32Array(32);
    const out = new Uint32Array(16);
    const digest = new Uint8Array(64);
    for (const index of [0, 1, 0xff, 0x12345678, 0xffffffff]) {
      block.fill(0);
      block.set(tail);
      new DataView(block.buffer).setUint32(12, index, true);
      loadBlockWords(block, 0, words);
      blake2bCompress(chain, words, 0, 144, true, out);
      storeDigest(out, digest, 64);
      const suffix = new Uint8Array(4);
      new DataView(suffix.buffer).setUint32(0, index, true);
      const expected = nobleBlake2b(new Uint8Array([...prefix, ...suffix]), { dkLen: 64, personalization });
      assert.equal(hex(digest), hex(expected), `index ${index}`);
    }
  });

  it('rejects bad parameters', () => {
    assert.throws(() => blake2b(new Uint8Array(0), { outputLength: 0 }), RangeError);
    assert.throws(() => blake2b(new Uint8Array(0), { outputLength: 65 }), RangeError);
    assert.throws(
      () => blake2b(new Uint8Array(0), { personalization: new Uint8Array(8) }),
      /personalization must be 16 bytes/,
    );
    assert.throws(() => blake2b(new Uint8Array(0), { key: new Uint8Array(65) }), RangeError);
  });

  it('the WebAssembly kernel computes the same compression as the TypeScript one', () => {
    const kernel = blake2bKernel();
    assert.ok(kernel, 'WebAssembly is available in Node');
    const h = new Uint32Array(16);
    const m = new Uint32Array(32);
    const expected = new Uint32Array(16);
    for (let i = 0; i < 300; i++) {
      h.set(new Uint32Array(randomBytes(64).buffer));
      m.set(new Uint32Array(randomBytes(128).buffer));
      const counter = at([128, 144, 2 ** 32 - 1, 2 ** 32 + 7, 2 ** 45 + 3], i % 5);
      const last = i % 2 === 0;
      blake2bCompress(h, m, 0, counter, last, expected);
      kernel.words.set(h, KERNEL_CHAIN);
      kernel.words.set(m, KERNEL_BLOCK);
      kernel.compress(counter, last);
      assert.deepEqual(kernel.words.slice(KERNEL_OUT, KERNEL_OUT + 16), expected, `case ${i}`);
      // The short variant, for blocks that are zero past their first 16 bytes.
      m.fill(0, 4);
      blake2bCompress(h, m, 0, counter, last, expected);
      kernel.words.set(m, KERNEL_BLOCK);
      kernel.compressShort(counter, last);
      assert.deepEqual(kernel.words.slice(KERNEL_OUT, KERNEL_OUT + 16), expected, `short case ${i}`);
    }
  });
});
