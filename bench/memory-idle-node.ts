/**
 * Child process of memory.bench.ts: starts one devnet node on an empty data folder, lets it
 * settle, and prints its resident set size in bytes, so the figure is this node's alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FluxNode } from '../src/node/node.ts';
import { benchNodeOptions } from './devnet-chain-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxnode-bench-idle-'));
const node = await FluxNode.start(benchNodeOptions(dir, '127.0.0.153'));
try {
  await sleep(3000);
  process.stdout.write(`${process.memoryUsage().rss}\n`);
} finally {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}
