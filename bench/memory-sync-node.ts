/**
 * Child process of memory.bench.ts: a fresh node syncs HEIGHT blocks from the peer given as
 * argv[2]; it prints the largest resident set size seen while syncing, in bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FluxNode } from '../src/node/node.ts';
import { benchNodeOptions } from './devnet-chain-cache.ts';

const peer = process.argv[2] ?? '';
const height = Number(process.argv[3]);
const dir = mkdtempSync(join(tmpdir(), 'fluxnode-bench-syncmem-'));
const node = await FluxNode.start(benchNodeOptions(dir, '127.0.0.154', [peer]));
let peak = 0;
try {
  const end = Date.now() + 600_000;
  while (node.chain.height() < height) {
    if (Date.now() > end) throw new Error(`sync stalled at ${node.chain.height()} of ${height}`);
    peak = Math.max(peak, process.memoryUsage().rss);
    await sleep(50);
  }
  process.stdout.write(`${Math.max(peak, process.memoryUsage().rss)}\n`);
} finally {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}
