/**
 * `npm run bench [-- FILTER] [--json]`: runs every suite in bench/*.bench.ts and prints one table of medians.
 */
import { readdirSync } from 'node:fs';
import { formatTable } from '../src/cli/output.ts';
import { type Benchmark, type BenchResult, runBenchmark } from './harness.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const filter = args.find((a) => !a.startsWith('--'));
const dir = new URL('.', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

const results: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { benchmarks: Benchmark[] };
  for (const b of mod.benchmarks) {
    if (filter && !b.name.includes(filter) && !file.includes(filter)) continue;
    if (!json) process.stderr.write(`running ${b.name} …\n`);
    results.push(await runBenchmark(b));
  }
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else {
  process.stdout.write(
    `${formatTable(
      ['benchmark', 'median', 'unit', 'target', 'trials'],
      results.map((r) => [r.name, fmt(r.median), r.unit, r.target, r.trials]),
    )}\n`,
  );
}
