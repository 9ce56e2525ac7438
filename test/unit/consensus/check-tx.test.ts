import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { decodeBlock } from '../../../src/consensus/primitives/block.ts';
import { nullOutPoint } from '../../../src/consensus/primitives/outpoint.ts';
import { decodeTransaction } from '../../../src/consensus/primitives/transaction.ts';
import {
  COIN,
  FLUXNODE_CONFIRM,
  FLUXNODE_START,
  type JoinSplitDescription,
  type OutputDescription,
  type SpendDescription,
  type Transaction,
} from '../../../src/consensus/primitives/types.ts';
import { checkTransaction, isCoinbase, type TxLimits } from '../../../src/consensus/validation/check-tx.ts';
import { at } from '../../support/at.ts';

const MAX_MONEY = 21_000_000n * COIN;
const limits = { maxMoney: MAX_MONEY };
const vector = (name: string) =>
  fromHex(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), 'utf8'), name);

const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);
const hash = (n: number) => bytes(32, n);

function spendTx(): Transaction {
  return {
    version: 1,
    overwintered: false,
    versionGroupId: 0,
    inputs: [{ prevout: { txid: hash(1), index: 0 }, scriptSig: Uint8Array.of(0x51), sequence: 0xffffffff }],
    outputs: [{ value: COIN, scriptPubKey: Uint8Array.of(0x51) }],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function saplingTx(): Transaction {
  return { ...spendTx(), version: 4, overwintered: true, versionGroupId: 0x892f2085, expiryHeight: 100 };
}

function coinbaseTx(): Transaction {
  return { ...spendTx(), inputs: [{ prevout: nullOutPoint(), scriptSig: Uint8Array.of(1, 2), sequence: 0 }] };
}

function joinSplit(vpubOld: bigint, vpubNew: bigint, nf = 7): JoinSplitDescription {
  return {
    vpubOld,
    vpubNew,
    anchor: hash(0),
    nullifiers: [hash(nf), hash(nf + 1)],
    commitments: [hash(0), hash(0)],
    ephemeralKey: hash(0),
    randomSeed: hash(0),
    macs: [hash(0), hash(0)],
    proof: bytes(296),
    ciphertexts: [bytes(601), bytes(601)],
  };
}

function jsTx(...js: JoinSplitDescription[]): Transaction {
  return { ...spendTx(), version: 2, joinSplits: js, joinSplitPubKey: hash(9), joinSplitSig: bytes(64) };
}

const spend = (nf: number): SpendDescription => ({
  cv: hash(0),
  anchor: hash(0),
  nullifier: hash(nf),
  rk: hash(0),
  zkproof: bytes(192),
  spendAuthSig: bytes(64),
});
const output = (): OutputDescription => ({
  cv: hash(0),
  cmu: hash(0),
  ephemeralKey: hash(0),
  encCiphertext: bytes(580),
  outCiphertext: bytes(80),
  zkproof: bytes(192),
});

function fluxnodeTx(version: 5 | 6, fluxnode: Transaction['fluxnode']): Transaction {
  return {
    version,
    overwintered: false,
    versionGroupId: 0,
    inputs: [],
    outputs: [],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
    fluxnode,
  };
}

const startTx = () =>
  fluxnodeTx(5, {
    type: FLUXNODE_START,
    collateral: { txid: hash(3), index: 0 },
    collateralPubKey: Uint8Array.of(2, ...hash(4)),
    pubKey: Uint8Array.of(3, ...hash(5)),
    sigTime: 1_650_000_000,
    sig: bytes(65, 1),
  });

const confirmTx = () =>
  fluxnodeTx(5, {
    type: FLUXNODE_CONFIRM,
    collateral: { txid: hash(3), index: 0 },
    sigTime: 1_650_000_000,
    benchmarkTier: 1,
    benchmarkSigTime: 1_600_000_000,
    updateType: 0,
    ip: '198.51.100.1',
    sig: bytes(65, 1),
    benchmarkSig: bytes(65, 2),
  });

function rejects(tx: Transaction, rule: string, lim: TxLimits = limits): void {
  assert.throws(
    () => checkTransaction(tx, lim),
    (err: unknown) => {
      assert.ok(err instanceof ConsensusError, String(err));
      assert.equal(err.rule, rule, err.message);
      return true;
    },
  );
}

function edit(base: Transaction, change: (tx: Transaction) => void): Transaction {
  const tx = structuredClone(base);
  change(tx);
  return tx;
}

test('the real transactions in our vectors pass the stateless rules', () => {
  const txs = [
    ...decodeBlock(vector('zcash-mainnet-block-396.hex')).txs,
    ...decodeBlock(vector('zcash-mainnet-block-347501.hex')).txs,
    decodeTransaction(vector('zcash-testnet-tx-v4-joinsplit.hex')),
    decodeTransaction(vector('komodo-zombie-tx-v4-sapling.hex')),
  ];
  for (const tx of txs) checkTransaction(tx, limits);
  for (const tx of [spendTx(), saplingTx(), coinbaseTx(), startTx(), confirmTx()])
    checkTransaction(tx, limits);
  assert.equal(isCoinbase(coinbaseTx()), true);
  assert.equal(isCoinbase(spendTx()), false);
  assert.equal(isCoinbase(startTx()), false);
});

test('version rules', () => {
  rejects(
    edit(spendTx(), (t) => (t.version = 0)),
    'bad-txns-version-too-low',
  );
  rejects(
    edit(saplingTx(), (t) => (t.version = 2)),
    'bad-tx-overwinter-version-too-low',
  );
  rejects(
    edit(saplingTx(), (t) => (t.versionGroupId = 0x12345678)),
    'bad-tx-version-group-id',
  );
  rejects(
    edit(saplingTx(), (t) => (t.expiryHeight = 500_000_000)),
    'bad-tx-expiry-height-too-high',
  );
  checkTransaction(
    edit(saplingTx(), (t) => (t.expiryHeight = 499_999_999)),
    limits,
  );
});

test('empty inputs or outputs', () => {
  rejects(
    edit(spendTx(), (t) => (t.inputs = [])),
    'bad-txns-vin-empty',
  );
  rejects(
    edit(spendTx(), (t) => (t.outputs = [])),
    'bad-txns-vout-empty',
  );
  // A JoinSplit may stand in for both.
  checkTransaction(
    edit(jsTx(joinSplit(0n, COIN)), (t) => {
      t.inputs = [];
    }),
    limits,
  );
});

test('size limit', () => {
  const big = edit(spendTx(), (t) => (at(t.outputs, 0).scriptPubKey = bytes(2_000_000)));
  rejects(big, 'bad-txns-oversize');
  rejects(spendTx(), 'bad-txns-oversize', { maxMoney: MAX_MONEY, maxTxSize: 50 });
});

test('output amounts', () => {
  rejects(
    edit(spendTx(), (t) => (at(t.outputs, 0).value = -1n)),
    'bad-txns-vout-negative',
  );
  rejects(
    edit(spendTx(), (t) => (at(t.outputs, 0).value = MAX_MONEY + 1n)),
    'bad-txns-vout-toolarge',
  );
  checkTransaction(
    edit(spendTx(), (t) => (at(t.outputs, 0).value = MAX_MONEY)),
    limits,
  );
  const twoHalves = edit(spendTx(), (t) => {
    t.outputs = [
      { value: MAX_MONEY, scriptPubKey: Uint8Array.of(0x51) },
      { value: 1n, scriptPubKey: Uint8Array.of(0x51) },
    ];
  });
  rejects(twoHalves, 'bad-txns-txouttotal-toolarge');
});

test('Sapling value balance', () => {
  rejects(
    edit(saplingTx(), (t) => (t.valueBalance = 5n)),
    'bad-txns-valuebalance-nonzero',
  );
  const withSpend = edit(saplingTx(), (t) => {
    t.shieldedSpends = [spend(1)];
    t.bindingSig = bytes(64);
  });
  checkTransaction(
    edit(withSpend, (t) => (t.valueBalance = COIN)),
    limits,
  );
  rejects(
    edit(withSpend, (t) => (t.valueBalance = MAX_MONEY + 1n)),
    'bad-txns-valuebalance-toolarge',
  );
  rejects(
    edit(withSpend, (t) => (t.valueBalance = -MAX_MONEY - 1n)),
    'bad-txns-valuebalance-toolarge',
  );
  // a negative balance takes from the transparent pool like an output does
  const draining = edit(saplingTx(), (t) => {
    t.shieldedOutputs = [output()];
    t.bindingSig = bytes(64);
    at(t.outputs, 0).value = MAX_MONEY;
    t.valueBalance = -1n;
  });
  rejects(draining, 'bad-txns-txouttotal-toolarge');
  // a positive balance adds to the shielded inputs, which may not exceed MAX_MONEY with vpub_new
  const v4js = (vb: bigint) =>
    edit(withSpend, (t) => {
      t.valueBalance = vb;
      t.joinSplits = [{ ...joinSplit(0n, MAX_MONEY), proof: bytes(192) }];
      t.joinSplitPubKey = hash(9);
      t.joinSplitSig = bytes(64);
    });
  checkTransaction(v4js(0n), limits);
  rejects(v4js(1n), 'bad-txns-txintotal-toolarge');
});

test('JoinSplit amounts', () => {
  rejects(jsTx(joinSplit(-1n, 0n)), 'bad-txns-vpub_old-negative');
  rejects(jsTx(joinSplit(0n, -1n)), 'bad-txns-vpub_new-negative');
  rejects(jsTx(joinSplit(MAX_MONEY + 1n, 0n)), 'bad-txns-vpub_old-toolarge');
  rejects(jsTx(joinSplit(0n, MAX_MONEY + 1n)), 'bad-txns-vpub_new-toolarge');
  rejects(jsTx(joinSplit(1n, 1n)), 'bad-txns-vpubs-both-nonzero');
  rejects(jsTx(joinSplit(MAX_MONEY, 0n)), 'bad-txns-txouttotal-toolarge'); // plus the 1 COIN output
  rejects(jsTx(joinSplit(0n, MAX_MONEY, 1), joinSplit(0n, 1n, 3)), 'bad-txns-txintotal-toolarge');
});

test('duplicates inside one transaction', () => {
  rejects(
    edit(spendTx(), (t) => t.inputs.push(structuredClone(at(t.inputs, 0)))),
    'bad-txns-inputs-duplicate',
  );
  checkTransaction(
    edit(spendTx(), (t) =>
      t.inputs.push({ ...structuredClone(at(t.inputs, 0)), prevout: { txid: hash(1), index: 1 } }),
    ),
    limits,
  );
  rejects(jsTx(joinSplit(0n, 1n, 4), joinSplit(0n, 1n, 5)), 'bad-joinsplits-nullifiers-duplicate');
  const twoSpends = edit(saplingTx(), (t) => {
    t.shieldedSpends = [spend(6), spend(6)];
    t.bindingSig = bytes(64);
  });
  rejects(twoSpends, 'bad-spend-description-nullifiers-duplicate');
});

test('coinbase shape', () => {
  rejects(
    edit(coinbaseTx(), (t) => {
      t.version = 2;
      t.joinSplits = [joinSplit(0n, 1n)];
      t.joinSplitPubKey = hash(9);
      t.joinSplitSig = bytes(64);
    }),
    'bad-cb-has-joinsplits',
  );
  const saplingCoinbase = (): Transaction => ({
    ...coinbaseTx(),
    version: 4,
    overwintered: true,
    versionGroupId: 0x892f2085,
    bindingSig: bytes(64),
  });
  rejects(
    edit(saplingCoinbase(), (t) => {
      t.shieldedSpends = [spend(1)];
    }),
    'bad-cb-has-spend-description',
  );
  rejects(
    edit(saplingCoinbase(), (t) => {
      t.shieldedOutputs = [output()];
    }),
    'bad-cb-has-output-description',
  );
  rejects(
    edit(coinbaseTx(), (t) => (at(t.inputs, 0).scriptSig = Uint8Array.of(1))),
    'bad-cb-length',
  );
  rejects(
    edit(coinbaseTx(), (t) => (at(t.inputs, 0).scriptSig = bytes(101))),
    'bad-cb-length',
  );
  checkTransaction(
    edit(coinbaseTx(), (t) => (at(t.inputs, 0).scriptSig = bytes(100))),
    limits,
  );
  rejects(
    edit(spendTx(), (t) =>
      t.inputs.push({ prevout: nullOutPoint(), scriptSig: new Uint8Array(), sequence: 0 }),
    ),
    'bad-txns-prevout-null',
  );
});

test('fluxnode transaction rules', () => {
  rejects(
    edit(startTx(), (t) => t.inputs.push(at(spendTx().inputs, 0))),
    'bad-txns-fluxnode-tx-not-empty',
  );
  rejects(
    edit(startTx(), (t) => t.outputs.push(at(spendTx().outputs, 0))),
    'bad-txns-fluxnode-tx-not-empty',
  );
  rejects(
    edit(startTx(), (t) => {
      (t.fluxnode as { type: number }).type = 3;
    }),
    'bad-txns-fluxnode-tx-invalid-type',
  );
  rejects(
    edit(startTx(), (t) => (t.fluxnode!.collateral = nullOutPoint())),
    'bad-txns-fluxnode-tx-null-prevout',
  );
  const p2sh = (scriptSize: number) =>
    fluxnodeTx(6, {
      type: FLUXNODE_START,
      fluxTxVersion: 2,
      collateral: { txid: hash(3), index: 0 },
      pubKey: Uint8Array.of(3, ...hash(5)),
      redeemScript: bytes(scriptSize, 0x51),
      sigTime: 1,
      sig: bytes(65),
    });
  checkTransaction(p2sh(10_000), limits);
  rejects(p2sh(10_001), 'bad-txns-fluxnode-tx-redeemscript-to-large');
  const delegating = (type: number, keys: Uint8Array[]) =>
    edit(startTx(), (t) => {
      t.version = 6;
      t.fluxnode!.fluxTxVersion = 0x0101;
      t.fluxnode!.usingDelegates = true;
      t.fluxnode!.delegates = { version: 1, type, keys };
    });
  checkTransaction(delegating(1, [Uint8Array.of(2, ...hash(1))]), limits);
  rejects(delegating(0, []), 'bad-txns-fluxnode-tx-delegate-data-invalid');
  rejects(
    edit(delegating(2, []), (t) => (t.fluxnode!.usingDelegates = false)),
    'bad-txns-fluxnode-tx-delegate-data-invalid',
  );
  rejects(delegating(1, [Uint8Array.of(4, ...hash(1))]), 'bad-txns-fluxnode-tx-delegate-data-invalid');
  rejects(
    delegating(
      1,
      [1, 2, 3, 4, 5].map((n) => Uint8Array.of(2, ...hash(n))),
    ),
    'bad-txns-fluxnode-tx-delegate-data-invalid',
  );

  rejects(
    edit(confirmTx(), (t) => (t.fluxnode!.benchmarkTier = 0)),
    'bad-txns-fluxnode-tx-invalid-benchmark-tier',
  );
  rejects(
    edit(confirmTx(), (t) => (t.fluxnode!.benchmarkTier = 4)),
    'bad-txns-fluxnode-tx-invalid-benchmark-tier',
  );
  rejects(
    edit(confirmTx(), (t) => (t.fluxnode!.ip = 'x'.repeat(41))),
    'bad-txns-fluxnode-tx-ip-address-to-large',
  );
  const late = (ip: string) =>
    edit(confirmTx(), (t) => {
      t.fluxnode!.benchmarkSigTime = 1_647_262_800;
      t.fluxnode!.ip = ip;
    });
  checkTransaction(late('x'.repeat(60)), limits);
  rejects(late('x'.repeat(61)), 'bad-txns-fluxnode-tx-ip-address-to-large');
  rejects(
    edit(confirmTx(), (t) => (t.fluxnode!.updateType = 2)),
    'bad-txns-fluxnode-tx-invalid-update-type',
  );
});

test('errors carry the field and the value at fault', () => {
  try {
    checkTransaction(
      edit(spendTx(), (t) => (at(t.outputs, 0).value = -5n)),
      limits,
    );
    assert.fail('accepted a negative output');
  } catch (err) {
    assert.ok(err instanceof ConsensusError);
    assert.equal(err.field, 'vout[0].value');
    assert.equal(err.value, -5n);
  }
});
