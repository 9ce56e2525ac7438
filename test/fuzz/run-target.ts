/**
 * Runs one target: its kept corpus first (every file under test/fuzz/corpus/<target>/ is an input
 * that once found something, or a seed worth keeping), then generated inputs from a seed, for a
 * number of cases or until a time limit. A finding comes back shrunk to a small input.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type FuzzTarget, fromCorpusJson, toCorpusJson } from './target.ts';

export const CORPUS_DIR = new URL('./corpus/', import.meta.url).pathname;

export interface TargetRun {
  target: string;
  cases: number;
  ms: number;
  finding?: { why: string; input: unknown; seed: number };
}

export function corpusOf(target: string): { file: string; input: unknown }[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: join(dir, f), input: fromCorpusJson(readFileSync(join(dir, f), 'utf8')) }));
}

/** Keeps a finding's input as a corpus file (named by target and seed), so every later run replays it. */
export function keepInCorpus(target: string, seed: number, input: unknown): string {
  const dir = join(CORPUS_DIR, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `finding-${seed}.json`);
  writeFileSync(file, `${toCorpusJson(input)}\n`);
  return file;
}

export async function replayCorpus(t: FuzzTarget): Promise<{ file: string; why: string }[]> {
  const out: { file: string; why: string }[] = [];
  for (const { file, input } of corpusOf(t.name)) {
    const why = await t.check(input);
    if (why) out.push({ file, why });
  }
  return out;
}

export async function runTarget(
  t: FuzzTarget,
  opts: { seed: number; numRuns: number; timeLimitMs?: number },
): Promise<TargetRun> {
  let why = '';
  const property = fc.asyncProperty(t.input, async (input) => {
    const finding = await t.check(input);
    if (finding) why = finding;
    return finding === undefined;
  });
  const started = performance.now();
  const result = await fc.check(property, {
    seed: opts.seed,
    numRuns: opts.numRuns,
    interruptAfterTimeLimit: opts.timeLimitMs,
    markInterruptAsFailure: false,
  });
  const ms = performance.now() - started;
  const run: TargetRun = { target: t.name, cases: result.numRuns, ms };
  if (result.failed && result.counterexample)
    run.finding = { why, input: result.counterexample[0], seed: opts.seed };
  return run;
}
