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

const results: (BenchResult & { error?: string })[] = [];
const failed = (name: string, err: unknown) =>
  results.push({
    name,
    median: Number.NaN,
    unit: '',
    target: '',
    trials: 0,
    error: String((err as Error)?.message ?? err),
  });
for (const file of files) {
  let mod: { benchmarks: Benchmark[] };
  try {
    mod = (await import(new URL(file, dir).href)) as { benchmarks: Benchmark[] };
  } catch (err) {
    // One broken suite must not hide every other figure.
    failed(file, err);
    continue;
  }
  for (const b of mod.benchmarks) {
    if (filter && !b.name.includes(filter) && !file.includes(filter)) continue;
    if (!json) process.stderr.write(`running ${b.name} …\n`);
    try {
      results.push(await runBenchmark(b));
    } catch (err) {
      failed(b.name, err);
    }
  }
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else {
  process.stdout.write(
    `${formatTable(
      ['benchmark', 'median', 'unit', 'target', 'trials'],
      results.map((r) => [
        r.name,
        r.error ? `error: ${r.error.slice(0, 60)}` : fmt(r.median),
        r.unit,
        r.target,
        r.trials,
      ]),
    )}\n`,
  );
}
if (results.some((r) => r.error)) process.exitCode = 1;
