/**
 * The short, seeded fuzz run of `npm test` (under ten seconds): every target replays its kept
 * corpus under test/fuzz/corpus/, then checks a fixed number of generated inputs from a fixed
 * seed, so a failure here is reproducible. `npm run fuzz` runs the same targets for long.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFuzzNode, type FuzzNode } from '../fuzz/node-fixture.ts';
import { replayCorpus, runTarget } from '../fuzz/run-target.ts';
import type { FuzzTarget } from '../fuzz/target.ts';
import { decodingTargets } from '../fuzz/targets/decoding.ts';
import { serverTargets } from '../fuzz/targets/servers.ts';
import { specTargets } from '../fuzz/targets/spec.ts';
import { must } from '../../src/consensus/must.ts';

const SEED = 13;
/** Cases per target: decoders are fast, servers answer over sockets. */
const RUNS: Record<string, number> = {
  'decode-block': 4_000,
  'decode-tx': 5_000,
  'decode-header': 5_000,
  'spec-validate': 8_000,
  'spec-parse': 2_000,
  rpc: 5_000,
  rest: 1_500,
  stratum: 3_000,
  p2p: 10_000,
};

function fuzzes(t: FuzzTarget): void {
  it(`${t.name}: the kept corpus and ${RUNS[t.name]} seeded inputs give no finding`, async () => {
    assert.deepEqual(await replayCorpus(t), [], 'corpus replays clean');
    const run = await runTarget(t, { seed: SEED, numRuns: RUNS[t.name] ?? 100 });
    assert.equal(run.finding, undefined, JSON.stringify(run.finding));
    assert.equal(run.cases, RUNS[t.name]);
  });
}

describe('fuzzing decoders and spec validation', () => {
  for (const t of [...decodingTargets, ...specTargets]) fuzzes(t);
});

describe('fuzzing the servers of one node', () => {
  let fuzz: FuzzNode;
  let servers: ReturnType<typeof serverTargets>;
  before(async () => {
    fuzz = await openFuzzNode();
    servers = serverTargets(fuzz);
  });
  after(async () => {
    servers.close();
    await fuzz.close();
  });
  // Targets are made from the running node, so they are looked up by name once it is up.
  for (const name of ['rpc', 'rest', 'stratum', 'p2p'])
    it(`${name}: the kept corpus and ${RUNS[name]} seeded inputs give no finding`, async () => {
      const t = servers.targets.find((x) => x.name === name);
      assert.ok(t, name);
      assert.deepEqual(await replayCorpus(t), [], 'corpus replays clean');
      const run = await runTarget(t, { seed: SEED, numRuns: must(RUNS[name], 'RUNS[name]') });
      assert.equal(run.finding, undefined, JSON.stringify(run.finding));
      assert.equal(run.cases, RUNS[name]);
    });
});
