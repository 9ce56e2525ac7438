import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../src/chain/chain.ts';
import { mempoolValidator } from '../src/chain/mempool/accept.ts';
import { Mempool } from '../src/chain/mempool/mempool.ts';
import { hash160 } from '../src/consensus/hash.ts';
import { paramsFor } from '../src/consensus/params/index.ts';
import {
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../src/consensus/primitives/transaction.ts';
import type { OutPoint, Transaction } from '../src/consensus/primitives/types.ts';
import { pushData } from '../src/consensus/script/script.ts';
import { p2pkhScript, p2shScript } from '../src/consensus/script/templates.ts';
import { Miner } from '../src/mining/miner.ts';
import { cpuSolver } from '../src/mining/pow.ts';
import { buildBlockTemplate } from '../src/mining/template.ts';
import type { Benchmark } from './harness.ts';
import { at } from '../test/support/at.ts';

const devnet = paramsFor('devnet');
const MINER_SCRIPT = p2pkhScript(new Uint8Array(20).fill(0xa1));
// P2SH of OP_TRUE: standard outputs that spend without keys, so the pool fills quickly.
const REDEEM = Uint8Array.of(0x51);
const ANYONE = p2shScript(hash160(REDEEM));
const BLOCKS_PER_TRIAL = 20;
const POOL_TXS = 1_000;
const TEMPLATES_PER_TRIAL = 20;

function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-bench-mining-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function spend(prev: OutPoint[], values: bigint[]): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs: prev.map((prevout) => ({ prevout, scriptSig: pushData(REDEEM), sequence: 0xffffffff })),
    outputs: values.map((value) => ({ value, scriptPubKey: ANYONE })),
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

let minedChain: Chain | undefined;
let minedDir: { dir: string; cleanup: () => void } | undefined;

let poolChain: Chain | undefined;
let poolDir: { dir: string; cleanup: () => void } | undefined;
let pool: Mempool;

/** A chain whose tip can spend 1,000 separate outputs, and a pool with one spend of each. */
async function setupPool(): Promise<void> {
  poolDir = tempDir();
  const chain = await Chain.open(poolDir.dir, devnet, {
    validation: { checkPow: false },
  });
  poolChain = chain;
  const next = async (mempool?: Mempool) => {
    const t = buildBlockTemplate({
      chain,
      params: devnet,
      mempool,
      payees: [],
      minerScript: ANYONE,
      time: chain.tip().time + devnet.difficulty.targetSpacing,
    });
    const r = await chain.acceptBlock({ header: t.header, txs: t.txs });
    if (r.status !== 'connected') throw new Error(`setup block refused: ${r.rule} ${r.reason}`);
    return t;
  };
  const first = await next();
  for (let i = 0; i < devnet.coinbaseMaturity; i++) await next();
  const validate = mempoolValidator({
    params: devnet,
    tipHeight: () => chain.height(),
    getUtxo: (o) => chain.getUtxo(o),
    registry: () => chain.fluxnodes,
  });
  const fanPool = new Mempool({ maxBytes: 10_000_000, minFeePerKb: 1_000n });
  const piece = (at(first.coinbase.outputs, 0).value - 100_000n) / BigInt(POOL_TXS);
  const fan = spend([{ txid: txid(first.coinbase), index: 0 }], Array(POOL_TXS).fill(piece));
  fanPool.add(fan, validate, 0);
  await next(fanPool);
  pool = new Mempool({ maxBytes: 10_000_000, minFeePerKb: 1_000n });
  const fanId = txid(fan);
  for (let i = 0; i < POOL_TXS; i++) {
    // Varied fees so the template's fee-rate ordering has work to do.
    pool.add(
      spend([{ txid: fanId, index: i }], [piece - 1_000n - BigInt((i * 7_919) % 50_000)]),
      validate,
      i,
    );
  }
  if (pool.size !== POOL_TXS) throw new Error(`pool holds ${pool.size} transactions`);
}

export const benchmarks: Benchmark[] = [
  {
    name: `mining: devnet blocks mined and connected (CPU Equihash 48,5, ${BLOCKS_PER_TRIAL} per trial)`,
    unit: 'blocks/s',
    target: 'devnet: a block well under a second',
    trials: 3,
    setup: async () => {
      minedDir = tempDir();
      minedChain = await Chain.open(minedDir.dir, devnet);
    },
    run: async () => {
      const chain = minedChain!;
      const miner = new Miner({
        chain,
        params: devnet,
        minerScript: MINER_SCRIPT,
        solver: cpuSolver,
        now: () => chain.tip().time + devnet.difficulty.targetSpacing,
        maxBlocks: BLOCKS_PER_TRIAL,
      });
      miner.start();
      await miner.whenStopped();
      return miner.stats().blocksFound;
    },
    teardown: () => {
      minedChain?.close();
      minedDir?.cleanup();
    },
  },
  {
    name: `mining: block templates built (mempool of ${POOL_TXS.toLocaleString('en-US')} txs)`,
    unit: 'templates/s',
    target: 'a fresh template per tip or per few seconds',
    trials: 5,
    setup: setupPool,
    run: () => {
      const chain = poolChain!;
      let txs = 0;
      for (let i = 0; i < TEMPLATES_PER_TRIAL; i++) {
        const t = buildBlockTemplate({
          chain,
          params: devnet,
          mempool: pool,
          payees: [],
          minerScript: MINER_SCRIPT,
          time: chain.tip().time + devnet.difficulty.targetSpacing,
          extraNonce: i,
        });
        txs += t.entries.length;
      }
      if (txs !== TEMPLATES_PER_TRIAL * POOL_TXS) throw new Error(`templates held ${txs} transactions`);
      return TEMPLATES_PER_TRIAL;
    },
    teardown: () => {
      poolChain?.close();
      poolDir?.cleanup();
    },
  },
];
