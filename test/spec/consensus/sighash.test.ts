/**
 * Signature hashes against published vectors (ZIP 143, ZIP 243, Zcash's sighash.json), a real
 * testnet P2PKH spend verified end to end, and signing round trips.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromHex, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import {
  decodeTransaction,
  OVERWINTER_TX_VERSION,
  OVERWINTER_VERSION_GROUP_ID,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../../../src/consensus/primitives/transaction.ts';
import type { Transaction, TxOut } from '../../../src/consensus/primitives/types.ts';
import { MANDATORY_SCRIPT_VERIFY_FLAGS, ScriptError } from '../../../src/consensus/script/interpreter.ts';
import {
  NOT_AN_INPUT,
  precomputeSighash,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
  sighashHex,
  signatureHash,
  sigVersionOf,
} from '../../../src/consensus/script/sighash.ts';
import {
  SignatureCache,
  signInput,
  verifyInputSignature,
  verifyTransactionInputs,
} from '../../../src/consensus/script/sign.ts';
import { p2pkhScript, p2pkScript, p2shScript } from '../../../src/consensus/script/templates.ts';
import { at } from '../../support/at.ts';

interface ZipVector {
  name?: string;
  tx: string;
  txid?: string;
  scriptCode: string;
  inputIndex: number;
  hashType: number;
  amount: string;
  branchId: number;
  sighash: string;
  intermediate?: Record<string, string>;
}

const readJson = (name: string) =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'));
const zip = readJson('zcash-sighash-zip143-zip243.json') as { zip143: ZipVector[]; zip243: ZipVector[] };
const legacy = readJson('zcash-sighash-legacy.json') as {
  vectors: {
    tx: string;
    scriptCode: string;
    inputIndex: number;
    hashType: number;
    branchId: number;
    sighashReversed: string;
  }[];
};

const SAPLING_BRANCH_ID = 0x76b809bb;
const OVERWINTER_BRANCH_ID = 0x5ba81b19;

function check(v: ZipVector, expectedVersion: string) {
  const tx = decodeTransaction(fromHex(v.tx));
  assert.equal(sigVersionOf(tx), expectedVersion);
  const args = [fromHex(v.scriptCode), BigInt(v.amount), v.hashType, v.branchId] as const;
  assert.equal(toHex(signatureHash(tx, v.inputIndex, ...args)), v.sighash);
  // The shared parts computed once give the same result.
  const cache = precomputeSighash(tx);
  assert.equal(toHex(signatureHash(tx, v.inputIndex, ...args, cache)), v.sighash);
  for (const [part, want] of Object.entries(v.intermediate ?? {})) {
    assert.equal(toHex(cache[part as keyof typeof cache]), want, part);
  }
  // The branch id is committed to: another branch gives another hash.
  assert.notEqual(
    toHex(signatureHash(tx, v.inputIndex, args[0], args[1], args[2], v.branchId ^ 1)),
    v.sighash,
  );
}

describe('ZIP 143 (Overwinter v3) vectors', () => {
  it(`all ${zip.zip143.length} match, including JoinSplits and SINGLE|ANYONECANPAY`, () => {
    assert.equal(zip.zip143.length, 4);
    for (const v of zip.zip143) check(v, 'overwinter');
  });
});

describe('ZIP 243 (Sapling v4) vectors', () => {
  it('test vector 1: NOT_AN_INPUT over Sapling spends and outputs, with intermediate hashes', () => {
    check(at(zip.zip243, 0), 'sapling');
  });

  it('test vector 3: a real testnet P2PKH spend', () => {
    const v = at(zip.zip243, 1);
    check(v, 'sapling');
    assert.equal(reverseHex(txid(decodeTransaction(fromHex(v.tx)))), v.txid);
  });

  it('the real signature in test vector 3 verifies through the interpreter, and only for the right amount and branch', () => {
    const v = at(zip.zip243, 1);
    const tx = decodeTransaction(fromHex(v.tx));
    const spent: TxOut = { value: BigInt(v.amount), scriptPubKey: fromHex(v.scriptCode) };
    verifyInputSignature(tx, 0, spent, SAPLING_BRANCH_ID);
    const fails = (f: () => void) =>
      assert.throws(f, (err: unknown) => err instanceof ScriptError && err.code === 'eval-false');
    fails(() => verifyInputSignature(tx, 0, { ...spent, value: spent.value + 1n }, SAPLING_BRANCH_ID));
    fails(() => verifyInputSignature(tx, 0, spent, OVERWINTER_BRANCH_ID));
    const tampered: Transaction = {
      ...tx,
      outputs: [{ ...at(tx.outputs, 0), value: at(tx.outputs, 0).value - 1n }, at(tx.outputs, 1)],
    };
    fails(() => verifyInputSignature(tampered, 0, spent, SAPLING_BRANCH_ID));
    // Paying to another key hash fails earlier, at OP_EQUALVERIFY.
    const other = { ...spent, scriptPubKey: p2pkhScript(new Uint8Array(20)) };
    assert.throws(
      () => verifyInputSignature(tx, 0, other, SAPLING_BRANCH_ID),
      (err: unknown) =>
        err instanceof ScriptError && err.code === 'equalverify' && /OP_EQUALVERIFY/.test(err.message),
    );
  });
});

describe('Zcash sighash.json, legacy (not overwintered) algorithm', () => {
  it('a random-version transaction with a JoinSplit matches', () => {
    for (const v of legacy.vectors) {
      const tx = decodeTransaction(fromHex(v.tx));
      assert.equal(sigVersionOf(tx), 'sprout');
      assert.ok(tx.joinSplits.length > 0);
      const h = signatureHash(tx, v.inputIndex, fromHex(v.scriptCode), 0n, v.hashType, v.branchId);
      assert.equal(sighashHex(h), v.sighashReversed);
      // Legacy hashes neither commit to the branch id nor to the amount.
      assert.equal(
        sighashHex(signatureHash(tx, v.inputIndex, fromHex(v.scriptCode), 5n, v.hashType, 0)),
        v.sighashReversed,
      );
    }
  });
});

function sampleTx(version: 'sprout' | 'overwinter' | 'sapling', nIn = 2, nOut = 2): Transaction {
  const overwintered = version !== 'sprout';
  return {
    version: version === 'sprout' ? 1 : version === 'overwinter' ? OVERWINTER_TX_VERSION : SAPLING_TX_VERSION,
    overwintered,
    versionGroupId:
      version === 'sprout'
        ? 0
        : version === 'overwinter'
          ? OVERWINTER_VERSION_GROUP_ID
          : SAPLING_VERSION_GROUP_ID,
    inputs: Array.from({ length: nIn }, (_, i) => ({
      prevout: { txid: new Uint8Array(32).fill(i + 1), index: i },
      scriptSig: new Uint8Array(0),
      sequence: 0xffffffff - i,
    })),
    outputs: Array.from({ length: nOut }, (_, i) => ({
      value: BigInt(1000 * (i + 1)),
      scriptPubKey: p2pkhScript(new Uint8Array(20).fill(i)),
    })),
    lockTime: 0,
    expiryHeight: overwintered ? 500 : 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

describe('signing and verifying inputs', () => {
  const key = generatePrivateKey();
  const pub = publicKeyOf(key);
  const spent: TxOut = { value: 150_000n, scriptPubKey: p2pkhScript(hash160(pub)) };

  for (const version of ['sprout', 'overwinter', 'sapling'] as const) {
    it(`${version}: signInput makes a scriptSig the interpreter accepts under standard flags`, () => {
      let tx = sampleTx(version);
      tx = signInput(tx, 0, key, spent, SAPLING_BRANCH_ID);
      tx = signInput(tx, 1, key, spent, SAPLING_BRANCH_ID);
      verifyTransactionInputs(tx, [spent, spent], SAPLING_BRANCH_ID);
      // Changing anything signed breaks it.
      const bumped = { ...tx, lockTime: 1 };
      assert.throws(() => verifyInputSignature(bumped, 0, spent, SAPLING_BRANCH_ID), ScriptError);
    });
  }

  it('SIGHASH_SINGLE|ANYONECANPAY covers only its input and its output', () => {
    const tx = signInput(sampleTx('sapling', 2, 2), 1, key, spent, SAPLING_BRANCH_ID, {
      hashType: SIGHASH_SINGLE | SIGHASH_ANYONECANPAY,
    });
    const changed: Transaction = {
      ...tx,
      inputs: [{ ...at(tx.inputs, 0), sequence: 7 }, at(tx.inputs, 1)],
      outputs: [{ ...at(tx.outputs, 0), value: 1n }, at(tx.outputs, 1)],
    };
    verifyInputSignature(changed, 1, spent, SAPLING_BRANCH_ID);
    const outputChanged: Transaction = {
      ...tx,
      outputs: [at(tx.outputs, 0), { ...at(tx.outputs, 1), value: 1n }],
    };
    assert.throws(() => verifyInputSignature(outputChanged, 1, spent, SAPLING_BRANCH_ID), ScriptError);
  });

  it('SIGHASH_NONE lets outputs change', () => {
    const tx = signInput(sampleTx('sprout'), 0, key, spent, 0, { hashType: SIGHASH_NONE });
    verifyInputSignature({ ...tx, outputs: [] }, 0, spent, 0);
  });

  it('legacy SIGHASH_SINGLE without a matching output cannot be hashed (fluxd refuses it)', () => {
    const tx = sampleTx('sprout', 2, 1);
    assert.throws(
      () => signatureHash(tx, 1, spent.scriptPubKey, 0n, SIGHASH_SINGLE, 0),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'bad-sighash',
    );
    // ZIP 143/243 instead hash zeros for the outputs.
    assert.equal(
      signatureHash(sampleTx('sapling', 2, 1), 1, spent.scriptPubKey, 0n, SIGHASH_SINGLE, 1).length,
      32,
    );
  });

  it('refuses out-of-range inputs and keys that do not own the output', () => {
    const tx = sampleTx('sapling');
    assert.throws(() => signatureHash(tx, 2, spent.scriptPubKey, 0n, SIGHASH_ALL, 0), ConsensusError);
    assert.equal(signatureHash(tx, NOT_AN_INPUT, spent.scriptPubKey, 0n, SIGHASH_ALL, 0).length, 32);
    const stranger = { ...spent, scriptPubKey: p2pkhScript(new Uint8Array(20)) };
    assert.throws(
      () => signInput(tx, 0, key, stranger, 0),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'sign-wrong-key',
    );
    assert.throws(
      () => signInput(tx, 0, key, { ...spent, scriptPubKey: p2shScript(new Uint8Array(20)) }, 0),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'sign-unsupported-script',
    );
  });

  it('signs P2PK outputs too', () => {
    const p2pk: TxOut = { value: 5n, scriptPubKey: p2pkScript(pub) };
    const tx = signInput(sampleTx('sapling', 1, 1), 0, key, p2pk, SAPLING_BRANCH_ID);
    verifyInputSignature(tx, 0, p2pk, SAPLING_BRANCH_ID, MANDATORY_SCRIPT_VERIFY_FLAGS);
  });

  it('a signature cache remembers verified signatures only, keyed by digest, signature and key', () => {
    const cache = new SignatureCache(2);
    const tx = signInput(sampleTx('sapling', 1, 1), 0, key, spent, SAPLING_BRANCH_ID);
    verifyInputSignature(tx, 0, spent, SAPLING_BRANCH_ID, undefined, { signatureCache: cache });
    assert.equal(cache.size, 1);
    verifyInputSignature(tx, 0, spent, SAPLING_BRANCH_ID, undefined, { signatureCache: cache });
    assert.equal(cache.size, 1);
    // Another amount means another digest: no hit, and the failure is not cached.
    assert.throws(
      () =>
        verifyInputSignature(tx, 0, { ...spent, value: 1n }, SAPLING_BRANCH_ID, undefined, {
          signatureCache: cache,
        }),
      ScriptError,
    );
    assert.equal(cache.size, 1);
    cache.add('b');
    cache.add('c');
    assert.equal(cache.size, 2);
    assert.ok(cache.has('c') && cache.has('b'));
  });
});
