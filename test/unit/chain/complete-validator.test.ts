/**
 * A Chain opened with nothing but the network's params is a complete validator: a "judge" chain
 * with no wiring at all receives the blocks of a fully featured node and refuses, by fluxd's rule
 * names, every block that breaks the coinbase payee rule or carries a badly signed START/CONFIRM.
 * Blocks are mined with real Equihash (48,5), so the judge checks proof of work too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Chain } from '../../../src/chain/chain.ts';
import { DEVNET_BENCHMARK_SECRET } from '../../../src/cloud/benchmark/attest.ts';
import { equalBytes, fromHex } from '../../../src/consensus/bytes.ts';
import { generatePrivateKey, publicKeyOf, signMessage } from '../../../src/consensus/keys/keys.ts';
import { fluxnodePayeeOutputs } from '../../../src/consensus/money/payees.ts';
import { fluxnodeStartMessage } from '../../../src/consensus/primitives/fluxnode-messages.ts';
import { parseOutpointKey } from '../../../src/consensus/primitives/outpoint.ts';
import type { Block, Transaction } from '../../../src/consensus/primitives/types.ts';
import { buildFluxnodeConfirm, startFromWallet } from '../../../src/wallet/fluxnode-txs.ts';
import {
  devnet,
  EconomyTestNode,
  type MineOptions,
  registerOperators,
  tempDir,
} from '../economy/chain-support.ts';
import { at } from '../../support/at.ts';

const blockTime = (h: number) => 1_700_000_000 + 3 * h;

describe('a Chain opened with only params', () => {
  const dirs = [tempDir('fluxnode-judge-a-'), tempDir('fluxnode-judge-b-')];
  let node: EconomyTestNode;
  let judge: Chain;
  let miner: string;

  /** Mines on the node and offers the block to the judge; returns the judge's verdict. */
  async function mineAndJudge(opts: MineOptions = {}) {
    const { block } = await node.tryMineBlock(miner, opts);
    return { block, judged: await judge.acceptBlock(block) };
  }

  /** Brings the judge to the node's tip. */
  async function relay(): Promise<void> {
    for (let h = judge.height() + 1; h <= node.chain.height(); h++) {
      const r = await judge.acceptBlock(node.chain.getBlock(h)!);
      assert.equal(r.status, 'connected', `${r.rule} ${r.reason}`);
    }
  }

  before(async () => {
    node = await EconomyTestNode.open(at(dirs, 0).dir, { blockTime });
    judge = await Chain.open(at(dirs, 1).dir, devnet);
    miner = node.wallet.newAddress('miner');
    await registerOperators(node, miner, ['cumulus', 'nimbus', 'stratus']);
    await relay();
  });
  after(() => {
    node.close();
    judge.close();
    for (const d of dirs) d.cleanup();
  });

  it('follows a chain with three confirmed fluxnodes, paid from its own registry', async () => {
    assert.equal(judge.tip().id, node.chain.tip().id);
    assert.equal(judge.fluxnodes.confirmed().length, 3);
    assert.ok(judge.height() + 1 >= devnet.fluxnodes.paymentsStartHeight);
    assert.equal(judge.fluxnodes.payees(judge.height() + 1).length, 3);
  });

  it('refuses a coinbase that lacks a tier payee (bad-cb-payee)', async () => {
    const due = fluxnodePayeeOutputs(judge.height() + 1, devnet, judge.fluxnodes.payees(judge.height() + 1));
    const cumulus = due[0]!;
    const { judged } = await mineAndJudge({
      coinbase: (outs) => outs.filter((o) => !equalBytes(o.scriptPubKey, cumulus.scriptPubKey)),
    });
    assert.equal(judged.status, 'invalid');
    assert.equal(judged.rule, 'bad-cb-payee');
  });

  it('refuses a coinbase that underpays a tier payee by one satoshi (bad-cb-payee)', async () => {
    const payees = judge.fluxnodes.payees(judge.height() + 1);
    const nimbus = fromHex(payees.find((p) => p.tier === 'nimbus')!.payoutScript);
    const { judged } = await mineAndJudge({
      coinbase: (outs) =>
        outs.map((o) => (equalBytes(o.scriptPubKey, nimbus) ? { ...o, value: o.value - 1n } : o)),
    });
    assert.equal(judged.status, 'invalid');
    assert.equal(judged.rule, 'bad-cb-payee');
    // The honest block at the same height connects on both.
    const honest = await mineAndJudge();
    assert.equal(honest.judged.status, 'connected', honest.judged.reason);
  });

  // A txid leaves a fluxnode signature out, so a block with a forged signature has the same hash as
  // the honest one. Most forged blocks below burn a satoshi to be blocks of their own; one test sends
  // a forged copy of an honest block first, which must not condemn the honest block.
  describe('fluxnode transactions', () => {
    const operatorKey = generatePrivateKey();
    let collateral = '';
    let start: Transaction;

    before(async () => {
      const address = node.wallet.newAddress('fourth node');
      const pay = node.wallet.createPayment({ to: [{ address, amount: 1_000n * 100_000_000n }] });
      node.submit(pay.tx);
      await node.mineBlock(miner);
      collateral = `${pay.txid}:0`;
      await node.mine(devnet.fluxnodes.collateralMinConfirmations, miner);
      await relay();
      start = startFromWallet(node.wallet, {
        collateral: parseOutpointKey(collateral),
        operatorPubKey: publicKeyOf(operatorKey),
        sigTime: blockTime(node.chain.height() + 1),
      });
    });

    it('refuses a START signed by another key than the collateral’s (bad-fluxnode-start-signature)', async () => {
      const forged: Transaction = {
        ...start,
        fluxnode: { ...start.fluxnode!, sig: signMessage(fluxnodeStartMessage(start), generatePrivateKey()) },
      };
      const { judged } = await mineAndJudge({ extraTxs: [forged], burn: 1n });
      assert.equal(judged.status, 'invalid');
      assert.equal(judged.rule, 'bad-fluxnode-start-signature');
      assert.equal(judge.fluxnodes.get(collateral), undefined);
    });

    it('refuses a copy of a block whose START signature was altered, and still takes the block', async () => {
      // The forged copy has the honest block's hash: its refusal must not condemn that hash.
      const { block, result } = await node.tryMineBlock(miner, { extraTxs: [start] });
      assert.equal(result.status, 'connected', result.reason);
      const forgedStart: Transaction = {
        ...start,
        fluxnode: { ...start.fluxnode!, sig: signMessage(fluxnodeStartMessage(start), generatePrivateKey()) },
      };
      const copy: Block = {
        ...block,
        txs: block.txs.map((tx) => (tx === block.txs.at(-1) ? forgedStart : tx)),
      };
      const refused = await judge.acceptBlock(copy);
      assert.equal(refused.status, 'invalid');
      assert.equal(refused.rule, 'bad-fluxnode-start-signature');
      assert.equal(refused.id, node.chain.tip().id, 'the copy carries the honest block’s hash');
      const honest = await judge.acceptBlock(block);
      assert.equal(honest.status, 'connected', `${honest.rule} ${honest.reason}`);
      assert.equal(judge.tip().id, node.chain.tip().id);
      assert.equal(judge.fluxnodes.get(collateral)?.status, 'started');
    });

    it('refuses a CONFIRM signed by another key than the START named (bad-fluxnode-confirm-signature)', async () => {
      assert.equal(judge.fluxnodes.get(collateral)?.status, 'started');
      const confirmBy = (key: Uint8Array): Transaction => {
        const sigTime = blockTime(node.chain.height() + 1);
        return buildFluxnodeConfirm({
          collateral: parseOutpointKey(collateral),
          operatorKey: key,
          ip: '127.0.0.99:16125',
          sigTime,
          benchmarkTier: 1,
          benchmarkSigTime: sigTime,
          // Standing in for the bench process, which signs with the devnet's benchmark key.
          benchmarkKey: DEVNET_BENCHMARK_SECRET,
        });
      };
      const { judged } = await mineAndJudge({ extraTxs: [confirmBy(generatePrivateKey())], burn: 1n });
      assert.equal(judged.status, 'invalid');
      assert.equal(judged.rule, 'bad-fluxnode-confirm-signature');
      const good: Block = (await mineAndJudge({ extraTxs: [confirmBy(operatorKey)] })).block;
      assert.equal(judge.tip().id, node.chain.tip().id);
      assert.equal(judge.getBlock(judge.height())?.txs.length, good.txs.length);
      assert.equal(judge.fluxnodes.get(collateral)?.status, 'confirmed');
    });
  });
});
