import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { fromHex, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { DecodeError } from '../../../src/consensus/errors.ts';
import {
  fluxnodeBenchmarkMessage,
  fluxnodeConfirmMessage,
  fluxnodeSigningBytes,
  fluxnodeStartMessage,
} from '../../../src/consensus/primitives/fluxnode-messages.ts';
import { decodeTransaction, encodeTransaction, txid } from '../../../src/consensus/primitives/transaction.ts';
import { FLUXNODE_CONFIRM, FLUXNODE_START } from '../../../src/consensus/primitives/types.ts';

// The expected bytes are assembled here field by field from fluxd's layout (see fluxnode-tx.ts),
// with Node's Buffer and crypto, independently of the code under test.
const u8 = (n: number) => Buffer.from([n & 0xff]).toString('hex');
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b.toString('hex');
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b.toString('hex');
};
const varHex = (hex: string) => u8(hex.length / 2) + hex; // all test fields are < 253 bytes
const varStr = (s: string) => varHex(Buffer.from(s, 'latin1').toString('hex'));
const rep = (byte: string, n: number) => byte.repeat(n);
const sha256dHex = (hex: string) => {
  const once = createHash('sha256').update(Buffer.from(hex, 'hex')).digest();
  return createHash('sha256').update(once).digest('hex');
};
const display = (internalHex: string) => Buffer.from(internalHex, 'hex').reverse().toString('hex');

const collateralTxid = '11223344556677889900aabbccddeeff00112233445566778899aabbccddeeff'; // internal order
const collateralPubKey = `02${rep('ab', 32)}`;
const nodePubKey = `03${rep('cd', 32)}`;
const sig65 = `1f${rep('5a', 64)}`;
const benchSig = `20${rep('6b', 64)}`;

function decodeErrorAt(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DecodeError, `expected DecodeError, got ${err}`);
    assert.equal(err.field, field);
    return true;
  });
}

function roundTrip(hashedHex: string, sigsHex: string) {
  const bytes = fromHex(hashedHex + sigsHex);
  const tx = decodeTransaction(bytes);
  assert.deepEqual(encodeTransaction(tx), bytes, 're-encodes byte for byte');
  assert.equal(toHex(fluxnodeSigningBytes(tx)), hashedHex, 'signing bytes = wire bytes minus signatures');
  assert.equal(toHex(txid(tx)), sha256dHex(hashedHex), 'txid hashes the unsigned form');
  assert.deepEqual(tx.inputs, []);
  assert.deepEqual(tx.outputs, []);
  return tx;
}

test('v5 START: layout, round-trip, and a txid that leaves the signature out', () => {
  const hashed =
    le32(5) +
    u8(2) +
    collateralTxid +
    le32(1) +
    varHex(collateralPubKey) +
    varHex(nodePubKey) +
    le32(1_650_000_000);
  const tx = roundTrip(hashed, varHex(sig65));
  assert.equal(tx.version, 5);
  assert.equal(tx.overwintered, false);
  const f = tx.fluxnode;
  assert.ok(f);
  assert.equal(f.type, FLUXNODE_START);
  assert.equal(toHex(f.collateral.txid), collateralTxid);
  assert.equal(f.collateral.index, 1);
  assert.equal(toHex(f.collateralPubKey ?? new Uint8Array()), collateralPubKey);
  assert.equal(toHex(f.pubKey ?? new Uint8Array()), nodePubKey);
  assert.equal(f.sigTime, 1_650_000_000);
  assert.equal(toHex(f.sig), sig65);

  // Another signature, same txid; another sigTime, another txid.
  const resigned = decodeTransaction(fromHex(hashed + varHex(`1c${rep('00', 64)}`)));
  assert.deepEqual(txid(resigned), txid(tx));
  const retimed = structuredClone(tx);
  retimed.fluxnode!.sigTime += 1;
  assert.notDeepEqual(txid(retimed), txid(tx));

  // The collateral key signs the txid as display hex text.
  assert.equal(new TextDecoder().decode(fluxnodeStartMessage(tx)), display(sha256dHex(hashed)));
});

test('v5 CONFIRM: layout, round-trip, txid without either signature, and the signed messages', () => {
  const hashed =
    le32(5) +
    u8(4) +
    collateralTxid +
    le32(1) +
    le32(1_650_000_100) +
    u8(2) +
    le32(1_650_000_050) +
    u8(1) +
    varStr('203.0.113.7:16127');
  const tx = roundTrip(hashed, varHex(sig65) + varHex(benchSig));
  const f = tx.fluxnode;
  assert.ok(f);
  assert.equal(f.type, FLUXNODE_CONFIRM);
  assert.equal(f.sigTime, 1_650_000_100);
  assert.equal(f.benchmarkTier, 2);
  assert.equal(f.benchmarkSigTime, 1_650_000_050);
  assert.equal(f.updateType, 1);
  assert.equal(f.ip, '203.0.113.7:16127');
  assert.equal(toHex(f.benchmarkSig ?? new Uint8Array()), benchSig);

  const shortId = display(collateralTxid).slice(0, 10);
  assert.equal(
    new TextDecoder().decode(fluxnodeConfirmMessage(tx)),
    `COutPoint(${shortId}, 1)1${1}${1_650_000_100}`,
  );
  assert.equal(
    toHex(fluxnodeBenchmarkMessage(tx)),
    sig65 + Buffer.from(`2${1_650_000_050}203.0.113.7:16127`).toString('hex'),
  );
  assert.throws(() => fluxnodeStartMessage(tx), /encode-error/);
});

test('v6 START, normal layout (nFluxTxVersion 1)', () => {
  const hashed =
    le32(6) +
    u8(2) +
    i32(1) +
    collateralTxid +
    le32(0) +
    varHex(collateralPubKey) +
    varHex(nodePubKey) +
    le32(42);
  const tx = roundTrip(hashed, varHex(sig65));
  assert.equal(tx.version, 6);
  assert.equal(tx.fluxnode?.fluxTxVersion, 1);
  assert.equal(tx.fluxnode?.redeemScript, undefined);
  assert.equal(toHex(tx.fluxnode?.collateralPubKey ?? new Uint8Array()), collateralPubKey);
});

test('v6 START, P2SH layout (nFluxTxVersion 2): node key, redeem script, no collateral key', () => {
  // 2-of-2 multisig: OP_2 <33-byte key> <33-byte key> OP_2 OP_CHECKMULTISIG
  const redeem = `5221${`02${rep('11', 32)}`}21${`03${rep('22', 32)}`}52ae`;
  const hashed =
    le32(6) + u8(2) + i32(2) + collateralTxid + le32(3) + varHex(nodePubKey) + varHex(redeem) + le32(7);
  const tx = roundTrip(hashed, varHex(sig65));
  const f = tx.fluxnode;
  assert.equal(f?.fluxTxVersion, 2);
  assert.equal(f?.collateralPubKey, undefined);
  assert.equal(toHex(f?.redeemScript ?? new Uint8Array()), redeem);
  assert.equal(toHex(f?.pubKey ?? new Uint8Array()), nodePubKey);
  assert.equal(f?.collateral.index, 3);
});

test('v6 START with the delegates feature bit: the flag and delegate keys are hashed, after the signature', () => {
  const keys = [`02${rep('01', 32)}`, `03${rep('02', 32)}`];
  const head =
    le32(6) +
    u8(2) +
    i32(0x0101) +
    collateralTxid +
    le32(0) +
    varHex(collateralPubKey) +
    varHex(nodePubKey) +
    le32(9);
  const tail = u8(1) + u8(1) + u8(1) + u8(keys.length) + keys.map(varHex).join('');
  const bytes = fromHex(head + varHex(sig65) + tail);
  const tx = decodeTransaction(bytes);
  assert.deepEqual(encodeTransaction(tx), bytes);
  assert.equal(tx.fluxnode?.usingDelegates, true);
  assert.deepEqual(tx.fluxnode?.delegates, { version: 1, type: 1, keys: keys.map((k) => fromHex(k)) });
  assert.equal(toHex(fluxnodeSigningBytes(tx)), head + tail);
  assert.equal(toHex(txid(tx)), sha256dHex(head + tail));

  const off = fromHex(`${head}${varHex(sig65)}00`);
  const txOff = decodeTransaction(off);
  assert.equal(txOff.fluxnode?.usingDelegates, false);
  assert.deepEqual(encodeTransaction(txOff), off);
  decodeErrorAt(() => decodeTransaction(fromHex(`${head}${varHex(sig65)}02`)), 'tx.fluxnode.usingDelegates');
});

test('v6 CONFIRM has the v5 CONFIRM layout', () => {
  const hashed =
    le32(6) +
    u8(4) +
    collateralTxid +
    le32(0) +
    le32(5) +
    u8(3) +
    le32(6) +
    u8(0) +
    varStr('[2001:db8::1]:16137');
  const tx = roundTrip(hashed, varHex(sig65) + varHex(benchSig));
  assert.equal(tx.fluxnode?.benchmarkTier, 3);
  assert.equal(tx.fluxnode?.updateType, 0);
  assert.equal(tx.fluxnode?.ip, '[2001:db8::1]:16137');
});

test('malformed fluxnode payloads are refused at decode, naming the field', () => {
  const start =
    le32(5) + u8(2) + collateralTxid + le32(1) + varHex(collateralPubKey) + varHex(nodePubKey) + le32(1);
  decodeErrorAt(() => decodeTransaction(fromHex(`${le32(5)}03`)), 'tx.fluxnode.type');
  decodeErrorAt(() => decodeTransaction(fromHex(`${le32(6)}02${i32(0)}`)), 'tx.fluxnode.fluxTxVersion');
  decodeErrorAt(() => decodeTransaction(fromHex(start)), 'tx.fluxnode.sig');
  decodeErrorAt(() => decodeTransaction(fromHex(start.slice(0, 20))), 'tx.fluxnode.collateral.txid');
  decodeErrorAt(() => decodeTransaction(fromHex(`${start}${varHex(sig65)}00`)), 'tx');
  const longKey = le32(5) + u8(2) + collateralTxid + le32(1) + varHex(`04${rep('ee', 65)}`);
  decodeErrorAt(() => decodeTransaction(fromHex(longKey)), 'tx.fluxnode.collateralPubKey');
});

test('encoding refuses a fluxnode payload with missing fields instead of writing bad bytes', () => {
  const hashed =
    le32(5) + u8(4) + collateralTxid + le32(1) + le32(1) + u8(1) + le32(1) + u8(0) + varStr('1.2.3.4');
  const tx = decodeTransaction(fromHex(hashed + varHex(sig65) + varHex(benchSig)));
  const broken = structuredClone(tx);
  delete broken.fluxnode!.benchmarkSig;
  assert.throws(() => encodeTransaction(broken), /encode-error: fluxnode\.benchmarkSig/);
  const wrongVersion = structuredClone(tx);
  wrongVersion.version = 4;
  assert.throws(() => encodeTransaction(wrongVersion), /encode-error/);
  assert.equal(reverseHex(txid(tx)), display(sha256dHex(hashed)));
});
