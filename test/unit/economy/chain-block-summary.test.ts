/**
 * summarizeBlock on mainnet rules at the height of the foundation output (836,994), with coinbases
 * built the way the consensus requires: fund outputs, the due payment of each payee, the miner's rest,
 * fees from the spent coins. Edge cases a devnet chain does not produce are built by hand here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../../src/consensus/bytes.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { oneOffsAt, tierPayment } from '../../../src/consensus/money/rewards.ts';
import { blockSubsidy } from '../../../src/consensus/money/subsidy.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import type { Block, Transaction, TxOut } from '../../../src/consensus/primitives/types.ts';
import { nullDataScript, p2pkhScript } from '../../../src/consensus/script/templates.ts';
import { type BlockPayee, summarizeBlock } from '../../../src/economy/chain/block-summary.ts';
import { SupplyStats } from '../../../src/economy/supply/stats.ts';
import { at } from '../../support/at.ts';

const mainnet = paramsFor('mainnet');
const HEIGHT = 836_994;
const TIME = 1_617_000_000;
const APP = p2pkhScript(new Uint8Array(20).fill(0xaa));
const MINER = p2pkhScript(new Uint8Array(20).fill(0x01));
const payee = (tier: BlockPayee['tier'], fill: number): BlockPayee => ({
  tier,
  collateral: `${fill.toString(16).padStart(2, '0').repeat(32)}:0`,
  payoutScript: toHex(p2pkhScript(new Uint8Array(20).fill(fill))),
  nodeStartTime: TIME - 1000,
});
const PAYEES = [payee('cumulus', 0xc1), payee('nimbus', 0xc2), payee('stratus', 0xc3)];

function tx(outputs: TxOut[], inputs = 1): Transaction {
  return {
    version: 4,
    overwintered: true,
    versionGroupId: 0x892f2085,
    inputs: Array.from({ length: inputs }, (_, i) => ({
      prevout: { txid: new Uint8Array(32).fill(i + 1), index: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0xffffffff,
    })),
    outputs,
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function block(coinbase: TxOut[], others: Transaction[] = []): Block {
  return { header: undefined as never, txs: [tx(coinbase), ...others] };
}

function payeeOutputs(extra = 0n): TxOut[] {
  return PAYEES.map((p) => ({
    value: tierPayment(HEIGHT, p.tier, mainnet) + (p.tier === 'nimbus' ? extra : 0n),
    scriptPubKey: Uint8Array.from(Buffer.from(p.payoutScript, 'hex')),
  }));
}

const rules = { params: mainnet, appScript: APP };

test('a mainnet coinbase with the foundation output: every satoshi lands in one bucket', () => {
  const due = oneOffsAt(HEIGHT, mainnet);
  assert.deepEqual(
    due.map((d) => d.kind),
    ['foundation-fund'],
  );
  const fund = {
    value: at(due, 0).amount,
    scriptPubKey: scriptForAddress(at(due, 0).address, mainnet.base58),
  };
  const subsidy = blockSubsidy(HEIGHT, mainnet);
  const paid = PAYEES.reduce((s, p) => s + tierPayment(HEIGHT, p.tier, mainnet), 0n);
  const fees = 12_345n;
  // 28 FLUX spent: 25 to the app address, 3 less the fee burned in an OP_RETURN.
  const app = tx([
    { value: 25n * 100_000_000n, scriptPubKey: APP },
    { value: 0n, scriptPubKey: nullDataScript(new Uint8Array(32)) },
    { value: 3n * 100_000_000n - fees, scriptPubKey: nullDataScript(Uint8Array.of(1)) },
  ]);
  const b = block([{ value: subsidy - paid + fees, scriptPubKey: MINER }, ...payeeOutputs(), fund], [app]);
  const s = summarizeBlock(
    {
      block: b,
      height: HEIGHT,
      time: TIME,
      payees: PAYEES,
      spentValues: [28n * 100_000_000n],
      collateral: [],
    },
    rules,
  );
  assert.equal(s.fees, fees);
  assert.equal(s.minerReward, subsidy - paid + fees);
  assert.deepEqual(s.oneOffs, [
    { address: at(due, 0).address, amount: at(due, 0).amount, kind: 'foundation' },
  ]);
  assert.deepEqual(
    s.operatorPayouts.map((p) => [p.tier, p.amount, p.collateral]),
    PAYEES.map((p) => [p.tier, tierPayment(HEIGHT, p.tier, mainnet), p.collateral]),
  );
  assert.equal(s.burned, 3n * 100_000_000n - fees);
  assert.deepEqual(s.appPayments, []); // no spec-hash marker: a plain payment to the address
  // minted − burned = what the block added to the transparent coins.
  const stats = new SupplyStats();
  stats.connect({ ...s, height: 1 });
  const outputsAdded = subsidy + fees + at(due, 0).amount + 25n * 100_000_000n; // coinbase + app output
  assert.equal(stats.snapshot().circulating, outputsAdded - 28n * 100_000_000n);
});

test('a payee paid more than its due counts its due; the excess is the miner’s', () => {
  const subsidy = blockSubsidy(HEIGHT, mainnet);
  const paid = PAYEES.reduce((s, p) => s + tierPayment(HEIGHT, p.tier, mainnet), 0n);
  const due = at(oneOffsAt(HEIGHT, mainnet), 0);
  const fund = { value: due.amount, scriptPubKey: scriptForAddress(due.address, mainnet.base58) };
  const b = block([{ value: subsidy - paid - 1000n, scriptPubKey: MINER }, ...payeeOutputs(1000n), fund]);
  const s = summarizeBlock(
    { block: b, height: HEIGHT, time: TIME, payees: PAYEES, spentValues: [], collateral: [] },
    rules,
  );
  assert.equal(
    s.operatorPayouts.find((p) => p.tier === 'nimbus')!.amount,
    tierPayment(HEIGHT, 'nimbus', mainnet),
  );
  assert.equal(s.minerReward, subsidy - paid);
});

test('a miner that claims less than the fees: the shortfall is burned, never negative minting', () => {
  const paid = PAYEES.reduce((s, p) => s + tierPayment(HEIGHT, p.tier, mainnet), 0n);
  const due = at(oneOffsAt(HEIGHT, mainnet), 0);
  const fund = { value: due.amount, scriptPubKey: scriptForAddress(due.address, mainnet.base58) };
  const spend = tx([{ value: 1_000n, scriptPubKey: MINER }]);
  // The miner takes nothing at all: no subsidy share, none of the 99,000 satoshis of fees.
  const b = block([...payeeOutputs(), fund], [spend]);
  const s = summarizeBlock(
    { block: b, height: HEIGHT, time: TIME, payees: PAYEES, spentValues: [100_000n], collateral: [] },
    rules,
  );
  assert.equal(s.minerReward, 0n);
  assert.equal(s.fees, 0n);
  assert.equal(s.burned, 99_000n);
  const stats = new SupplyStats();
  stats.connect({ ...s, height: 1 });
  // Coins after = coins before − 100,000 spent + 1,000 paid out + what the coinbase paid.
  assert.equal(stats.snapshot().circulating, paid + due.amount + 1_000n - 100_000n);
});

test('a payee the coinbase does not pay is not counted; payees before payments start earn nothing', () => {
  const b = block([{ value: 1n, scriptPubKey: MINER }, at(payeeOutputs(), 0)]);
  const s = summarizeBlock(
    { block: b, height: HEIGHT, time: TIME, payees: PAYEES, spentValues: [], collateral: [] },
    rules,
  );
  assert.deepEqual(
    s.operatorPayouts.map((p) => p.tier),
    ['cumulus'],
  );
  const early = summarizeBlock(
    {
      block: block([{ value: blockSubsidy(1000, mainnet), scriptPubKey: MINER }]),
      height: 1000,
      time: TIME,
      payees: PAYEES,
      spentValues: [],
      collateral: [{ tier: 'stratus', amount: 0n }],
    },
    rules,
  );
  assert.deepEqual(early.operatorPayouts, []);
  assert.deepEqual(early.collateral, [], 'zero changes are left out');
});
