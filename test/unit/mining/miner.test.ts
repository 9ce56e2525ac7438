import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chain } from '../../../src/chain/chain.ts';
import { equalBytes, toHex } from '../../../src/consensus/bytes.ts';
import { coinbaseSplit } from '../../../src/consensus/money/rewards.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';
import { MiningError } from '../../../src/mining/errors.ts';
import { type FoundBlock, Miner } from '../../../src/mining/miner.ts';
import { cpuSolver, type EquihashSolver, solveNonce } from '../../../src/mining/pow.ts';
import { assembleBlock, buildBlockTemplate } from '../../../src/mining/template.ts';
import { MINER_SCRIPT, OTHER_PAYEES, openMiningChain, PAYEES, tempDir } from './mining-fixtures.ts';
import { at } from '../../support/at.ts';

const devnet = paramsFor('devnet');
const SPACING = devnet.difficulty.targetSpacing;

describe('CPU miner on a devnet chain (real Equihash 48,5, full validation)', () => {
  it('mines 200 blocks; each connects and pays exactly the coinbaseSplit of its height', async () => {
    const t = tempDir();
    const chain = await openMiningChain(t.dir, devnet);
    try {
      const found: FoundBlock[] = [];
      const miner = new Miner({
        chain,
        params: devnet,
        payees: () => PAYEES,
        minerScript: MINER_SCRIPT,
        solver: cpuSolver,
        // Block times one target spacing apart keep LWMA at the devnet's easy target.
        now: () => chain.tip().time + SPACING,
        maxBlocks: 200,
        onBlock: (f) => found.push(f),
      });
      miner.start();
      await miner.whenStopped();
      assert.equal(chain.height(), 200);
      assert.equal(found.length, 200);
      const stats = miner.stats();
      assert.equal(stats.blocksFound, 200);
      assert.equal(stats.blocksRejected, 0);
      assert.ok(stats.hashes >= 200 && stats.nonces >= 1, JSON.stringify(stats));
      assert.ok(stats.hashesPerSecond > 0);
      assert.equal(stats.running, false);
      for (let h = 1; h <= 200; h++) {
        const block = chain.getBlock(h)!;
        assert.equal(at(found, h - 1).id, chain.getEntry(h)!.id);
        const paid = h >= devnet.fluxnodes.paymentsStartHeight;
        const split = coinbaseSplit(h, devnet, {
          fees: 0n,
          tiersPresent: paid ? PAYEES.map((p) => p.tier) : [],
        });
        const outs = at(block.txs, 0).outputs;
        assert.equal(at(outs, 0).value, split.miner, `miner at ${h}`);
        assert.ok(equalBytes(at(outs, 0).scriptPubKey, MINER_SCRIPT));
        assert.equal(outs.length, paid ? 4 : 1);
        if (paid) {
          for (const [i, p] of PAYEES.entries()) {
            assert.equal(at(outs, i + 1).value, split[p.tier], `${p.tier} at ${h}`);
            assert.equal(toHex(at(outs, i + 1).scriptPubKey), p.payoutScript);
          }
        }
      }
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('reports a mined block the chain refuses, with the rule (time-too-new)', async () => {
    const t = tempDir();
    // The chain's clock lags the miner's by three hours: every block it finds is from the future.
    const chain = await Chain.open(t.dir, devnet, { now: () => chain.tip().time - 3 * 3600 });
    try {
      const errors: Error[] = [];
      const miner = new Miner({
        chain,
        params: devnet,
        payees: () => OTHER_PAYEES,
        minerScript: MINER_SCRIPT,
        solver: cpuSolver,
        now: () => chain.tip().time + SPACING,
      });
      miner.on('error', (e) => errors.push(e));
      const refused = new Promise<string | undefined>((resolve) =>
        miner.once('rejected', (_b, r) => resolve(r.rule)),
      );
      miner.start();
      const rule = await refused;
      await miner.stop();
      assert.equal(rule, 'time-too-new');
      assert.equal(chain.height(), 0);
      assert.ok(
        errors.some(
          (e) => e instanceof MiningError && e.code === 'block-rejected' && /time-too-new/.test(e.message),
        ),
      );
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('abandons its template when another block takes the tip, and builds on that block', async () => {
    const t = tempDir();
    const chain = await openMiningChain(t.dir, devnet);
    try {
      // A block from "a peer", paying another script, solved here before the miner starts.
      const peerTpl = buildBlockTemplate({
        chain,
        params: devnet,
        payees: [],
        minerScript: p2pkhScript(new Uint8Array(20).fill(0x77)),
        time: chain.tip().time + SPACING,
      });
      let peerBlock: Block | undefined;
      for (let n = 0; !peerBlock; n++) {
        const nonce = new Uint8Array(32).fill(0xee);
        new DataView(nonce.buffer).setUint32(0, n, true);
        const r = solveNonce(peerTpl, nonce, cpuSolver);
        if (r.header) peerBlock = assembleBlock(peerTpl, r.header);
      }
      let calls = 0;
      // The third nonce: the peer's block arrives while the miner works; that nonce finds nothing.
      const solver: EquihashSolver = (input, spec) => {
        if (++calls === 3) {
          void chain.acceptBlock(peerBlock!);
          return [];
        }
        return calls < 3 ? [] : cpuSolver(input, spec);
      };
      const miner = new Miner({
        chain,
        params: devnet,
        minerScript: MINER_SCRIPT,
        solver,
        now: () => chain.tip().time + SPACING,
        maxBlocks: 1,
      });
      miner.start();
      await miner.whenStopped();
      const s = miner.stats();
      assert.equal(s.blocksFound, 1);
      assert.equal(s.blocksRejected, 0);
      assert.ok(s.templates >= 2);
      assert.equal(chain.height(), 2);
      assert.ok(
        equalBytes(
          at(at(chain.getBlock(1)!.txs, 0).outputs, 0).scriptPubKey,
          at(peerTpl.coinbase.outputs, 0).scriptPubKey,
        ),
      );
      assert.ok(equalBytes(at(at(chain.getBlock(2)!.txs, 0).outputs, 0).scriptPubKey, MINER_SCRIPT));
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('stops promptly on stop(), and keeps the blockIntervalMs floor between blocks', async () => {
    const t = tempDir();
    const chain = await openMiningChain(t.dir, devnet);
    try {
      const times: number[] = [];
      const miner = new Miner({
        chain,
        params: devnet,
        minerScript: MINER_SCRIPT,
        solver: cpuSolver,
        now: () => chain.tip().time + SPACING,
        blockIntervalMs: 150,
        onBlock: () => times.push(performance.now()),
      });
      miner.start();
      while (times.length < 3) await new Promise((r) => setTimeout(r, 10));
      const asked = performance.now();
      await miner.stop();
      const took = performance.now() - asked;
      assert.equal(miner.isRunning, false);
      assert.ok(took < 500, `stop took ${took} ms`);
      for (let i = 1; i < times.length; i++)
        assert.ok(at(times, i) - at(times, i - 1) >= 140, `gap ${at(times, i) - at(times, i - 1)} ms`);
      const height = chain.height();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(chain.height(), height, 'no block after stop');
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});
