/**
 * Issue 3 on a real node process: a devnet node that mines and keeps paying itself is killed with
 * SIGKILL at 20 random moments and restarted after each. Every restart opens consistent, keeps
 * every block it reported as stored, and holds a UTXO set, address index and tx index equal to
 * those of a fresh node that replays its main chain block by block; the wallet reopens with its
 * keys and a balance equal to the whole UTXO set (every output on this chain is the wallet's).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AddressIndex } from '../../src/chain/address-index/address-index.ts';
import { Chain } from '../../src/chain/chain.ts';
import { TxIndexExtension } from '../../src/chain/tx-index.ts';
import { FluxNode } from '../../src/node/node.ts';
import { paramsFor } from '../../src/consensus/params/index.ts';
import type { Block } from '../../src/consensus/primitives/types.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const KILLS = 20;
const HOST = '127.0.0.97';
const params = paramsFor('devnet');
const root = mkdtempSync(join(tmpdir(), 'fluxnode-node-crash-'));
const dataDir = join(root, 'node');

after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  startHeight: number;
  /** Highest block the child said it had stored. */
  lastBlock: number;
  blocks: number;
  txs: number;
}

/** Starts the node process, lets it work for `ms` after it is ready, then SIGKILLs it. */
function runAndKill(seed: number, ms: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, HOST, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Twenty starts of the same code: compile it once.
      env: { ...process.env, NODE_COMPILE_CACHE: join(root, 'compile-cache') },
    });
    const run: Run = { startHeight: -1, lastBlock: -1, blocks: 0, txs: 0 };
    let partial = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const [what, value] = line.split(' ');
        if (what === 'ready' && run.startHeight < 0) {
          run.startHeight = Number(value);
          setTimeout(() => child.kill('SIGKILL'), ms);
        } else if (what === 'block') {
          run.blocks++;
          run.lastBlock = Math.max(run.lastBlock, Number(value));
        } else if (what === 'tx') run.txs++;
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && run.startHeight >= 0) resolve(run);
      else reject(new Error(`node exited on its own (code ${code}, signal ${signal}): ${err}`));
    });
  });
}

/** SHA-256 over the rows of the tx index, in txid order. */
function txIndexDigest(db: DatabaseSync): string {
  const h = createHash('sha256');
  for (const r of db
    .prepare('SELECT txid, height, position FROM tx_index ORDER BY txid')
    .iterate() as Iterable<{
    txid: string;
    height: number;
    position: number;
  }>) {
    h.update(`${r.txid}:${r.height}:${r.position}\n`);
  }
  return h.digest('hex');
}

/** A fresh chain with the same indexes that connects `blocks` in order, with every rule checked. */
async function replay(
  blocks: Block[],
): Promise<{ utxo: string; address: string; tx: string; height: number }> {
  const dir = mkdtempSync(join(root, 'replay-'));
  const addressIndex = new AddressIndex({ coinbaseMaturity: params.coinbaseMaturity });
  const chain = await Chain.open(dir, params, {
    extensions: [new TxIndexExtension(), addressIndex],
  });
  try {
    for (const b of blocks) {
      const r = await chain.acceptBlock(b);
      if (r.status !== 'connected') throw new Error(`replay: block ${r.id} ${r.status} ${r.rule ?? ''}`);
    }
    return {
      utxo: chain.utxoSetHash(),
      address: addressIndex.digest(),
      tx: txIndexDigest(chain.db),
      height: chain.height(),
    };
  } finally {
    chain.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`${KILLS} SIGKILLs while mining and sending: every restart equals a fresh replay`, async (t) => {
  const seed = Number(process.env.NODE_CRASH_SEED ?? Date.now() % 1_000_000);
  let rng = seed;
  const nextDelay = () => {
    rng = (rng * 1103515245 + 12345) % 2 ** 31;
    return 100 + (rng % 900);
  };
  const started = Date.now();
  let walletAddresses: string[] | undefined;
  let lastHeight = 0;
  let busyRuns = 0;
  let txsSent = 0;
  const timings = { run: 0, restart: 0, replay: 0 };
  for (let i = 0; i < KILLS; i++) {
    const delay = nextDelay();
    const t0 = Date.now();
    const run = await runAndKill(seed + i, delay);
    const t1 = Date.now();
    const where = `kill ${i} after ${delay} ms (seed ${seed})`;
    assert.equal(
      run.startHeight,
      lastHeight,
      `${where}: the node resumed at the height the last restart had`,
    );
    if (run.blocks > 0 && run.txs > 0) busyRuns++;
    txsSent += run.txs;

    // Restart: opening checks the stored state and finishes any interrupted block.
    const node = await FluxNode.start({
      network: 'devnet',
      dataDir,
      host: HOST,
      p2pPort: 0,
      apiPort: 0,
      bootstrap: [],
      rpcUser: 'crash',
      rpcPassword: 'crash',
      logLevel: 'silent',
    });
    let blocks: Block[] = [];
    let stored: { utxo: string; address: string; tx: string; height: number };
    try {
      assert.deepEqual(node.chain.checkConsistency(true), [], `${where}: consistent`);
      assert.ok(node.chain.height() >= run.lastBlock, `${where}: every block reported stored is still there`);
      for (let h = 1; h <= node.chain.height(); h++) blocks.push(node.chain.getBlock(h)!);
      stored = {
        utxo: node.chain.utxoSetHash(),
        address: node.addressIndex.digest(),
        tx: txIndexDigest(node.chain.db),
        height: node.chain.height(),
      };
      const addresses = node.wallet
        .listAddresses()
        .map((k) => k.address)
        .sort();
      walletAddresses ??= addresses;
      assert.deepEqual(addresses, walletAddresses, `${where}: the wallet reopened with its keys`);
      assert.equal(
        node.wallet.balance().total,
        node.chain.utxoStats().totalValue,
        `${where}: the wallet sees every coin`,
      );
      lastHeight = node.chain.height();
    } finally {
      await node.stop();
    }
    const t2 = Date.now();
    const fresh = await replay(blocks);
    blocks = [];
    timings.run += t1 - t0;
    timings.restart += t2 - t1;
    timings.replay += Date.now() - t2;
    assert.deepEqual(stored, fresh, `${where}: UTXO set, address index and tx index equal a fresh replay`);
  }
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(
    `seed ${seed}: height ${lastHeight}, ${txsSent} payments sent, ${busyRuns} of ${KILLS} runs mined and sent before the kill; ` +
      `${seconds.toFixed(1)} s (node runs ${timings.run} ms, restarts ${timings.restart} ms, replays ${timings.replay} ms)`,
  );
  assert.ok(
    busyRuns >= KILLS / 2,
    `most runs were killed while mining and sending (${busyRuns} of ${KILLS})`,
  );
});
