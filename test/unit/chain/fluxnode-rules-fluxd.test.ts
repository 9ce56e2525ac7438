/**
 * The fluxnode registry against fluxd v6.0.0's rules (zelnode.cpp, main.cpp, coins.cpp), on
 * mainnet's parameters after the Halving upgrade (confirm every >120 blocks, expire after 160, an
 * IP change after 5, a START confirmed within 60 blocks or barred until 180 after it). Each
 * tamper test names the reject reason fluxd gives, and checks the registry is left unchanged.
 * Transactions are really signed (wallet builders), so the signature rules hold throughout.
 */
import type { Tier } from '../../../src/consensus/index.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queueOrder } from '../../../src/chain/fluxnodes/queue.ts';
import { FluxnodeRegistry } from '../../../src/chain/fluxnodes/registry.ts';
import type {
  CollateralUtxo,
  FluxnodeRecord,
  RegistryContext,
  RegistryParams,
} from '../../../src/chain/fluxnodes/types.ts';
import {
  attestBenchmark,
  benchmarkAttesterFor,
  DEVNET_BENCHMARK_SECRET,
} from '../../../src/cloud/benchmark/attest.ts';
import { reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { benchmarkSignatureValid } from '../../../src/consensus/fluxnode/benchmark.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { paramsFor, registryRulesAt } from '../../../src/consensus/params/index.ts';
import {
  type Block,
  COIN,
  type OutPoint,
  type Transaction,
} from '../../../src/consensus/primitives/types.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';
import { tierOfCollateral } from '../../../src/consensus/tiers.ts';
import { buildFluxnodeConfirm, buildFluxnodeStart } from '../../../src/wallet/fluxnode-txs.ts';

const mainnet = paramsFor('mainnet');
const params: RegistryParams = {
  rulesAt: (h) => registryRulesAt(h, mainnet),
  tierOfCollateral: (a, h) => tierOfCollateral(a, h, mainnet),
  collateralTransitionEnd: (tier) => mainnet.fluxnodes.collateral[tier].transitionEnd,
};
/** Well after every collateral transition window (the last ends at 1,097,412). */
const H = 1_200_000;

const key = (n: number) => new Uint8Array(32).fill(n);
const operatorKey = (n: number) => key(100 + n);
const outpoint = (n: number): OutPoint => ({ txid: new Uint8Array(32).fill(n), index: 0 });
const keyOf = (n: number) => `${reverseHex(outpoint(n).txid)}:0`;

function start(n: number, sigTime = 1): Transaction {
  return buildFluxnodeStart({
    collateral: outpoint(n),
    collateralKey: key(n),
    operatorPubKey: publicKeyOf(operatorKey(n)),
    sigTime,
  });
}

function confirm(
  n: number,
  o: { updateType?: number; benchmarkTier?: number; ip?: string; sigTime?: number } = {},
): Transaction {
  return buildFluxnodeConfirm({
    collateral: outpoint(n),
    operatorKey: operatorKey(n),
    ip: o.ip ?? `10.0.0.${n}:16125`,
    sigTime: o.sigTime ?? 1,
    benchmarkTier: o.benchmarkTier ?? 3,
    benchmarkSigTime: o.sigTime ?? 1,
    updateType: o.updateType ?? 0,
  });
}

const block = (...txs: Transaction[]): Block => ({ header: {} as Block['header'], txs });

/** A registry whose collaterals `n` hold `amount`, buried since `height`. */
function setup(collaterals: [number, bigint, number][]) {
  const utxos = new Map<string, CollateralUtxo>();
  for (const [n, value, height] of collaterals) {
    utxos.set(keyOf(n), { value, scriptPubKey: p2pkhScript(hash160(publicKeyOf(key(n)))), height });
  }
  const ctx: RegistryContext = { getUtxo: (o) => utxos.get(`${reverseHex(o.txid)}:${o.index}`) };
  const reg = new FluxnodeRegistry(params);
  /** Connects empty blocks from `from` to `to` inclusive. */
  const idle = (from: number, to: number) => {
    for (let h = from; h <= to; h++) reg.connectBlock(block(), h, ctx);
  };
  return { reg, ctx, utxos, idle };
}

/** The block is refused with `rule` and the registry is exactly as before. */
function refused(reg: FluxnodeRegistry, ctx: RegistryContext, b: Block, height: number, rule: string) {
  const before = reg.digestInput();
  assert.throws(
    () => reg.connectBlock(b, height, ctx),
    (err: unknown) => err instanceof ConsensusError && err.rule === rule,
    rule,
  );
  assert.equal(reg.digestInput(), before, `${rule} changed nothing`);
}

const CUMULUS = 1_000n * COIN;
const STRATUS = 40_000n * COIN;

describe('payment queue order: (height, unpaid before paid, txid bytes by memcmp, n)', () => {
  const rec = (
    collateral: string,
    confirmedHeight: number,
    lastPaidHeight: number | null,
  ): FluxnodeRecord => ({
    collateral,
    tier: 'cumulus',
    amount: CUMULUS,
    payoutScript: '',
    operatorPubKey: '',
    ip: '',
    status: 'confirmed',
    startHeight: confirmedHeight - 1,
    confirmedHeight,
    lastConfirmHeight: confirmedHeight,
    lastPaidHeight,
  });
  // Internal bytes 01 00 … ff read as display hex "ff…0001": it sorts first by memcmp, last as text.
  const low = `ff${'00'.repeat(30)}01`;
  const high = `00${'00'.repeat(30)}02`;

  it('compares txids by their internal bytes, not their display hex', () => {
    assert.ok(queueOrder(rec(`${low}:0`, 10, null), rec(`${high}:0`, 10, null)) < 0);
    assert.ok(`${high}:0` < `${low}:0`, 'as strings the order is the other way round');
  });

  it('compares output indexes as numbers (2 before 10)', () => {
    assert.ok(queueOrder(rec(`${low}:2`, 10, null), rec(`${low}:10`, 10, null)) < 0);
  });

  it('puts a node never paid before one paid at the same height, whatever its collateral', () => {
    const paid = rec(`${low}:0`, 5, 10);
    const unpaid = rec(`${high}:9`, 10, null);
    assert.ok(queueOrder(unpaid, paid) < 0);
    assert.ok(queueOrder(paid, unpaid) > 0);
  });

  it('pays the lowest height first, and the registry pays the front of each tier', () => {
    const nodes = [rec(`${high}:0`, 8, null), rec(`${low}:0`, 12, null), rec(`${low}:1`, 9, 11)];
    const reg = new FluxnodeRegistry(params, nodes);
    assert.deepEqual(
      reg.payees(H).map((p) => p.collateral),
      [`${high}:0`],
    );
    const sorted = [...nodes].sort(queueOrder).map((r) => r.collateral);
    assert.deepEqual(sorted, [`${high}:0`, `${low}:1`, `${low}:0`]);
  });
});

describe('START and CONFIRM windows', () => {
  it('a START and its first CONFIRM may not share a block (zelnode-tx-invalid-confirm-outpoint-not-started)', () => {
    const { reg, ctx } = setup([[1, CUMULUS, H - 200]]);
    refused(reg, ctx, block(start(1), confirm(1)), H, 'zelnode-tx-invalid-confirm-outpoint-not-started');
    reg.connectBlock(block(start(1)), H, ctx);
    reg.connectBlock(block(confirm(1)), H + 1, ctx);
    assert.equal(reg.get(keyOf(1))?.status, 'confirmed');
  });

  it('the first CONFIRM may come up to 60 blocks after the START, not 61', () => {
    const { reg, ctx, idle } = setup([
      [1, CUMULUS, H - 200],
      [2, CUMULUS, H - 200],
    ]);
    reg.connectBlock(block(start(1), start(2)), H, ctx);
    idle(H + 1, H + 59);
    reg.connectBlock(block(confirm(1)), H + 60, ctx);
    assert.equal(reg.get(keyOf(1))?.status, 'confirmed');
    assert.equal(reg.get(keyOf(2)), undefined, 'node 2 missed its window at 60');
    assert.equal(reg.stored(keyOf(2))?.status, 'dos');
    refused(reg, ctx, block(confirm(2)), H + 61, 'zelnode-tx-invalid-confirm-outpoint-not-started');
  });

  it('an unconfirmed START bars its collateral until 180 blocks after it (zelnode-tx-already-in-chain-or-waiting-for-dos-unban)', () => {
    const { reg, ctx, idle } = setup([[2, CUMULUS, H - 200]]);
    reg.connectBlock(block(start(2)), H, ctx);
    idle(H + 1, H + 179);
    refused(reg, ctx, block(start(2, 2)), H + 180, 'zelnode-tx-already-in-chain-or-waiting-for-dos-unban');
    reg.connectBlock(block(), H + 180, ctx);
    assert.equal(reg.stored(keyOf(2)), undefined, 'the bar is lifted after block 180');
    reg.connectBlock(block(start(2, 2)), H + 181, ctx);
    assert.equal(reg.get(keyOf(2))?.status, 'started');
  });

  it('update CONFIRMs: more than 120 blocks apart, or 5 when the IP changes (bad-fluxnode-confirm-too-soon)', () => {
    const { reg, ctx } = setup([[1, CUMULUS, H - 200]]);
    reg.connectBlock(block(start(1)), H, ctx);
    reg.connectBlock(block(confirm(1)), H + 1, ctx);
    const update = (o: { ip?: string } = {}) => block(confirm(1, { updateType: 1, sigTime: 2, ...o }));
    refused(reg, ctx, update({ ip: '10.9.9.9:16125' }), H + 5, 'bad-fluxnode-confirm-too-soon');
    refused(reg, ctx, update(), H + 6, 'bad-fluxnode-confirm-too-soon');
    refused(reg, ctx, update(), H + 121, 'bad-fluxnode-confirm-too-soon');
    const moved = setup([[1, CUMULUS, H - 200]]);
    moved.reg.connectBlock(block(start(1)), H, moved.ctx);
    moved.reg.connectBlock(block(confirm(1)), H + 1, moved.ctx);
    moved.reg.connectBlock(update({ ip: '10.9.9.9:16125' }), H + 6, moved.ctx);
    assert.equal(moved.reg.get(keyOf(1))?.ip, '10.9.9.9:16125');
    assert.equal(moved.reg.get(keyOf(1))?.lastConfirmHeight, H + 6);
    reg.connectBlock(update(), H + 122, ctx);
    assert.equal(reg.get(keyOf(1))?.lastConfirmHeight, H + 122);
  });

  it('the update type must fit the node (zelnode-tx-invalid-update-confirm-outpoint-not-confirmed, zelnode-tx-malicious-update-type)', () => {
    const { reg, ctx } = setup([[1, CUMULUS, H - 200]]);
    reg.connectBlock(block(start(1)), H, ctx);
    refused(
      reg,
      ctx,
      block(confirm(1, { updateType: 1 })),
      H + 1,
      'zelnode-tx-invalid-update-confirm-outpoint-not-confirmed',
    );
    // The wallet builds no such CONFIRM: change the field after signing (the type is checked first).
    const malicious = confirm(1);
    malicious.fluxnode!.updateType = 2;
    refused(reg, ctx, block(malicious), H + 1, 'zelnode-tx-malicious-update-type');
    reg.connectBlock(block(confirm(1)), H + 1, ctx);
    refused(
      reg,
      ctx,
      block(confirm(1, { sigTime: 5 })),
      H + 200,
      'zelnode-tx-invalid-confirm-outpoint-not-started',
    );
  });
});

describe('collateral and benchmark at CONFIRM', () => {
  it('the collateral is checked again at CONFIRM (bad-txns-zelnode-tx-inputs-missingorspent)', () => {
    const { reg, ctx, utxos } = setup([[1, CUMULUS, H - 200]]);
    reg.connectBlock(block(start(1)), H, ctx);
    const coin = utxos.get(keyOf(1))!;
    // The same output recorded younger than 100 blocks at the CONFIRM height.
    utxos.set(keyOf(1), { ...coin, height: H - 50 });
    refused(reg, ctx, block(confirm(1)), H + 1, 'bad-txns-zelnode-tx-inputs-missingorspent');
    utxos.delete(keyOf(1));
    refused(reg, ctx, block(confirm(1)), H + 1, 'bad-txns-zelnode-tx-inputs-missingorspent');
  });

  it('an old-amount collateral STARTed in its window cannot CONFIRM after the window (bad-txns-zelnode-tx-inputs-missingorspent)', () => {
    const end = mainnet.fluxnodes.collateral.cumulus.transitionEnd;
    const { reg, ctx } = setup([[1, 10_000n * COIN, end - 500]]);
    reg.connectBlock(block(start(1)), end - 1, ctx);
    refused(reg, ctx, block(confirm(1)), end, 'bad-txns-zelnode-tx-inputs-missingorspent');
  });

  it('nodes still on the old collateral expire when their tier’s window ends; new-amount nodes stay', () => {
    const end = mainnet.fluxnodes.collateral.cumulus.transitionEnd;
    const { reg, ctx } = setup([
      [1, 10_000n * COIN, end - 500],
      [2, CUMULUS, end - 500],
    ]);
    reg.connectBlock(block(start(1), start(2)), end - 3, ctx);
    reg.connectBlock(block(confirm(1), confirm(2)), end - 2, ctx);
    reg.connectBlock(block(), end - 1, ctx);
    assert.deepEqual(
      reg.confirmed().map((r) => r.collateral),
      [keyOf(1), keyOf(2)],
    );
    reg.connectBlock(block(), end, ctx);
    assert.deepEqual(
      reg.confirmed().map((r) => r.collateral),
      [keyOf(2)],
    );
  });

  it('the benchmark tier must be at least the collateral’s tier (zelnode-tx-benchmark-tier-to-low-for-collateral)', () => {
    const { reg, ctx } = setup([[1, STRATUS, H - 200]]);
    reg.connectBlock(block(start(1)), H, ctx);
    refused(
      reg,
      ctx,
      block(confirm(1, { benchmarkTier: 2 })),
      H + 1,
      'zelnode-tx-benchmark-tier-to-low-for-collateral',
    );
    reg.connectBlock(block(confirm(1, { benchmarkTier: 3 })), H + 1, ctx);
    assert.equal(reg.get(keyOf(1))?.tier, 'stratus' satisfies Tier);
  });
});

describe('the benchmark attestation (fluxd CheckBenchmarkSignature)', () => {
  const benchA = new Uint8Array(32).fill(0xa1);
  const benchB = new Uint8Array(32).fill(0xb2);
  const withKeys: RegistryParams = {
    ...params,
    benchmarkKeys: [
      { pubKey: toHex(publicKeyOf(benchA)), fromTime: 0 },
      { pubKey: toHex(publicKeyOf(benchB)), fromTime: 1_000 },
    ],
  };
  function attested(n: number, benchmarkSigTime: number, by: Uint8Array | null): Transaction {
    return buildFluxnodeConfirm({
      collateral: outpoint(n),
      operatorKey: operatorKey(n),
      ip: `10.0.0.${n}:16125`,
      sigTime: benchmarkSigTime,
      benchmarkTier: 3,
      benchmarkSigTime,
      ...(by ? { benchmarkKey: by } : {}),
    });
  }
  function started() {
    const s = setup([[1, CUMULUS, H - 200]]);
    const reg = new FluxnodeRegistry(withKeys);
    reg.connectBlock(block(start(1)), H, s.ctx);
    return { reg, ctx: s.ctx };
  }

  it('a CONFIRM whose benchmark the operator signed, or nobody signed, is refused (bad-txns-zelnode-tx-invalid-signature)', () => {
    const { reg, ctx } = started();
    refused(reg, ctx, block(attested(1, 500, null)), H + 1, 'bad-txns-zelnode-tx-invalid-signature');
    refused(
      reg,
      ctx,
      block(attested(1, 500, operatorKey(1))),
      H + 1,
      'bad-txns-zelnode-tx-invalid-signature',
    );
    reg.connectBlock(block(attested(1, 500, benchA)), H + 1, ctx);
    assert.equal(reg.get(keyOf(1))?.status, 'confirmed');
  });

  it('the key in force at benchmarkSigTime must sign: A before 1,000, B from 1,000', () => {
    const { reg, ctx } = started();
    refused(reg, ctx, block(attested(1, 1_000, benchA)), H + 1, 'bad-txns-zelnode-tx-invalid-signature');
    refused(reg, ctx, block(attested(1, 999, benchB)), H + 1, 'bad-txns-zelnode-tx-invalid-signature');
    reg.connectBlock(block(attested(1, 1_000, benchB)), H + 1, ctx);
    assert.equal(reg.get(keyOf(1))?.status, 'confirmed');
  });

  it('devnet and regtest name the bench key whose secret the bench component holds; mainnet has fluxd’s three', () => {
    const ours = toHex(publicKeyOf(DEVNET_BENCHMARK_SECRET, true));
    for (const net of ['devnet', 'regtest'] as const) {
      assert.deepEqual(paramsFor(net).fluxnodes.benchmarkKeys, [{ pubKey: ours, fromTime: 0 }]);
      assert.ok(benchmarkAttesterFor(paramsFor(net)));
    }
    assert.equal(mainnet.fluxnodes.benchmarkKeys.length, 3);
    assert.equal(benchmarkAttesterFor(mainnet), null, 'only Flux’s daemon can attest on mainnet');
    const tx = attested(1, 5, null);
    attestBenchmark(tx, DEVNET_BENCHMARK_SECRET);
    assert.ok(benchmarkSignatureValid(tx.fluxnode!, paramsFor('devnet').fluxnodes.benchmarkKeys));
  });
});
