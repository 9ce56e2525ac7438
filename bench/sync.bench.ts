/**
 * Sync between real nodes over loopback (libp2p, SQLite on disk, every Equihash solution checked):
 * headers per second, block bodies per second, and the time a fresh node takes to sync a
 * 10,000-block devnet chain (issue 4: under 30 s). The chain is mined once and cached in the temp
 * folder (see devnet-chain-cache.ts); each trial syncs into a new, empty data folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Chain } from '../src/chain/chain.ts';
import { FluxNode } from '../src/node/node.ts';
import { ByteWriter } from '../src/consensus/bytes.ts';
import { paramsFor } from '../src/consensus/params/index.ts';
import { decodeHeader } from '../src/consensus/primitives/header.ts';
import { P2PHost } from '../src/p2p/host.ts';
import { benchNodeOptions, cachedDevnetChain, copyOfChain } from './devnet-chain-cache.ts';
import { cachedSpendChain, SPENDS_PER_BLOCK } from './devnet-spend-chain.ts';
import { type Benchmark, median } from './harness.ts';
import { at } from '../test/support/at.ts';

/** SYNC_BENCH_HEIGHT shortens the chain for a quick try; the figures that count are at 10,000. */
const HEIGHT = Number(process.env.SYNC_BENCH_HEIGHT ?? 10_000);
const HEIGHT_TEXT = HEIGHT.toLocaleString('en-US');
const params = paramsFor('devnet');

let root = '';
let server: FluxNode | undefined;

/** A node serving the cached chain (the coinbase-only one unless `cache` says otherwise). */
async function startServer(
  cache: (height: number) => Promise<string> = cachedDevnetChain,
): Promise<FluxNode> {
  const cached = await cache(HEIGHT);
  root = mkdtempSync(join(tmpdir(), 'fluxnode-bench-sync-'));
  server = await FluxNode.start(benchNodeOptions(copyOfChain(cached, join(root, 'server')), '127.0.0.150'));
  return server;
}

async function stopServer(): Promise<void> {
  await server?.stop();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Starts a node in `dataDir` that knows only the server, and times it until it holds the whole chain. */
async function timeSync(dataDir: string, timeoutMs = 300_000): Promise<number> {
  const s = server!;
  const t0 = performance.now();
  const node = await FluxNode.start(benchNodeOptions(dataDir, '127.0.0.151', [at(s.p2p.multiaddrs, 0)]));
  try {
    await until('the sync', () => node.chain.height() >= HEIGHT, timeoutMs);
    const seconds = (performance.now() - t0) / 1000;
    if (node.chain.utxoSetHash() !== s.chain.utxoSetHash()) throw new Error('synced UTXO set differs');
    return seconds;
  } finally {
    await node.stop();
  }
}

let client: P2PHost | undefined;

const headers: Benchmark = {
  name: `sync: headers from a peer over loopback (${HEIGHT_TEXT}, Equihash checked)`,
  unit: 'headers/s',
  trials: 3,
  reportSeconds: true,
  async setup() {
    const s = await startServer();
    client = new P2PHost({
      network: 'devnet',
      host: '127.0.0.152',
      port: 0,
      bootstrap: [at(s.p2p.multiaddrs, 0)],
    });
    await client.start();
    await until('a connection', () => client!.peers().length > 0, 10_000);
  },
  async run() {
    const dir = mkdtempSync(join(root, 'headers-'));
    const chain = await Chain.open(dir, params);
    try {
      const t0 = performance.now();
      while (chain.bestHeader().height < HEIGHT) {
        const w = new ByteWriter();
        const locator = chain.locator(chain.bestHeader().hash);
        w.compactSize(locator.length);
        for (const h of locator) w.bytes(h);
        w.u32(2000);
        const items = await client!.request(server!.p2p.peerId, 'headers', w.finish(), { maxItems: 2000 });
        const results = await chain.acceptHeaders(items.map((b) => decodeHeader(b)));
        const bad = results.find((r) => r.status !== 'accepted');
        if (bad) throw new Error(`header ${bad.id} ${bad.status} ${bad.rule ?? ''}`);
      }
      return HEIGHT / ((performance.now() - t0) / 1000);
    } finally {
      chain.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  async teardown() {
    await client?.stop();
    await stopServer();
  },
};

let headersOnly = '';

const bodies: Benchmark = {
  name: `sync: block bodies from a peer over loopback (node with all ${HEIGHT_TEXT} headers)`,
  unit: 'blocks/s',
  trials: 3,
  reportSeconds: true,
  async setup() {
    const s = await startServer();
    // A node folder whose chain already has every header (as after the headers phase).
    headersOnly = join(root, 'headers-only');
    const chain = await Chain.open(join(headersOnly, 'chain'), params);
    try {
      for (let from = 1; from <= HEIGHT; from += 2000) {
        const batch = [];
        for (let h = from; h < from + 2000 && h <= HEIGHT; h++) batch.push(s.chain.getHeader(h)!.header);
        await chain.acceptHeaders(batch);
      }
    } finally {
      chain.close();
    }
  },
  async run() {
    const dir = copyOfChain(headersOnly, mkdtempSync(join(root, 'bodies-')));
    try {
      return HEIGHT / (await timeSync(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  teardown: stopServer,
};

const fresh: Benchmark = {
  name: `sync: a fresh node syncs a ${HEIGHT_TEXT}-block devnet chain`,
  unit: 's',
  target: '< 30 s',
  trials: 3,
  reportSeconds: true,
  async setup() {
    await startServer();
  },
  async run() {
    const dir = mkdtempSync(join(root, 'fresh-'));
    try {
      return await timeSync(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  teardown: stopServer,
};

/** Seconds of each trial of `withSpends`, for the tx/s row that reports the same runs. */
const spendTrials: number[] = [];
/** Blocks 1–10 carry only their coinbase; every later block 100 P2PKH spends (devnet-spend-chain.ts). */
const SPEND_TXS = Math.max(0, HEIGHT - 10) * SPENDS_PER_BLOCK;

const withSpends: Benchmark = {
  name: `sync: a fresh node syncs a ${HEIGHT_TEXT}-block devnet chain with ${SPENDS_PER_BLOCK} P2PKH spends per block`,
  unit: 'blocks/s',
  trials: 3,
  async setup() {
    spendTrials.length = 0;
    await startServer(cachedSpendChain);
  },
  async run() {
    const dir = mkdtempSync(join(root, 'spends-'));
    try {
      const seconds = await timeSync(dir, 3_600_000);
      spendTrials.push(seconds);
      return HEIGHT / seconds;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  reportsFigure: true,
  teardown: stopServer,
};

const withSpendsTx: Benchmark = {
  name: `sync: transactions validated by that fresh node (${SPENDS_PER_BLOCK} P2PKH spends per block)`,
  unit: 'tx/s',
  target: 'issue 14: ≥ 10,000 tx/s',
  trials: 1,
  reportsFigure: true,
  run: () => {
    if (!spendTrials.length) throw new Error('the blocks/s row did not run (filter both rows)');
    return SPEND_TXS / median(spendTrials);
  },
};

export const benchmarks: Benchmark[] = [headers, bodies, fresh, withSpends, withSpendsTx];
