import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { decodeTransaction, encodeTransaction, txid } from '../../../src/consensus/primitives/transaction.ts';
import type { FluxnodeTx, Transaction } from '../../../src/consensus/primitives/types.ts';
import { p2pkhScript, p2pkScript, p2shScript } from '../../../src/consensus/script/templates.ts';
import {
  scriptPaysToPubKey,
  verifyBenchmarkSignature,
  verifyFluxnodeSignature,
} from '../../../src/consensus/fluxnode/signatures.ts';
import { buildFluxnodeConfirm, buildFluxnodeStart } from '../../../src/wallet/fluxnode-txs.ts';
import { WalletError } from '../../../src/wallet/keystore.ts';
import { at } from '../../support/at.ts';

const collateralKey = generatePrivateKey();
const operatorKey = generatePrivateKey();
const benchKey = generatePrivateKey();
const collateral = { txid: Uint8Array.from({ length: 32 }, (_, i) => i * 7), index: 3 };

/*
 * The oracle for "what fluxd accepts", built here with Node's crypto and noble directly: fluxd's
 * message signer hashes varstring(magic) ‖ varstring(message) twice with SHA-256 and recovers the
 * key from the 65-byte compact signature (header 27 + recid, +4 for a compressed key).
 */
const MAGIC = 'Zelcash Signed Message:\n';
function varstr(b: Buffer): Buffer {
  assert.ok(b.length < 253);
  return Buffer.concat([Buffer.from([b.length]), b]);
}
function recoverSigner(message: Buffer, sig: Uint8Array): string {
  const once = createHash('sha256')
    .update(Buffer.concat([varstr(Buffer.from(MAGIC, 'latin1')), varstr(message)]))
    .digest();
  const digest = createHash('sha256').update(once).digest();
  assert.equal(sig.length, 65);
  const header = at(sig, 0) - 27;
  const recovered = Uint8Array.from([header & 3, ...sig.subarray(1)]);
  const pub = secp256k1.recoverPublicKey(recovered, digest, { prehash: false });
  return toHex((header & 4) !== 0 ? pub : secp256k1.Point.fromBytes(pub).toBytes(false));
}

function start(version?: 5 | 6): Transaction {
  return buildFluxnodeStart({
    collateral,
    collateralKey,
    operatorPubKey: publicKeyOf(operatorKey),
    sigTime: 1_700_000_123,
    version,
  });
}

function confirm(): Transaction {
  return buildFluxnodeConfirm({
    collateral,
    operatorKey,
    ip: '127.0.0.11:16125',
    sigTime: 1_700_000_456,
    benchmarkTier: 2,
    benchmarkSigTime: 1_700_000_400,
    updateType: 0,
    benchmarkKey: benchKey,
  });
}

function tampered(tx: Transaction, change: Partial<FluxnodeTx>): Transaction {
  return { ...tx, fluxnode: { ...tx.fluxnode!, ...change } };
}

test('START: the collateral key signs the txid in display hex, as fluxd checks it', () => {
  for (const version of [5, 6] as const) {
    const tx = start(version);
    const f = tx.fluxnode!;
    assert.equal(tx.version, version);
    assert.equal(
      recoverSigner(Buffer.from(reverseHex(txid(tx)), 'latin1'), f.sig),
      toHex(publicKeyOf(collateralKey)),
    );
    assert.equal(verifyFluxnodeSignature(tx, publicKeyOf(collateralKey)), true);
    // The registry hands over only the payload; the wire form decodes to the same verdict.
    assert.equal(verifyFluxnodeSignature(f, publicKeyOf(collateralKey)), true);
    const wire = decodeTransaction(encodeTransaction(tx));
    assert.equal(verifyFluxnodeSignature(wire.fluxnode!, publicKeyOf(collateralKey)), true);

    assert.equal(verifyFluxnodeSignature(tx, publicKeyOf(operatorKey)), false, 'wrong key');
    assert.equal(verifyFluxnodeSignature(tx, publicKeyOf(collateralKey, false)), false, 'other key id');
    for (const change of [
      { sigTime: f.sigTime + 1 },
      { collateral: { ...collateral, index: 4 } },
      { pubKey: publicKeyOf(benchKey) },
      { sig: Uint8Array.from(f.sig).fill(1, 10, 11) },
    ]) {
      assert.equal(
        verifyFluxnodeSignature(tampered(tx, change), publicKeyOf(collateralKey)),
        false,
        JSON.stringify(Object.keys(change)),
      );
    }
  }
});

test('CONFIRM: the operator key signs outpoint, index, update type and time; the benchmark key the rest', () => {
  const tx = confirm();
  const f = tx.fluxnode!;
  const text = `COutPoint(${reverseHex(collateral.txid).slice(0, 10)}, 3)3${0}${1_700_000_456}`;
  assert.equal(recoverSigner(Buffer.from(text, 'latin1'), f.sig), toHex(publicKeyOf(operatorKey)));
  const benchText = Buffer.concat([
    Buffer.from(f.sig),
    Buffer.from(`2${1_700_000_400}127.0.0.11:16125`, 'latin1'),
  ]);
  assert.equal(recoverSigner(benchText, f.benchmarkSig!), toHex(publicKeyOf(benchKey)));

  assert.equal(verifyFluxnodeSignature(tx, publicKeyOf(operatorKey)), true);
  assert.equal(
    verifyFluxnodeSignature(decodeTransaction(encodeTransaction(tx)).fluxnode!, publicKeyOf(operatorKey)),
    true,
  );
  assert.equal(verifyBenchmarkSignature(tx, publicKeyOf(benchKey)), true);
  assert.equal(verifyFluxnodeSignature(tx, publicKeyOf(collateralKey)), false, 'wrong key');
  assert.equal(verifyBenchmarkSignature(tx, publicKeyOf(operatorKey)), false, 'wrong benchmark key');
  for (const change of [
    { sigTime: f.sigTime - 1 },
    { updateType: 1 },
    { collateral: { ...collateral, index: 2 } },
  ]) {
    assert.equal(
      verifyFluxnodeSignature(tampered(tx, change), publicKeyOf(operatorKey)),
      false,
      JSON.stringify(change),
    );
  }
  // fluxd's operator message does not cover ip or tier; the benchmark signature does.
  for (const change of [{ ip: '10.1.1.1:16125' }, { benchmarkTier: 3 }, { benchmarkSigTime: 5 }]) {
    const t = tampered(tx, change);
    assert.equal(verifyFluxnodeSignature(t, publicKeyOf(operatorKey)), true);
    assert.equal(verifyBenchmarkSignature(t, publicKeyOf(benchKey)), false, JSON.stringify(change));
  }
  // Without a benchmark key the operator does not attest its own benchmark: it is left for the bench process.
  const self = buildFluxnodeConfirm({
    collateral,
    operatorKey,
    ip: 'x:1',
    sigTime: 1,
    benchmarkTier: 1,
    benchmarkSigTime: 1,
  });
  assert.equal(self.fluxnode?.benchmarkSig?.length, 0);
  assert.equal(verifyBenchmarkSignature(self, publicKeyOf(operatorKey)), false);
});

test('malformed input is an invalid signature or a named builder error, never a crash', () => {
  assert.equal(
    verifyFluxnodeSignature(tampered(confirm(), { sig: new Uint8Array(3) }), publicKeyOf(operatorKey)),
    false,
  );
  assert.equal(
    verifyFluxnodeSignature({ ...start(), fluxnode: undefined }, publicKeyOf(collateralKey)),
    false,
  );
  assert.equal(verifyBenchmarkSignature(tampered(confirm(), { ip: 'ü✓' }), publicKeyOf(benchKey)), false);
  const bad = (field: string) => (e: unknown) => e instanceof WalletError && e.field === field;
  const base = { collateral, operatorKey, ip: 'h:1', sigTime: 1, benchmarkTier: 1, benchmarkSigTime: 1 };
  assert.throws(() => buildFluxnodeConfirm({ ...base, benchmarkTier: 0 }), bad('benchmarkTier'));
  assert.throws(() => buildFluxnodeConfirm({ ...base, updateType: 2 }), bad('updateType'));
  assert.throws(() => buildFluxnodeConfirm({ ...base, sigTime: -1 }), bad('sigTime'));
  assert.throws(() => buildFluxnodeConfirm({ ...base, ip: 'ü✓' }), bad('ip'));
});

test('scriptPaysToPubKey: exactly the P2PKH script of that key', () => {
  const pub = publicKeyOf(collateralKey);
  assert.equal(scriptPaysToPubKey(p2pkhScript(hash160(pub)), pub), true);
  assert.equal(scriptPaysToPubKey(p2pkhScript(hash160(pub)), publicKeyOf(collateralKey, false)), false);
  assert.equal(scriptPaysToPubKey(p2pkhScript(hash160(pub)), publicKeyOf(operatorKey)), false);
  assert.equal(scriptPaysToPubKey(p2shScript(hash160(pub)), pub), false);
  assert.equal(scriptPaysToPubKey(p2pkScript(pub), pub), false, 'fluxd compares with the key-id script only');
  assert.equal(scriptPaysToPubKey(new Uint8Array(0), pub), false);
});
