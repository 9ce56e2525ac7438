/**
 * Memory of a node: the resident set size of an idle devnet node (empty chain, every module
 * started), measured in a process of its own so the benchmark runner's heap is not counted.
 */
import { execFileSync } from 'node:child_process';
import type { Benchmark } from './harness.ts';

export const benchmarks: Benchmark[] = [
  {
    name: 'memory: idle node resident set (own process, 3 s after start)',
    unit: 'MB',
    target: 'issue 14: ≤ 150 MB',
    trials: 3,
    reportsFigure: true,
    run: () => {
      const script = new URL('./memory-idle-node.ts', import.meta.url).pathname;
      const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
      return Number(out.trim().split('\n').at(-1)) / 1e6;
    },
  },
];
