import assert from 'node:assert/strict';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { after, before, describe, it } from 'node:test';
import type { Chain } from '../../../src/chain/chain.ts';
import { Mempool } from '../../../src/chain/mempool/mempool.ts';
import { mempoolValidator } from '../../../src/chain/mempool/accept.ts';
import type { ChainEntry } from '../../../src/chain/types.ts';
import { concatBytes, equalBytes, fromHex, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { bitsToTarget } from '../../../src/consensus/difficulty/target.ts';
import { addressForScript, scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { blockSubsidy } from '../../../src/consensus/money/subsidy.ts';
import { coinbaseSplit, oneOffsAt } from '../../../src/consensus/money/rewards.ts';
import { paramsFor, type ConsensusParams } from '../../../src/consensus/params/index.ts';
import { merkleRoot } from '../../../src/consensus/primitives/merkle.ts';
import {
  decodeTransaction,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../../../src/consensus/primitives/transaction.ts';
import { COIN, type Block, type Transaction } from '../../../src/consensus/primitives/types.ts';
import { pushData, pushNumber } from '../../../src/consensus/script/script.ts';
import { EMPTY_SAPLING_ROOT } from '../../../src/mining/coinbase.ts';
import { fluxnodePayeeOutputs } from '../../../src/consensus/money/payees.ts';
import { MiningError } from '../../../src/mining/errors.ts';
import { buildBlockTemplate, medianTimePast, type BlockTemplate } from '../../../src/mining/template.ts';
import { templateToJson } from '../../../src/mining/template-json.ts';
import {
  ANYONE_P2SH,
  ANYONE_REDEEM,
  MINER_SCRIPT,
  OTHER_PAYEES,
  openMiningChain,
  PAYEES,
  tempDir,
} from './mining-fixtures.ts';
import { at } from '../../support/at.ts';

// Structure of templates against the chain's own rules. Proof of work is switched off in these
// chains (blocks are accepted unsolved); the miner and stratum tests mine with real Equihash.
const devnet = paramsFor('devnet');
const NO_POW = { checkPow: false };

function blockOf(t: BlockTemplate): Block {
  return { header: t.header, txs: t.txs };
}

/** Rebuilds the header's merkle root after a test edits the transactions. */
function withTxs(t: BlockTemplate, txs: Transaction[]): Block {
  return { header: { ...t.header, merkleRoot: merkleRoot(txs.map((x) => txid(x))).root }, txs };
}

const clockOf = (chain: Chain) => chain.tip().time + devnet.difficulty.targetSpacing;

describe('template coinbase against the consensus split', () => {
  const t = tempDir();
  let chain: Chain;
  before(async () => {
    chain = await openMiningChain(t.dir, devnet, NO_POW);
  });
  after(() => {
    chain.close();
    t.cleanup();
  });

  it('pays miner and every tier exactly their coinbaseSplit share, and the chain connects each block', async () => {
    for (let h = 1; h <= 25; h++) {
      const tpl = buildBlockTemplate({
        chain,
        params: devnet,
        payees: PAYEES,
        minerScript: MINER_SCRIPT,
        time: clockOf(chain),
      });
      assert.equal(tpl.height, h);
      const paid = h >= devnet.fluxnodes.paymentsStartHeight;
      const split = coinbaseSplit(h, devnet, {
        fees: 0n,
        tiersPresent: paid ? ['cumulus', 'nimbus', 'stratus'] : [],
      });
      const outs = tpl.coinbase.outputs;
      assert.equal(outs.length, paid ? 4 : 1, `outputs at ${h}`);
      assert.equal(at(outs, 0).value, split.miner);
      assert.ok(equalBytes(at(outs, 0).scriptPubKey, MINER_SCRIPT));
      if (paid) {
        for (const [i, p] of PAYEES.entries()) {
          assert.equal(at(outs, i + 1).value, split[p.tier], `${p.tier} at ${h}`);
          assert.equal(toHex(at(outs, i + 1).scriptPubKey), p.payoutScript);
        }
      }
      let total = 0n;
      for (const o of outs) total += o.value;
      assert.equal(total, blockSubsidy(h, devnet));
      assert.equal(tpl.coinbaseValue, total);
      const r = await chain.acceptBlock(blockOf(tpl));
      assert.equal(r.status, 'connected', `${h}: ${r.rule} ${r.reason}`);
    }
  });

  it('from payments on, the shares are the Flux-era percentages of the 150 FLUX subsidy', () => {
    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      payees: PAYEES,
      minerScript: MINER_SCRIPT,
      time: clockOf(chain),
    });
    // 7.5 %, 12.5 % and 30 % of 150 FLUX; the miner keeps the other 50 %.
    assert.deepEqual(
      tpl.coinbase.outputs.map((o) => o.value),
      [75n * COIN, 1_125_000_000n, 1_875_000_000n, 45n * COIN],
    );
  });

  it('pays each tier exactly the output the payee rule requires, and none for a tier without a payee', () => {
    for (const payees of [PAYEES, OTHER_PAYEES, PAYEES.slice(0, 2)]) {
      const tpl = buildBlockTemplate({
        chain,
        params: devnet,
        payees,
        minerScript: MINER_SCRIPT,
        time: clockOf(chain),
      });
      const required = fluxnodePayeeOutputs(tpl.height, devnet, payees);
      assert.equal(required.length, payees.length);
      assert.deepEqual(tpl.coinbase.outputs.slice(1, 1 + required.length), required);
    }
  });

  it('a wrong split is refused by rule: the miner taking one satoshi more (bad-cb-amount)', async () => {
    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      payees: PAYEES,
      minerScript: MINER_SCRIPT,
      time: clockOf(chain),
    });
    const cb = structuredClone(tpl.coinbase);
    at(cb.outputs, 0).value += 1n;
    const r = await chain.acceptBlock(withTxs(tpl, [cb]));
    assert.equal(r.status, 'invalid');
    assert.equal(r.rule, 'bad-cb-amount');
  });

  // The chain's refusals of payees other than its registry's (bad-cb-payee) are tested against a
  // real registry in test/unit/chain/complete-validator.test.ts.

  it('after refusals the honest template still connects', async () => {
    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      payees: PAYEES,
      minerScript: MINER_SCRIPT,
      time: clockOf(chain),
    });
    assert.equal((await chain.acceptBlock(blockOf(tpl))).status, 'connected');
  });

  it('two payees for one tier are refused before any block is built', () => {
    assert.throws(
      () =>
        buildBlockTemplate({
          chain,
          params: devnet,
          payees: [at(PAYEES, 0), at(OTHER_PAYEES, 0)],
          minerScript: MINER_SCRIPT,
          time: clockOf(chain),
        }),
      (err: unknown) => err instanceof MiningError && err.code === 'bad-payee',
    );
  });
});

describe('template header and coinbase format', () => {
  const t = tempDir();
  let chain: Chain;
  before(async () => {
    chain = await openMiningChain(t.dir, devnet, NO_POW);
  });
  after(() => {
    chain.close();
    t.cleanup();
  });

  it('coinbase: Sapling v4, expiry 0, scriptSig = height push ‖ extra-nonce push ‖ data', () => {
    const data = new TextEncoder().encode('/fluxnode/');
    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      payees: [],
      minerScript: MINER_SCRIPT,
      time: clockOf(chain),
      extraNonce: 300,
      coinbaseData: data,
    });
    const cb = tpl.coinbase;
    assert.equal(cb.version, SAPLING_TX_VERSION);
    assert.equal(cb.overwintered, true);
    assert.equal(cb.versionGroupId, SAPLING_VERSION_GROUP_ID);
    assert.equal(cb.expiryHeight, 0);
    assert.equal(cb.lockTime, 0);
    assert.deepEqual(at(cb.inputs, 0).scriptSig, concatBytes(pushNumber(1), pushNumber(300), pushData(data)));
    // Height 1 is OP_1 (BIP34's minimal number push), 300 is the two bytes 2c 01.
    assert.equal(toHex(at(cb.inputs, 0).scriptSig.subarray(0, 4)), '51022c01');
    assert.ok(equalBytes(tpl.header.finalSaplingRoot, EMPTY_SAPLING_ROOT));
    assert.equal(tpl.header.version, 4);
    assert.ok(equalBytes(tpl.header.prevHash, chain.tip().hash));
    assert.equal(tpl.header.solution.length, 0);
    assert.ok(tpl.header.nonce.every((b) => b === 0));
    assert.equal(tpl.target, bitsToTarget(tpl.header.bits));
    assert.deepEqual(tpl.equihash, [{ n: 48, k: 5, personalization: 'ZcashPoW' }]);
  });

  it('coinbase data that would push the scriptSig over 100 bytes is refused', () => {
    assert.throws(
      () =>
        buildBlockTemplate({
          chain,
          params: devnet,
          payees: [],
          minerScript: MINER_SCRIPT,
          time: clockOf(chain),
          coinbaseData: new Uint8Array(98),
        }),
      (err: unknown) => err instanceof MiningError && err.code === 'bad-cb-length',
    );
  });

  it('a clock behind the median time past gives median + 1, and the chain takes it', async () => {
    for (let i = 0; i < 11; i++) {
      const tpl = buildBlockTemplate({
        chain,
        params: devnet,
        payees: [],
        minerScript: MINER_SCRIPT,
        time: clockOf(chain),
      });
      assert.equal((await chain.acceptBlock(blockOf(tpl))).status, 'connected');
    }
    const mtp = medianTimePast(chain.tip());
    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      payees: [],
      minerScript: MINER_SCRIPT,
      time: mtp - 1000,
    });
    assert.equal(tpl.header.time, mtp + 1);
    assert.equal(tpl.minTime, mtp + 1);
    assert.equal((await chain.acceptBlock(blockOf(tpl))).status, 'connected');
  });

  it("before Acadia (mainnet's early heights) the coinbase is version 1 and the root field reserved", () => {
    const mainnet = paramsFor('mainnet');
    const genesis: ChainEntry = {
      hash: new Uint8Array(32).fill(7),
      id: reverseHex(new Uint8Array(32).fill(7)),
      prevHash: new Uint8Array(32),
      height: 0,
      chainWork: 1n,
      version: 4,
      time: mainnet.genesis.time,
      bits: mainnet.genesis.bits,
      status: 'valid',
      invalidRule: undefined,
      invalidReason: undefined,
      parent: null,
    };
    const tpl = buildBlockTemplate({
      chain: { tip: () => genesis, fluxnodes: { payees: () => [] } },
      params: mainnet,
      payees: [],
      minerScript: MINER_SCRIPT,
      time: mainnet.genesis.time + 150,
    });
    assert.equal(tpl.coinbase.version, 1);
    assert.equal(tpl.coinbase.overwintered, false);
    assert.ok(tpl.header.finalSaplingRoot.every((b) => b === 0));
    // Mainnet's first block: slow-start subsidy, all to the miner, Equihash 200,9.
    assert.equal(at(tpl.coinbase.outputs, 0).value, blockSubsidy(1, mainnet));
    assert.deepEqual(tpl.equihash, [{ n: 200, k: 9, personalization: 'ZcashPoW' }]);
  });
});

describe('template fund outputs (regtest: exchange, foundation and swap-pool outputs at height 10)', () => {
  const regtest: ConsensusParams = paramsFor('regtest');
  const t = tempDir();
  let chain: Chain;
  before(async () => {
    chain = await openMiningChain(t.dir, regtest, NO_POW);
    for (let h = 1; h < 10; h++) {
      const tpl = buildBlockTemplate({
        chain,
        params: regtest,
        payees: [],
        minerScript: MINER_SCRIPT,
        time: chain.tip().time + 120,
      });
      const r = await chain.acceptBlock(blockOf(tpl));
      assert.equal(r.status, 'connected', `${h}: ${r.rule}`);
    }
  });
  after(() => {
    chain.close();
    t.cleanup();
  });

  it('adds every fund output due, on top of the subsidy, and the chain accepts the block', async () => {
    const tpl = buildBlockTemplate({
      chain,
      params: regtest,
      payees: [],
      minerScript: MINER_SCRIPT,
      time: chain.tip().time + 120,
    });
    assert.equal(tpl.height, 10);
    const due = oneOffsAt(10, regtest);
    assert.equal(due.length, 3);
    const outs = tpl.coinbase.outputs;
    assert.equal(outs.length, 1 + due.length);
    assert.equal(at(outs, 0).value, blockSubsidy(10, regtest));
    for (const [i, o] of regtest.oneOffs.entries()) {
      assert.equal(at(outs, i + 1).value, o.amount);
      assert.ok(equalBytes(at(outs, i + 1).scriptPubKey, scriptForAddress(o.address, regtest.base58)));
    }
    const json = templateToJson(tpl, regtest);
    // fluxd writes one flux_creation pair; with all three due at once the last (swap pool) remains.
    assert.equal(json.flux_creation_address, at(regtest.oneOffs, 2).address);
    assert.equal(json.flux_creation_amount, Number(at(regtest.oneOffs, 2).amount));
    const r = await chain.acceptBlock(blockOf(tpl));
    assert.equal(r.status, 'connected', `${r.rule} ${r.reason}`);
  });

  it('a block without the swap-pool output is refused (tx-coinbase-missing-swappool-funding)', async () => {
    // Height 20 owes a swap-pool payment again (every 10 blocks, 5 times).
    for (let h = 11; h < 20; h++) {
      const tpl = buildBlockTemplate({
        chain,
        params: regtest,
        payees: [],
        minerScript: MINER_SCRIPT,
        time: chain.tip().time + 120,
      });
      assert.equal((await chain.acceptBlock(blockOf(tpl))).status, 'connected');
    }
    const tpl = buildBlockTemplate({
      chain,
      params: regtest,
      payees: [],
      minerScript: MINER_SCRIPT,
      time: chain.tip().time + 120,
    });
    assert.equal(tpl.coinbase.outputs.length, 2);
    const cb = structuredClone(tpl.coinbase);
    cb.outputs = [at(cb.outputs, 0)];
    const r = await chain.acceptBlock(withTxs(tpl, [cb]));
    assert.equal(r.rule, 'tx-coinbase-missing-swappool-funding');
  });
});

describe('template transactions from the mempool', () => {
  const t = tempDir();
  let chain: Chain;
  let pool: Mempool;
  const mined: Block[] = [];
  const ANYONE_SIG = pushData(ANYONE_REDEEM);

  function spend(
    prev: { txid: Uint8Array; index: number },
    values: bigint[],
    lockTime = 0,
    sequence = 0xffffffff,
  ): Transaction {
    return {
      version: SAPLING_TX_VERSION,
      overwintered: true,
      versionGroupId: SAPLING_VERSION_GROUP_ID,
      inputs: [{ prevout: prev, scriptSig: ANYONE_SIG, sequence }],
      outputs: values.map((value) => ({ value, scriptPubKey: ANYONE_P2SH })),
      lockTime,
      expiryHeight: 0,
      valueBalance: 0n,
      shieldedSpends: [],
      shieldedOutputs: [],
      joinSplits: [],
    };
  }
  const validate = (ahead = 0) =>
    mempoolValidator({
      params: devnet,
      tipHeight: () => chain.height() + ahead,
      getUtxo: (o) => chain.getUtxo(o),
      registry: () => chain.fluxnodes,
    });

  before(async () => {
    chain = await openMiningChain(t.dir, devnet, NO_POW);
    pool = new Mempool({ maxBytes: 1_000_000, minFeePerKb: 1000n });
    for (let h = 1; h <= 12; h++) {
      const tpl = buildBlockTemplate({
        chain,
        params: devnet,
        payees: PAYEES,
        minerScript: ANYONE_P2SH,
        time: clockOf(chain),
      });
      mined.push(blockOf(tpl));
      assert.equal((await chain.acceptBlock(blockOf(tpl))).status, 'connected');
    }
  });
  after(() => {
    chain.close();
    t.cleanup();
  });

  it('takes valid pool txs with parents first, leaves out non-final ones and their children, pays fees to the miner', async () => {
    const cb1 = { txid: txid(at(at(mined, 0).txs, 0)), index: 0 };
    const cb2 = { txid: txid(at(at(mined, 1).txs, 0)), index: 0 };
    const v1 = at(at(at(mined, 0).txs, 0).outputs, 0).value;
    const v2 = at(at(at(mined, 1).txs, 0).outputs, 0).value;
    const parent = spend(cb1, [v1 - 10_000n]);
    const child = spend({ txid: txid(parent), index: 0 }, [v1 - 30_000n]);
    // Locked until a height far ahead, with a non-final sequence: not valid in the next block.
    const locked = spend(cb2, [v2 - 50_000n], chain.height() + 100, 0);
    const lockedChild = spend({ txid: txid(locked), index: 0 }, [v2 - 90_000n]);
    // The pool refuses a transaction the next block could not carry, as fluxd's does ...
    assert.throws(
      () => pool.add(locked, validate(), 0),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'non-final',
    );
    // ... but a pool that took them on a longer chain (before a reorg) may still hold them.
    for (const [i, tx] of [parent, child].entries()) pool.add(tx, validate(), i);
    for (const [i, tx] of [locked, lockedChild].entries()) pool.add(tx, validate(100), 2 + i);
    assert.equal(pool.size, 4);

    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      mempool: pool,
      payees: PAYEES,
      minerScript: MINER_SCRIPT,
      time: clockOf(chain),
    });
    assert.deepEqual(
      tpl.entries.map((e) => e.txid),
      [reverseHex(txid(parent)), reverseHex(txid(child))],
    );
    assert.deepEqual(at(tpl.entries, 1).depends, [1]);
    assert.equal(tpl.fees, 30_000n);
    const split = coinbaseSplit(tpl.height, devnet, {
      fees: 30_000n,
      tiersPresent: ['cumulus', 'nimbus', 'stratus'],
    });
    assert.equal(at(tpl.coinbase.outputs, 0).value, split.miner);
    assert.equal(tpl.minerReward, split.miner);

    const json = templateToJson(tpl, devnet);
    assert.equal(json.height, tpl.height);
    assert.equal(json.previousblockhash, chain.tip().id);
    assert.equal(json.coinbasetxn.fee, -30_000);
    assert.equal(json.coinbasetxn.required, true);
    assert.equal(reverseHex(txid(decodeTransaction(fromHex(json.coinbasetxn.data)))), json.coinbasetxn.hash);
    assert.deepEqual(
      json.transactions.map((x) => [reverseHex(txid(decodeTransaction(fromHex(x.data)))), x.fee, x.depends]),
      [
        [reverseHex(txid(parent)), 10_000, []],
        [reverseHex(txid(child)), 20_000, [1]],
      ],
    );
    assert.equal(BigInt(`0x${json.target}`), tpl.target);
    assert.equal(Number.parseInt(json.bits, 16), tpl.header.bits);
    assert.equal(json.curtime, tpl.header.time);
    assert.equal(json.mintime, medianTimePast(chain.tip()) + 1);
    assert.equal(
      json.finalsaplingroothash,
      '3e49b5f954aa9d3545bc6c37744661eea48d7c34e3000d82b7f0010c30f4c2fb',
    );
    assert.equal(json.miner_reward, Number(split.miner));
    for (const [p, names] of [
      [at(PAYEES, 0), ['basic', 'cumulus']],
      [at(PAYEES, 1), ['super', 'nimbus']],
      [at(PAYEES, 2), ['bamf', 'stratus']],
    ] as const) {
      // fluxd's keys: the current name with `fluxnode` and `zelnode`, the legacy one with `zelnode` only.
      const [legacy, current] = names;
      for (const key of [`${current}_fluxnode`, `${legacy}_zelnode`, `${current}_zelnode`]) {
        const address = json[`${key}_address`] as string;
        assert.equal(toHex(scriptForAddress(address, devnet.base58)), p.payoutScript, key);
        assert.equal(json[`${key}_payout`], Number(split[p.tier]), key);
      }
      assert.equal(json[`${legacy}_fluxnode_address`], undefined, `fluxd has no ${legacy}_fluxnode_address`);
    }
    assert.equal(addressForScript(MINER_SCRIPT, devnet.base58)?.startsWith('tm'), true);

    const r = await chain.acceptBlock(blockOf(tpl));
    assert.equal(r.status, 'connected', `${r.rule} ${r.reason}`);
    assert.equal(chain.getUtxo({ txid: txid(child), index: 0 })?.value, v1 - 30_000n);
    pool.removeForBlock(tpl.txs, (x) => reverseHex(txid(x)));
    assert.equal(pool.size, 2);
  });

  it('a coinbase claiming the fees twice is refused (bad-cb-amount)', async () => {
    const cb3 = { txid: txid(at(at(mined, 2).txs, 0)), index: 0 };
    const tx = spend(cb3, [at(at(at(mined, 2).txs, 0).outputs, 0).value - 5_000n]);
    pool.add(tx, validate(), 10);
    const tpl = buildBlockTemplate({
      chain,
      params: devnet,
      mempool: pool,
      payees: PAYEES,
      minerScript: MINER_SCRIPT,
      time: clockOf(chain),
    });
    assert.ok(tpl.entries.some((e) => e.txid === reverseHex(txid(tx))));
    const cb = structuredClone(tpl.coinbase);
    at(cb.outputs, 0).value += tpl.fees;
    const r = await chain.acceptBlock(withTxs(tpl, [cb, ...tpl.txs.slice(1)]));
    assert.equal(r.rule, 'bad-cb-amount');
  });
});
