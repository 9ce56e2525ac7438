/**
 * Memory of a node: the resident set size of an idle devnet node (empty chain, every module
 * started) and the largest one of a fresh node while it syncs the cached devnet chain from a
 * peer, each measured in a process of its own so the benchmark runner's heap is not counted.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FluxNode } from '../src/node/node.ts';
import { benchNodeOptions, cachedDevnetChain, copyOfChain } from './devnet-chain-cache.ts';
import type { Benchmark } from './harness.ts';

/** The V8 flags the node runs with: those on bin/fluxnode.js's `#!` line, so the figures are the node's as launched. */
function nodeFlags(): string[] {
  const line = readFileSync(new URL('../bin/fluxnode.js', import.meta.url), 'utf8').split('\n')[0] ?? '';
  return (line.split(/\bnode\b/)[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter((f) => f.startsWith('--'));
}

/** SYNC_BENCH_HEIGHT shortens the chain for a quick try; the figure that counts is at 10,000. */
const HEIGHT = Number(process.env.SYNC_BENCH_HEIGHT ?? 10_000);
let root = '';
let server: FluxNode | undefined;

export const benchmarks: Benchmark[] = [
  {
    name: 'memory: idle node resident set (own process, 3 s after start)',
    unit: 'MB',
    target: 'issue 14: ≤ 150 MB',
    trials: 3,
    reportsFigure: true,
    run: () => {
      const script = new URL('./memory-idle-node.ts', import.meta.url).pathname;
      const out = execFileSync(process.execPath, [...nodeFlags(), script], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      return Number(out.trim().split('\n').at(-1)) / 1e6;
    },
  },
  {
    name: `memory: largest resident set of a fresh node syncing ${HEIGHT.toLocaleString('en-US')} blocks`,
    unit: 'MB',
    target: 'issue 14: ≤ 300 MB',
    trials: 1,
    reportsFigure: true,
    async setup() {
      const cached = await cachedDevnetChain(HEIGHT);
      root = mkdtempSync(join(tmpdir(), 'fluxnode-bench-syncmem-server-'));
      server = await FluxNode.start(
        benchNodeOptions(copyOfChain(cached, join(root, 'server')), '127.0.0.155'),
      );
    },
    async run() {
      const script = new URL('./memory-sync-node.ts', import.meta.url).pathname;
      const peer = String(server?.p2p.multiaddrs[0] ?? '');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...nodeFlags(), script, peer, String(HEIGHT)],
        {
          encoding: 'utf8',
          timeout: 900_000,
        },
      );
      return Number(stdout.trim().split('\n').at(-1)) / 1e6;
    },
    async teardown() {
      await server?.stop();
      server = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  },
];
