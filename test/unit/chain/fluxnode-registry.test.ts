import type { Tier } from '../../../src/consensus/index.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FluxnodeRegistry } from '../../../src/chain/fluxnodes/registry.ts';
import type { CollateralUtxo, RegistryContext, RegistryParams } from '../../../src/chain/fluxnodes/types.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import {
  type Block,
  COIN,
  type OutPoint,
  type Transaction,
} from '../../../src/consensus/primitives/types.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';
import { buildFluxnodeConfirm, buildFluxnodeStart } from '../../../src/wallet/fluxnode-txs.ts';
import { at } from '../../support/at.ts';

const TIER_AMOUNTS: [bigint, Tier][] = [
  [1_000n * COIN, 'cumulus'],
  [12_500n * COIN, 'nimbus'],
  [40_000n * COIN, 'stratus'],
];

const params: RegistryParams = {
  rulesAt: () => ({
    startExpiry: 5,
    dosRemoval: 15,
    confirmExpiry: 10,
    minConfirmInterval: 3,
    ipChangeMinInterval: null,
    collateralMinConfirmations: 2,
  }),
  tierOfCollateral: (amount) => TIER_AMOUNTS.find(([a]) => a === amount)?.[1] ?? null,
};

// Real keys and signatures: the registry checks them itself (consensus/fluxnode/signatures.ts).
// Node n's collateral key is the scalar n, its operator key the scalar 100 + n.
const key = (n: number): Uint8Array => Uint8Array.of(...new Uint8Array(31), n);
const outpoint = (n: number): OutPoint => ({ txid: new Uint8Array(32).fill(n), index: 0 });

function context(utxos: Map<string, CollateralUtxo>): RegistryContext {
  return { getUtxo: (o) => utxos.get(`${o.txid[0]}:${o.index}`) };
}

/** Node n's START, signed by `signer` (another key than n's collateral key makes it invalid). */
function start(n: number, signer = key(n)): Transaction {
  const tx = buildFluxnodeStart({
    collateral: outpoint(n),
    collateralKey: signer,
    operatorPubKey: publicKeyOf(key(100 + n)),
    sigTime: 0,
  });
  tx.fluxnode!.collateralPubKey = publicKeyOf(key(n));
  return tx;
}

/**
 * Node n's CONFIRM, signed by `signer`, without an update type: the registry reads it as the
 * initial confirmation for a started node and as an update for a confirmed one (both sign as 0).
 */
function confirm(n: number, signer = key(100 + n)): Transaction {
  const tx = buildFluxnodeConfirm({
    collateral: outpoint(n),
    operatorKey: signer,
    ip: `127.0.0.${n}:16125`,
    sigTime: 0,
    // The highest tier passes every collateral's minimum; these params name no benchmark keys.
    benchmarkTier: 3,
    benchmarkSigTime: 0,
  });
  delete tx.fluxnode!.updateType;
  return tx;
}

function emptyTx(): Transaction {
  return {
    version: 5,
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
  };
}

function spend(n: number): Transaction {
  return {
    ...emptyTx(),
    version: 1,
    inputs: [{ prevout: outpoint(n), scriptSig: new Uint8Array(), sequence: 0xffffffff }],
  };
}

/** Node n's collateral output script: P2PKH of its collateral key. */
const payTo = (n: number): Uint8Array => p2pkhScript(hash160(publicKeyOf(key(n))));

const block = (...txs: Transaction[]): Block => ({ header: {} as Block['header'], txs });

function setup(collaterals: [number, bigint][]) {
  const utxos = new Map<string, CollateralUtxo>();
  for (const [n, value] of collaterals) utxos.set(`${n}:0`, { value, scriptPubKey: payTo(n), height: 1 });
  return { reg: new FluxnodeRegistry(params), ctx: context(utxos) };
}

test('START then CONFIRM makes a node confirmed in its tier; the tier comes from the collateral amount', () => {
  const { reg, ctx } = setup([
    [1, 1_000n * COIN],
    [2, 40_000n * COIN],
  ]);
  reg.connectBlock(block(start(1), start(2)), 10, ctx);
  assert.equal(reg.get(`${'01'.repeat(32)}:0`)?.status, 'started');
  reg.connectBlock(block(confirm(1), confirm(2)), 11, ctx);
  assert.deepEqual(
    reg.confirmed().map((r) => [r.tier, r.status, r.ip]),
    [
      ['cumulus', 'confirmed', '127.0.0.1:16125'],
      ['stratus', 'confirmed', '127.0.0.2:16125'],
    ],
  );
});

test('fluxnode transactions that break a rule are refused by name and change nothing', () => {
  const { reg, ctx } = setup([
    [1, 1_000n * COIN],
    [3, 999n * COIN],
  ]);
  reg.connectBlock(block(start(1)), 10, ctx);
  const before = reg.digestInput();
  const cases: [Transaction[], number, string][] = [
    [[start(1)], 11, 'bad-fluxnode-start-duplicate'],
    [[start(3)], 11, 'bad-fluxnode-collateral-amount'],
    [[start(9)], 11, 'bad-fluxnode-collateral-missing'],
    [[start(1, key(7))], 11, 'bad-fluxnode-start-duplicate'],
    [[confirm(1, key(42))], 11, 'bad-fluxnode-confirm-signature'],
    [[confirm(5)], 11, 'bad-fluxnode-confirm-unknown'],
    [[confirm(1), confirm(1)], 11, 'bad-fluxnode-confirm-too-soon'],
  ];
  for (const [txs, height, rule] of cases) {
    assert.throws(
      () => reg.connectBlock(block(...txs), height, ctx),
      (err: unknown) => err instanceof ConsensusError && err.rule === rule,
      rule,
    );
    assert.equal(reg.digestInput(), before, `${rule} left the registry unchanged`);
  }
  const fresh = setup([[4, 1_000n * COIN]]);
  assert.throws(
    () => fresh.reg.connectBlock(block(start(4, key(8))), 10, fresh.ctx),
    /bad-fluxnode-start-signature/,
  );
  assert.throws(
    () => fresh.reg.connectBlock(block(start(4)), 2, fresh.ctx),
    /bad-fluxnode-collateral-immature/,
  );
});

test('each block pays the front of each tier queue, which then moves to the back', () => {
  const { reg, ctx } = setup([
    [1, 1_000n * COIN],
    [2, 1_000n * COIN],
    [3, 1_000n * COIN],
    [4, 12_500n * COIN],
  ]);
  reg.connectBlock(block(start(1), start(2), start(3), start(4)), 10, ctx);
  reg.connectBlock(block(confirm(2), confirm(4)), 11, ctx);
  const paid: string[] = [];
  for (let h = 12; h < 18; h++) {
    const payees = reg.payees(h);
    assert.deepEqual(
      payees.map((p) => p.tier),
      ['cumulus', 'nimbus'],
      'a tier with no confirmed node (stratus) pays no one',
    );
    paid.push(at(payees, 0).collateral.slice(0, 2));
    reg.connectBlock(h === 12 ? block(confirm(1), confirm(3)) : block(), h, ctx);
  }
  // Node 2, confirmed alone at 11, is paid at 12, the height nodes 1 and 3 confirm: the three tie
  // at 12, and as in fluxd the never-paid nodes go first (1, 3, by collateral), then node 2; from
  // then on each by when it was paid.
  assert.deepEqual(paid, ['02', '01', '03', '02', '01', '03']);
});

test('a node that stops confirming expires and is no longer paid; spending the collateral removes it', () => {
  const { reg, ctx } = setup([
    [1, 1_000n * COIN],
    [2, 1_000n * COIN],
    [3, 1_000n * COIN],
  ]);
  reg.connectBlock(block(start(1), start(2), start(3)), 10, ctx);
  reg.connectBlock(block(confirm(1), confirm(2)), 11, ctx);
  // Node 3 never confirms: it may up to 10 + startExpiry (5), and is barred after that block.
  for (let h = 12; h <= 14; h++) reg.connectBlock(block(), h, ctx);
  assert.ok(reg.get(`${'03'.repeat(32)}:0`), 'still inside its start window before 10 + 5');
  reg.connectBlock(block(), 15, ctx);
  reg.connectBlock(block(), 16, ctx);
  assert.equal(reg.get(`${'03'.repeat(32)}:0`), undefined);
  assert.equal(reg.stored(`${'03'.repeat(32)}:0`)?.status, 'dos');
  // Node 2 keeps confirming, node 1 stops: node 1 expires after confirmExpiry (10) blocks.
  reg.connectBlock(block(confirm(2)), 18, ctx);
  for (let h = 19; h <= 21; h++) reg.connectBlock(block(), h, ctx);
  assert.ok(reg.get(`${'01'.repeat(32)}:0`), 'confirmed at 11, still inside 11 + 10');
  reg.connectBlock(block(), 22, ctx);
  assert.equal(reg.get(`${'01'.repeat(32)}:0`), undefined);
  assert.deepEqual(
    reg.payees(23).map((p) => p.collateral.slice(0, 2)),
    ['02'],
  );
  reg.connectBlock(block(spend(2)), 23, ctx);
  assert.equal(reg.size, 0);
  assert.deepEqual(reg.payees(24), []);
});

test('undoing blocks restores the exact earlier registry (reorg safety)', () => {
  const { reg, ctx } = setup([
    [1, 1_000n * COIN],
    [2, 12_500n * COIN],
    [3, 40_000n * COIN],
  ]);
  const snapshots: string[] = [reg.digestInput()];
  const undos = [];
  const blocks = [
    block(start(1), start(2)),
    block(confirm(1)),
    block(start(3), confirm(2)),
    block(confirm(3)),
    block(),
    block(spend(2)),
    block(),
  ];
  for (let i = 0; i < blocks.length; i++) {
    undos.push(reg.connectBlock(at(blocks, i), 10 + i, ctx));
    snapshots.push(reg.digestInput());
  }
  for (let i = blocks.length - 1; i >= 0; i--) {
    reg.disconnectBlock(at(undos, i));
    assert.equal(reg.digestInput(), snapshots[i], `state after undoing block ${i}`);
  }
});
