/**
 * `npm run fuzz [-- --seconds S] [--target NAME…]`: every fuzz target for S seconds (default 60)
 * in rounds with fresh random seeds. A finding is shrunk, kept in test/fuzz/corpus/<target>/ (so
 * `npm test` replays it from then on) and printed with its seed. Prints per target: cases run,
 * cases per second, findings, and the longest run of cases without a finding. Exit 1 on a finding.
 */
import { parseArgs } from 'node:util';
import { openFuzzNode } from './node-fixture.ts';
import { keepInCorpus, replayCorpus, runTarget } from './run-target.ts';
import type { FuzzTarget } from './target.ts';
import { decodingTargets } from './targets/decoding.ts';
import { serverTargets } from './targets/servers.ts';
import { specTargets } from './targets/spec.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, target: { type: 'string', multiple: true } },
});
const seconds = Number(values.seconds);
const ROUND_MS = 2_000;

interface Tally {
  target: string;
  cases: number;
  ms: number;
  findings: number;
  longestClean: number;
}

async function fuzzFor(t: FuzzTarget, ms: number): Promise<Tally> {
  const tally: Tally = { target: t.name, cases: 0, ms: 0, findings: 0, longestClean: 0 };
  for (const bad of await replayCorpus(t)) {
    tally.findings++;
    process.stderr.write(`${t.name}: corpus ${bad.file} still fails: ${bad.why}\n`);
  }
  let clean = 0;
  while (tally.ms < ms) {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const run = await runTarget(t, {
      seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      timeLimitMs: Math.min(ROUND_MS, ms - tally.ms),
    });
    tally.cases += run.cases;
    tally.ms += run.ms;
    clean += run.cases;
    if (run.finding) {
      tally.findings++;
      clean = 0;
      const file = keepInCorpus(t.name, seed, run.finding.input);
      process.stderr.write(`${t.name}: FINDING (seed ${seed}): ${run.finding.why}\n  kept in ${file}\n`);
    }
    tally.longestClean = Math.max(tally.longestClean, clean);
  }
  return tally;
}

const fuzz = await openFuzzNode();
const servers = serverTargets(fuzz);
const all = [...decodingTargets, ...specTargets, ...servers.targets];
const chosen = values.target ? all.filter((t) => values.target?.includes(t.name)) : all;
const tallies: Tally[] = [];
try {
  for (const t of chosen) {
    const tally = await fuzzFor(t, seconds * 1000);
    tallies.push(tally);
    process.stdout.write(
      `${t.name.padEnd(14)} ${String(tally.cases).padStart(9)} cases ${(tally.cases / (tally.ms / 1000)).toFixed(0).padStart(7)}/s  ` +
        `${tally.findings} findings  longest clean run ${tally.longestClean} cases\n`,
    );
  }
} finally {
  servers.close();
  await fuzz.close();
}
process.exitCode = tallies.some((t) => t.findings > 0) ? 1 : 0;
