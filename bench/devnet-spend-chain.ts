/**
 * A devnet chain whose blocks carry real payments, for the sync benchmark with transactions: from
 * block 11 on, each block spends 100 P2PKH outputs (one input each, ZIP-243 signatures) and fans a
 * mature coinbase out to 200 new ones. Mined for real (Equihash 48,5 at the required bits, on every
 * core) and kept in the system's temp folder as a node data folder that `FluxNode.start` opens.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Chain } from '../src/chain/chain.ts';
import type { PoolEntry } from '../src/chain/mempool/mempool.ts';
import { reverseHex } from '../src/consensus/bytes.ts';
import { hash160 } from '../src/consensus/hash.ts';
import { publicKeyOf } from '../src/consensus/keys/keys.ts';
import { branchIdAt, paramsFor } from '../src/consensus/params/index.ts';
import {
  encodeTransaction,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../src/consensus/primitives/transaction.ts';
import type { BlockHeader, OutPoint, Transaction, TxOut } from '../src/consensus/primitives/types.ts';
import { precomputeSighash } from '../src/consensus/script/sighash.ts';
import { signInput } from '../src/consensus/script/sign.ts';
import { p2pkhScript } from '../src/consensus/script/templates.ts';
import { assembleBlock, buildBlockTemplate } from '../src/mining/template.ts';
import type { SolveJob } from './solve-worker.ts';
import { at } from '../test/support/at.ts';

const params = paramsFor('devnet');
const CACHE_VERSION = 1;
export const SPENDS_PER_BLOCK = 100;
const FAN_OUT = 200;
const FEE = 1_000n;
const KEY = new Uint8Array(32).fill(0x17);
const SCRIPT = p2pkhScript(hash160(publicKeyOf(KEY)));

/** Path of a node data folder holding such a chain of `height` blocks; builds it the first time. */
export async function cachedSpendChain(height: number): Promise<string> {
  const dir = join(tmpdir(), 'fluxnode-bench-cache', `devnet-spends-${height}-v${CACHE_VERSION}`);
  const marker = join(dir, 'complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === height) return dir;
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  await build(join(building, 'chain'), height);
  writeFileSync(join(building, 'complete'), String(height));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return dir;
}

function spendTx(inputs: OutPoint[], outputs: TxOut[]): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs: inputs.map((prevout) => ({ prevout, scriptSig: new Uint8Array(0), sequence: 0xffffffff })),
    outputs,
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function signed(t: Transaction, spent: TxOut, height: number): Transaction {
  const cache = precomputeSighash(t);
  return signInput(t, 0, KEY, spent, branchIdAt(height, params), { cache });
}

/** As the mempool would hand them to the template: in order, each with its fee. */
function entry(tx: Transaction, fee: bigint): PoolEntry {
  const size = encodeTransaction(tx).length;
  return {
    tx,
    txid: reverseHex(txid(tx)),
    fee,
    size,
    feePerKb: (fee * 1000n) / BigInt(size),
    time: 0,
    parents: new Set(),
    extraKeys: [],
    sigops: 2,
  } as PoolEntry;
}

/** Block `height`'s payments: 100 spends of earlier fan outputs, and the fan of coinbase height − 10. */
function payments(
  chain: Chain,
  height: number,
  spendable: { outpoint: OutPoint; out: TxOut }[],
): PoolEntry[] {
  if (height <= 10) return [];
  const cb = at(must(chain.getBlock(height - 10)).txs, 0);
  const value = at(cb.outputs, 0).value;
  const each = (value - FEE) / BigInt(FAN_OUT);
  const fan = signed(
    spendTx(
      [{ txid: txid(cb), index: 0 }],
      Array.from({ length: FAN_OUT }, () => ({ value: each, scriptPubKey: SCRIPT })),
    ),
    at(cb.outputs, 0),
    height,
  );
  const out = spendable
    .splice(0, SPENDS_PER_BLOCK)
    .map((u) =>
      entry(
        signed(spendTx([u.outpoint], [{ value: u.out.value - FEE, scriptPubKey: SCRIPT }]), u.out, height),
        FEE,
      ),
    );
  out.push(entry(fan, value - each * BigInt(FAN_OUT)));
  const id = txid(fan);
  for (let index = 0; index < FAN_OUT; index++)
    spendable.push({ outpoint: { txid: id, index }, out: at(fan.outputs, index) });
  return out;
}

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('bench spend chain: a block it built is missing');
  return v;
}

async function build(chainDir: string, height: number): Promise<void> {
  const chain = await Chain.open(chainDir, params);
  const workers = Array.from(
    { length: Math.max(1, availableParallelism()) },
    () => new Worker(new URL('./solve-worker.ts', import.meta.url)),
  );
  const spendable: { outpoint: OutPoint; out: TxOut }[] = [];
  const started = Date.now();
  try {
    let jobId = 0;
    while (chain.height() < height) {
      const h = chain.height() + 1;
      const pool = payments(chain, h, spendable);
      const t = buildBlockTemplate({
        chain,
        params,
        mempool: { selectForBlock: () => pool },
        minerScript: SCRIPT,
        time: Math.max(Math.floor(Date.now() / 1000), chain.tip().time + 1),
      });
      const job: SolveJob = { id: ++jobId, header: t.header, target: t.target, spec: at(t.equihash, 0) };
      const header = await new Promise<BlockHeader>((resolve) => {
        const onMessage = (msg: { id: number; header: BlockHeader }) => {
          if (msg.id !== job.id) return;
          for (const w of workers) w.off('message', onMessage);
          resolve(msg.header);
        };
        for (const w of workers) {
          w.on('message', onMessage);
          w.postMessage(job);
        }
      });
      const r = await chain.acceptBlock(assembleBlock(t, header));
      if (r.status !== 'connected')
        throw new Error(`bench spend chain: block ${r.id} ${r.status} ${r.rule ?? ''} ${r.reason ?? ''}`);
      if (h % 500 === 0) {
        process.stderr.write(
          `  bench spend chain: ${h}/${height} blocks (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
        );
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    chain.close();
  }
}
