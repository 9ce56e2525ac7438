import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chain } from '../../../src/chain/chain.ts';
import { requiredBits } from '../../../src/chain/default-validator.ts';
import { genesisBlock } from '../../../src/chain/genesis.ts';
import { verifyHeaderSolution } from '../../../src/consensus/pow/header-solution.ts';
import type { ChainEntry } from '../../../src/chain/types.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { bitsToTarget, hashToBigInt } from '../../../src/consensus/difficulty/target.ts';
import { equihashSpecsAt, paramsFor } from '../../../src/consensus/params/index.ts';
import { solveEquihash } from '../../../src/consensus/pow/solver.ts';
import { blockHash } from '../../../src/consensus/primitives/block.ts';
import { headerHash, powInput } from '../../../src/consensus/primitives/header.ts';
import type { Block, BlockHeader, Transaction } from '../../../src/consensus/primitives/types.ts';
import {
  ANYONE,
  coinbaseOutpoint,
  coinbaseTx,
  makeBlock,
  SUBSIDY,
  spendTx,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

const devnet = paramsFor('devnet');

/** Mines a block on `tip` for real: the bits the difficulty rule asks for, a solved nonce. */
function mine(tip: ChainEntry, txs: Transaction[]): Block {
  const height = tip.height + 1;
  const time = tip.time + devnet.difficulty.targetSpacing;
  const bits = requiredBits(tip, time, devnet);
  const target = bitsToTarget(bits);
  const spec = at(equihashSpecsAt(height, devnet), 0);
  const template = makeBlock(
    { hash: tip.hash, height: tip.height, time: tip.time },
    [coinbaseTx(height, [{ value: SUBSIDY, scriptPubKey: ANYONE }]), ...txs],
    { time, bits },
  );
  for (let nonce = 0; nonce < 10_000; nonce++) {
    const n = new Uint8Array(32);
    new DataView(n.buffer).setUint32(0, nonce, true);
    const header: BlockHeader = { ...template.header, nonce: n };
    for (const solution of solveEquihash(spec, powInput(header))) {
      const solved = { ...header, solution };
      if (hashToBigInt(headerHash(solved)) <= target) return { header: solved, txs: template.txs };
    }
  }
  throw new Error('no solution in 10,000 nonces');
}

describe('chain: real proof of work', () => {
  it('the pinned genesis blocks verify: mainnet (Equihash 200,9) and devnet/regtest (48,5)', () => {
    for (const network of ['mainnet', 'devnet'] as const) {
      const params = paramsFor(network);
      const g = genesisBlock(params);
      assert.equal(reverseHex(blockHash(g)), params.genesis.hash);
      verifyHeaderSolution(g.header, 0, params);
      assert.ok(
        hashToBigInt(blockHash(g)) <= bitsToTarget(g.header.bits),
        `${network} genesis meets its target`,
      );
    }
  });

  it('connects mined devnet blocks under every rule, and refuses a bad solution', async () => {
    const t = tempDir();
    const chain = await Chain.open(t.dir, devnet);
    try {
      const mined: Block[] = [];
      for (let i = 0; i < 11; i++) {
        const b = mine(chain.tip(), []);
        const r = await chain.acceptBlock(b);
        assert.equal(r.status, 'connected', `${r.rule}: ${r.reason}`);
        mined.push(b);
      }
      // Block 12 spends the (now mature) coinbase of block 1.
      const spend = spendTx([coinbaseOutpoint(at(mined, 0))], [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
      const next = mine(chain.tip(), [spend]);

      const flipped = Uint8Array.from(next.header.solution);
      flipped[5]! ^= 0x10;
      const bad = await chain.acceptBlock({ header: { ...next.header, solution: flipped }, txs: next.txs });
      assert.equal(bad.status, 'invalid');
      // Either the changed header now misses the target or its solution no longer verifies.
      assert.ok(bad.rule === 'bad-solution' || bad.rule === 'high-hash', bad.reason);

      const short = await chain.acceptBlock({
        header: { ...next.header, solution: next.header.solution.subarray(1) },
        txs: next.txs,
      });
      assert.equal(short.status, 'invalid');
      assert.ok(short.rule === 'bad-solution' || short.rule === 'high-hash', short.reason);

      const r = await chain.acceptBlock(next);
      assert.equal(r.status, 'connected', `${r.rule}: ${r.reason}`);
      assert.equal(chain.height(), 12);
      assert.equal(chain.getUtxo(coinbaseOutpoint(at(mined, 0))), undefined);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('refuses a solved block whose bits are not the required ones', async () => {
    const t = tempDir();
    const chain = await Chain.open(t.dir, devnet);
    try {
      const b = mine(chain.tip(), []);
      // Claim an easier target than the rule allows (devnet's limit is already the easiest, so harder).
      const harder: Block = { header: { ...b.header, bits: 0x1f0f0f0f }, txs: b.txs };
      const r = await chain.acceptBlock(harder);
      assert.equal(r.status, 'invalid');
      assert.equal(r.rule, 'bad-diffbits');
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});
