import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Chain } from '../../../src/chain/chain.ts';
import { targetToBits } from '../../../src/consensus/difficulty/target.ts';
import { encodeAddress } from '../../../src/consensus/keys/address.ts';
import { generatePrivateKey, publicKeyOf, pubKeyHash } from '../../../src/consensus/keys/keys.ts';
import { branchIdAt } from '../../../src/consensus/params/index.ts';
import { blockHash } from '../../../src/consensus/primitives/block.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block, Transaction } from '../../../src/consensus/primitives/types.ts';
import { signInput } from '../../../src/consensus/script/sign.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';
import {
  ANYONE,
  ChainBuilder,
  coinbaseOutpoint,
  coinbaseTx,
  devnet,
  genesisParent,
  makeBlock,
  openTestChain,
  parentOf,
  SUBSIDY,
  spendTx,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

/** Accepts `block` and checks it is refused for `rule` with the chain left exactly as it was. */
async function expectRejected(chain: Chain, block: Block, rule: string): Promise<void> {
  const tip = chain.tip().id;
  const utxo = chain.utxoSetHash();
  const r = await chain.acceptBlock(block);
  assert.equal(r.status, 'invalid', `expected ${rule}, got ${r.status}`);
  assert.equal(r.rule, rule, r.reason);
  assert.equal(chain.tip().id, tip);
  assert.equal(chain.utxoSetHash(), utxo);
}

describe('chain: contextual rules, each refused by name', () => {
  const t = tempDir();
  let chain: Chain;
  const builder = new ChainBuilder(genesisParent(), SUBSIDY);
  let history: Block[] = [];
  // A block on the current tip that the test fills in.
  const onTip = (
    txs: Transaction[],
    opts: { fees?: bigint; coinbaseValue?: bigint; time?: number } = {},
  ): Block => {
    const probe = new ChainBuilder(builder.tip, SUBSIDY, 77);
    return probe.next(txs, opts);
  };

  before(async () => {
    chain = await openTestChain(t.dir);
    history = builder.extend(12);
    for (const b of history) assert.equal((await chain.acceptBlock(b)).status, 'connected');
  });
  after(() => {
    chain.close();
    t.cleanup();
  });

  it('bad-txns-inputs-missingorspent: an output that never existed', async () => {
    const tx = spendTx(
      [{ txid: new Uint8Array(32).fill(9), index: 0 }],
      [{ value: 1n, scriptPubKey: ANYONE }],
    );
    await expectRejected(chain, onTip([tx]), 'bad-txns-inputs-missingorspent');
  });

  it('bad-txns-inputs-missingorspent: the same output spent twice in one block', async () => {
    const src = coinbaseOutpoint(at(history, 0));
    const a = spendTx([src], [{ value: 10n, scriptPubKey: ANYONE }]);
    const b = spendTx([src], [{ value: 20n, scriptPubKey: ANYONE }]);
    await expectRejected(
      chain,
      onTip([a, b], { fees: 2n * SUBSIDY - 30n }),
      'bad-txns-inputs-missingorspent',
    );
  });

  it('bad-txns-premature-spend-of-coinbase: depth 9 with maturity 10', async () => {
    assert.equal(devnet.coinbaseMaturity, 10);
    // Next block is height 13; the coinbase of height 4 is at depth 9.
    const tx = spendTx([coinbaseOutpoint(at(history, 3))], [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
    await expectRejected(chain, onTip([tx]), 'bad-txns-premature-spend-of-coinbase');
    // At depth 10 (height 3) it is fine.
    const ok = spendTx([coinbaseOutpoint(at(history, 2))], [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
    const r = await chain.acceptBlock(onTip([ok]));
    assert.equal(r.status, 'connected', r.reason);
    history.push(chain.getBlock(chain.height())!);
    builder.tip = parentOf(history.at(-1)!, chain.height());
  });

  it('bad-txns-in-belowout: outputs worth more than the inputs', async () => {
    const tx = spendTx([coinbaseOutpoint(at(history, 0))], [{ value: SUBSIDY + 1n, scriptPubKey: ANYONE }]);
    await expectRejected(chain, onTip([tx]), 'bad-txns-in-belowout');
  });

  it('bad-txns-BIP30: a transaction whose outputs are still unspent, included again', async () => {
    const replay = at(chain.getBlock(chain.height())!.txs, 1);
    await expectRejected(chain, onTip([replay]), 'bad-txns-BIP30');
  });

  it('bad-cb-amount: coinbase pays more than subsidy plus fees', async () => {
    await expectRejected(chain, onTip([], { coinbaseValue: SUBSIDY + 1n }), 'bad-cb-amount');
    const tx = spendTx([coinbaseOutpoint(at(history, 0))], [{ value: SUBSIDY - 700n, scriptPubKey: ANYONE }]);
    await expectRejected(chain, onTip([tx], { fees: 701n }), 'bad-cb-amount');
  });

  it('bad-cb-height: coinbase that does not start with the block height', async () => {
    const h = chain.height() + 1;
    const cb = coinbaseTx(h + 1, [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
    await expectRejected(chain, makeBlock(builder.tip, [cb]), 'bad-cb-height');
  });

  it('bad-txns-nonfinal: lock time above the block height with a non-final input', async () => {
    const h = chain.height() + 1;
    const tx = spendTx([coinbaseOutpoint(at(history, 0))], [{ value: SUBSIDY, scriptPubKey: ANYONE }], {
      lockTime: h,
      sequence: 0,
    });
    await expectRejected(chain, onTip([tx]), 'bad-txns-nonfinal');
  });

  it('time-too-old: block time not after the median of the last 11', async () => {
    const mtpTimes = history
      .slice(-11)
      .map((b) => b.header.time)
      .sort((x, y) => x - y);
    await expectRejected(chain, onTip([], { time: mtpTimes[5] }), 'time-too-old');
  });

  it('time-too-new: more than two hours ahead of the clock, and not remembered as invalid', async () => {
    const future = Math.floor(Date.now() / 1000) + 3 * 3600;
    const b = onTip([], { time: future });
    await expectRejected(chain, b, 'time-too-new');
    assert.equal(chain.getEntry(blockHash(b)), undefined);
  });

  it('bad-txnmrklroot: a body that does not match its header leaves the header open', async () => {
    const good = onTip([]);
    const mangled: Block = {
      header: good.header,
      txs: [coinbaseTx(chain.height() + 1, [{ value: 5n, scriptPubKey: ANYONE }], 78)],
    };
    await expectRejected(chain, mangled, 'bad-txnmrklroot');
    const r = await chain.acceptBlock(good);
    assert.equal(r.status, 'connected');
    history.push(good);
    builder.tip = parentOf(good, chain.height());
  });

  it('tx-sapling-active: a pre-Sapling (version 1) transaction after Acadia', async () => {
    const tx = { ...spendTx([coinbaseOutpoint(at(history, 0))], [{ value: SUBSIDY, scriptPubKey: ANYONE }]) };
    const legacy = { ...tx, version: 1, overwintered: false, versionGroupId: 0 };
    await expectRejected(chain, onTip([legacy]), 'tx-sapling-active');
  });

  it('tx-sapling-expired: a transaction past its expiry height', async () => {
    const tx = spendTx([coinbaseOutpoint(at(history, 0))], [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
    await expectRejected(chain, onTip([{ ...tx, expiryHeight: chain.height() }]), 'tx-sapling-expired');
  });

  it('bad-txns-shielded-unverified: a Sapling spend this node cannot verify', async () => {
    const tx = spendTx([coinbaseOutpoint(at(history, 0))], [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
    const z = new Uint8Array(32);
    const spend = {
      cv: z,
      anchor: z,
      nullifier: z,
      rk: z,
      zkproof: new Uint8Array(192),
      spendAuthSig: new Uint8Array(64),
    };
    const shielded = { ...tx, shieldedSpends: [spend], valueBalance: 5n, bindingSig: new Uint8Array(64) };
    await expectRejected(chain, onTip([shielded], { fees: 5n }), 'bad-txns-shielded-unverified');
  });

  it('version-too-low: a block header below version 4', async () => {
    const h = chain.height() + 1;
    const b = makeBlock(builder.tip, [coinbaseTx(h, [{ value: SUBSIDY, scriptPubKey: ANYONE }], 79)], {
      version: 3,
    });
    await expectRejected(chain, b, 'version-too-low');
  });

  it('mandatory-script-verify-flag-failed: a P2PKH spend signed by the wrong key', async () => {
    const key = generatePrivateKey();
    const other = generatePrivateKey();
    const script = p2pkhScript(pubKeyHash(publicKeyOf(key)));
    const fund = spendTx([coinbaseOutpoint(at(history, 4))], [{ value: SUBSIDY, scriptPubKey: script }]);
    const r = await chain.acceptBlock(onTip([fund]));
    assert.equal(r.status, 'connected', r.reason);
    builder.tip = parentOf(chain.getBlock(chain.height())!, chain.height());

    const height = chain.height() + 1;
    const unsigned = spendTx([{ txid: txid(fund), index: 0 }], [{ value: SUBSIDY, scriptPubKey: ANYONE }]);
    const branch = branchIdAt(height, devnet);
    const spent = at(fund.outputs, 0);
    // Signed by another key (as if the output paid to it): the key hash check fails.
    const otherScript = p2pkhScript(pubKeyHash(publicKeyOf(other)));
    const forged = signInput(unsigned, 0, other, { value: spent.value, scriptPubKey: otherScript }, branch);
    await expectRejected(chain, onTip([forged]), 'mandatory-script-verify-flag-failed');
    // The right key over different bytes: the signature check fails.
    const signedWrongAmount = signInput(
      unsigned,
      0,
      key,
      { value: spent.value - 1n, scriptPubKey: script },
      branch,
    );
    await expectRejected(chain, onTip([signedWrongAmount]), 'mandatory-script-verify-flag-failed');
    const signed = signInput(unsigned, 0, key, spent, branch);
    const ok = await chain.acceptBlock(onTip([signed]));
    assert.equal(ok.status, 'connected', ok.reason);
  });
});

describe('chain: header rules', () => {
  it('bad-diffbits: bits other than the difficulty algorithm requires', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir, {
      validation: { checkPow: false, checkDifficulty: true },
    });
    try {
      const limitBits = targetToBits(devnet.difficulty.powLimit);
      const g = genesisParent();
      const ok = makeBlock(g, [coinbaseTx(1, [{ value: SUBSIDY, scriptPubKey: ANYONE }])], {
        bits: limitBits,
      });
      assert.equal((await chain.acceptBlock(ok)).status, 'connected');
      const p = parentOf(ok, 1);
      const bad = makeBlock(p, [coinbaseTx(2, [{ value: SUBSIDY, scriptPubKey: ANYONE }])], {
        bits: 0x1f00ffff,
      });
      await expectRejected(chain, bad, 'bad-diffbits');
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('high-hash: a hash above the target its bits name', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir, {
      validation: { checkPow: true, checkDifficulty: false },
    });
    try {
      // A target of 2^200: a random hash meets it with probability 2^-56.
      const hard = targetToBits(1n << 200n);
      const b = makeBlock(genesisParent(), [coinbaseTx(1, [{ value: SUBSIDY, scriptPubKey: ANYONE }])], {
        bits: hard,
      });
      await expectRejected(chain, b, 'high-hash');
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('checkpoint-mismatch: a block at a checkpointed height that is not the checkpoint', async () => {
    const t = tempDir();
    const params = { ...devnet, checkpoints: [...devnet.checkpoints, { height: 2, hash: 'ab'.repeat(32) }] };
    const chain = await Chain.open(t.dir, params, {
      validation: { checkPow: false, checkDifficulty: false },
    });
    try {
      const b = new ChainBuilder(genesisParent(), SUBSIDY);
      assert.equal((await chain.acceptBlock(b.next())).status, 'connected');
      await expectRejected(chain, b.next(), 'checkpoint-mismatch');
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('tx-coinbase-missing-foundation-funding: a fund output due at this height, not paid exactly', async () => {
    const t = tempDir();
    const fundHash = new Uint8Array(20).fill(0x21);
    const address = encodeAddress('p2pkh', fundHash, devnet.base58);
    const amount = 1_000n * 100_000_000n;
    const params = {
      ...devnet,
      oneOffs: [{ kind: 'foundation-fund' as const, address, amount, firstHeight: 2, interval: 0, count: 1 }],
    };
    const chain = await Chain.open(t.dir, params, {
      validation: { checkPow: false, checkDifficulty: false },
    });
    try {
      const b = new ChainBuilder(genesisParent(), SUBSIDY);
      assert.equal((await chain.acceptBlock(b.next())).status, 'connected');
      const p = b.tip;
      const pay = (value: bigint) =>
        makeBlock(p, [
          coinbaseTx(2, [
            { value: SUBSIDY, scriptPubKey: ANYONE },
            { value, scriptPubKey: p2pkhScript(fundHash) },
          ]),
        ]);
      await expectRejected(
        chain,
        makeBlock(p, [coinbaseTx(2, [{ value: SUBSIDY, scriptPubKey: ANYONE }])]),
        'tx-coinbase-missing-foundation-funding',
      );
      await expectRejected(chain, pay(amount - 1n), 'tx-coinbase-missing-foundation-funding');
      const r = await chain.acceptBlock(pay(amount));
      assert.equal(r.status, 'connected', r.reason);
    } finally {
      chain.close();
      t.cleanup();
    }
  });
  // bad-cb-payee is tested against a real registry: test/unit/chain/complete-validator.test.ts.
});

describe('chain: scripts checked on worker threads', () => {
  it('accepts good signatures and names the earliest bad input of a block, like the inline check', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir, {
      validation: {
        checkPow: false,
        checkDifficulty: false,
        scriptThreads: 2,
        parallelMinInputs: 1,
      },
    });
    try {
      const key = generatePrivateKey();
      const script = p2pkhScript(pubKeyHash(publicKeyOf(key)));
      const b = new ChainBuilder(genesisParent(), SUBSIDY);
      const early = b.extend(11);
      for (const blk of early) await chain.acceptBlock(blk);
      // Fan a mature coinbase out to 8 P2PKH outputs.
      const fan = spendTx(
        [coinbaseOutpoint(at(early, 0))],
        Array.from({ length: 8 }, () => ({ value: SUBSIDY / 8n, scriptPubKey: script })),
      );
      assert.equal((await chain.acceptBlock(b.next([fan]))).status, 'connected');
      const height = chain.height() + 1;
      const branch = branchIdAt(height, devnet);
      const spend = (i: number, signer: Uint8Array) => {
        const u = spendTx([{ txid: txid(fan), index: i }], [{ value: SUBSIDY / 8n, scriptPubKey: ANYONE }]);
        const claimed = p2pkhScript(pubKeyHash(publicKeyOf(signer)));
        return signInput(u, 0, signer, { value: SUBSIDY / 8n, scriptPubKey: claimed }, branch);
      };
      const wrong = generatePrivateKey();
      const txs = Array.from({ length: 8 }, (_, i) => spend(i, i === 5 || i === 6 ? wrong : key));
      const probe = new ChainBuilder(b.tip, SUBSIDY, 9);
      const bad = probe.next(txs);
      const before = chain.utxoSetHash();
      const r = await chain.acceptBlock(bad);
      assert.equal(r.status, 'invalid');
      assert.equal(r.rule, 'mandatory-script-verify-flag-failed');
      assert.match(
        r.reason ?? '',
        /transaction 6 input 0/,
        'tx 5 in the list is block position 6 (after the coinbase)',
      );
      assert.equal(chain.utxoSetHash(), before);
      const good = new ChainBuilder(b.tip, SUBSIDY, 10).next(
        Array.from({ length: 8 }, (_, i) => spend(i, key)),
      );
      const ok = await chain.acceptBlock(good);
      assert.equal(ok.status, 'connected', ok.reason);
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});
