import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { installEcdsaBackend } from '../../../src/chain/ecdsa-native.ts';
import { ecdsaBackend, useEcdsaBackend, WASM_ECDSA } from '../../../src/consensus/keys/ecdsa-backend.ts';
import {
  convertPublicKey,
  publicKeyOf,
  recoverCompact,
  signCompact,
  signDigest,
  verifyDigest,
} from '../../../src/consensus/keys/keys.ts';

const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const digest = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const otherDigest = Uint8Array.from(digest, (b) => b ^ 1);

/** What consensus answers for a fixed set of good and bad signatures, under the installed backend. */
function verdicts(): unknown[] {
  const der = signDigest(digest, key);
  const compact = signCompact(digest, key, true);
  const uncompressed = signCompact(digest, key, false);
  const rs = secp256k1.Signature.fromBytes(der, 'der');
  const highS = new secp256k1.Signature(rs.r, secp256k1.Point.Fn.ORDER - rs.s).toBytes('der');
  const offCurve = Uint8Array.from(publicKeyOf(key));
  offCurve[5]! ^= 0xff;
  const badRecover = Uint8Array.from(compact);
  badRecover.fill(0, 1, 33);
  return [
    verifyDigest(der, digest, publicKeyOf(key)),
    verifyDigest(der, digest, convertPublicKey(publicKeyOf(key), false)),
    verifyDigest(der, otherDigest, publicKeyOf(key)),
    verifyDigest(highS, digest, publicKeyOf(key)),
    verifyDigest(der, digest, offCurve),
    recoverCompact(digest, compact),
    recoverCompact(digest, uncompressed),
    recoverCompact(digest, badRecover),
  ];
}

const expected = [true, true, false, true, false, publicKeyOf(key, true), publicKeyOf(key, false), undefined];

describe('the signature backend', () => {
  afterEach(() => useEcdsaBackend(WASM_ECDSA));

  it('FLUXNODE_SECP256K1=wasm forces the WebAssembly fallback, and it gives the consensus answers', () => {
    const saved = process.env.FLUXNODE_SECP256K1;
    process.env.FLUXNODE_SECP256K1 = 'wasm';
    try {
      assert.equal(installEcdsaBackend().name, 'wasm');
    } finally {
      if (saved === undefined) delete process.env.FLUXNODE_SECP256K1;
      else process.env.FLUXNODE_SECP256K1 = saved;
    }
    assert.equal(ecdsaBackend(), WASM_ECDSA);
    assert.deepEqual(verdicts(), expected);
  });

  it('the native addon, where it loads, gives the same answers as WebAssembly', (t) => {
    const backend = installEcdsaBackend('');
    if (backend.name !== 'native') {
      t.skip('the secp256k1 addon is not built on this platform');
      return;
    }
    assert.deepEqual(verdicts(), expected);
  });

  it('an unknown FLUXNODE_SECP256K1 value is refused rather than silently ignored', () => {
    assert.throws(() => installEcdsaBackend('fast'), /must be 'wasm' or 'native'/);
  });
});
