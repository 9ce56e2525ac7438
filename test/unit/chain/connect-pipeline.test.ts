import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chain } from '../../../src/chain/chain.ts';
import { generatePrivateKey, publicKeyOf, pubKeyHash } from '../../../src/consensus/keys/keys.ts';
import { branchIdAt } from '../../../src/consensus/params/index.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block, Transaction } from '../../../src/consensus/primitives/types.ts';
import { signInput } from '../../../src/consensus/script/sign.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';
import {
  ANYONE,
  ChainBuilder,
  coinbaseOutpoint,
  devnet,
  genesisParent,
  openTestChain,
  SUBSIDY,
  spendTx,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

const KEY = generatePrivateKey();
const SCRIPT = p2pkhScript(pubKeyHash(publicKeyOf(KEY)));
const PER = SUBSIDY / 8n;

/** A signed spend of `fan`'s output `i`; `signer` other than KEY makes its script fail. */
function spend(fan: Transaction, i: number, height: number, signer = KEY): Transaction {
  const value = at(fan.outputs, i).value;
  const u = spendTx([{ txid: txid(fan), index: i }], [{ value, scriptPubKey: ANYONE }]);
  const claimed = p2pkhScript(pubKeyHash(publicKeyOf(signer)));
  return signInput(u, 0, signer, { value, scriptPubKey: claimed }, branchIdAt(height, devnet));
}

/** 11 blocks, then a block fanning a mature coinbase out to 8 P2PKH outputs of KEY. */
function base(): { b: ChainBuilder; history: Block[]; fan: Transaction } {
  const b = new ChainBuilder(genesisParent(), SUBSIDY);
  const history = b.extend(11);
  const fan = spendTx(
    [coinbaseOutpoint(at(history, 0))],
    Array.from({ length: 8 }, () => ({ value: PER, scriptPubKey: SCRIPT })),
  );
  history.push(b.next([fan]));
  return { b, history, fan };
}

/**
 * The base, then a run of 5 blocks that each spend outputs the block before created (so each is
 * checked against coins not written yet); in block `badAt`, two spends carry a wrong signature.
 */
function scenario(badAt: number | undefined): { history: Block[]; run: Block[] } {
  const { b, history, fan: first } = base();
  let fan = first;
  const run: Block[] = [];
  for (let k = 0; k < 5; k++) {
    const height = b.tip.height + 1;
    // Outputs 0–6 are spent; output 7 funds the next fan, which the next block spends.
    const spends = Array.from({ length: 7 }, (_, i) =>
      spend(fan, i, height, k === badAt && (i === 4 || i === 5) ? generatePrivateKey() : KEY),
    );
    const value = at(fan.outputs, 7).value;
    const next = spendTx(
      [{ txid: txid(fan), index: 7 }],
      Array.from({ length: 8 }, () => ({ value: value / 8n, scriptPubKey: SCRIPT })),
    );
    const signed = signInput(next, 0, KEY, { value, scriptPubKey: SCRIPT }, branchIdAt(height, devnet));
    run.push(b.next([...spends, signed]));
    fan = signed;
  }
  return { history, run };
}

async function withChain<T>(threads: number, fn: (chain: Chain) => Promise<T>): Promise<T> {
  const t = tempDir();
  const chain = await openTestChain(t.dir, {
    validation: { checkPow: false, checkDifficulty: false, scriptThreads: threads, parallelMinInputs: 1 },
  });
  try {
    return await fn(chain);
  } finally {
    chain.close();
    t.cleanup();
  }
}

describe('chain: blocks connected as a pipeline (acceptBlocks)', () => {
  it('connects a run whose blocks spend what the block before created, as one-by-one acceptance does', async () => {
    const { history, run } = scenario(undefined);
    const serial = await withChain(0, async (chain) => {
      for (const blk of [...history, ...run])
        assert.equal((await chain.acceptBlock(blk)).status, 'connected');
      return { tip: chain.tip().id, utxo: chain.utxoSetHash() };
    });
    const piped = await withChain(2, async (chain) => {
      const results = await chain.acceptBlocks([...history, ...run]);
      assert.deepEqual(
        results.map((r) => r.status),
        [...history, ...run].map(() => 'connected'),
      );
      return { tip: chain.tip().id, utxo: chain.utxoSetHash() };
    });
    assert.deepEqual(piped, serial);
  });

  it('names the earliest bad input of a bad block in a run with the serial rule and reason; blocks before it connect, those after it are refused', async () => {
    const { history, run } = scenario(2);
    const expected = await withChain(0, async (chain) => {
      for (const blk of [...history, ...run.slice(0, 2)]) await chain.acceptBlock(blk);
      const r = await chain.acceptBlock(at(run, 2));
      return { rule: r.rule, reason: r.reason, utxo: chain.utxoSetHash() };
    });
    assert.equal(expected.rule, 'mandatory-script-verify-flag-failed');
    assert.match(expected.reason ?? '', /transaction 5 input 0/);
    await withChain(2, async (chain) => {
      await chain.acceptBlocks(history);
      const results = await chain.acceptBlocks(run);
      assert.deepEqual(
        results.map((r) => r.status),
        ['connected', 'connected', 'invalid', 'invalid', 'invalid'],
      );
      const bad = at(results, 2);
      assert.deepEqual({ rule: bad.rule, reason: bad.reason, utxo: chain.utxoSetHash() }, expected);
      assert.equal(at(results, 3).rule, 'bad-prevblk');
      assert.equal(chain.height(), history.length + 2);
    });
  });

  it('refuses a block of a run that spends a coin the block before it spent, though that block is not written yet', async () => {
    const { b, history, fan } = base();
    const first = b.next([spend(fan, 0, b.tip.height + 1)]);
    // Not the same transaction as in `first` (that would break BIP30 first): it pays one less.
    const twice = spendTx([{ txid: txid(fan), index: 0 }], [{ value: PER - 1n, scriptPubKey: ANYONE }]);
    const again = b.next([spend(fan, 1, b.tip.height + 1), twice]);
    await withChain(2, async (chain) => {
      await chain.acceptBlocks(history);
      const results = await chain.acceptBlocks([first, again]);
      assert.equal(at(results, 0).status, 'connected');
      assert.equal(at(results, 1).rule, 'bad-txns-inputs-missingorspent');
      assert.equal(chain.height(), history.length + 1);
    });
  });
});
