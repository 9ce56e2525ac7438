/**
 * The must-show scenario of the network simulator: 12,270 fluxnodes and 20,000 apps, 5% of the nodes
 * killed at once. One simulated run (it takes a while), several figures from it:
 * - simulated seconds from the moment the dead leave every view to exact instance counts
 *   (target: within 3 heartbeat intervals = 15 s), and from the kill itself;
 * - the slowest placement computed, and the placement CPU one node spent on the event (< 2 s);
 * - heartbeat cost: signature checks per node per second with heartbeats signed once per run of 12
 *   (the rest proven by a hash chain, as the agent sends them; ≤ 500/s), against a signature on every
 *   heartbeat, and the detection time that results (kill → dead out of every view → instances
 *   running elsewhere).
 * `node bench/run.ts simulate`; the same run as `fluxnode simulate --scenario kill`.
 */
import { type SimReport, simulate } from '../src/sim/index.ts';
import type { Benchmark } from './harness.ts';

const NODES = 12_270;
const APPS = 20_000;
let report: SimReport | undefined;
let fixedPeriod: SimReport | undefined;

function run(): SimReport {
  report ??= simulate({
    nodes: NODES,
    apps: APPS,
    seed: 1,
    scenario: 'kill',
    progress: (line) => process.stderr.write(`  ${line}\n`),
  });
  return report;
}

/** The same run with a signature on every heartbeat (as before the runs), same 5 s period. */
function runFixed(): SimReport {
  fixedPeriod ??= simulate({
    nodes: NODES,
    apps: APPS,
    seed: 1,
    scenario: 'kill',
    heartbeatMs: 5000,
    heartbeatRun: 1,
  });
  return fixedPeriod;
}

function killWindow(r: SimReport = run()) {
  const w = r.windows.find((x) => x.event.startsWith('kill'));
  if (!w || w.convergedAfter === null || w.detectedAfter === null)
    throw new Error('the kill did not converge');
  if (w.endOver !== 0 || w.duplicates !== 0) throw new Error('over target or duplicates at the end');
  return w;
}

const scale = `${NODES.toLocaleString('en-US')} nodes, ${APPS.toLocaleString('en-US')} apps`;

export const benchmarks: Benchmark[] = [
  {
    name: `simulate kill 5% (${scale}): exact counts after the dead left every view`,
    unit: 's simulated',
    target: '<= 15 s (3 intervals)',
    trials: 1,
    reportSeconds: true,
    run: () => {
      const w = killWindow();
      return (w.convergedAfter as number) - (w.detectedAfter as number);
    },
  },
  {
    name: 'simulate kill 5%: exact counts after the kill',
    unit: 's simulated',
    target: '3 intervals + hold-back + start',
    trials: 1,
    reportSeconds: true,
    run: () => killWindow().convergedAfter as number,
  },
  {
    name: 'simulate kill 5%: slowest re-plan (CPU)',
    unit: 's',
    target: '< 2 s',
    trials: 1,
    reportSeconds: true,
    run: () => killWindow().placements.max,
  },
  {
    name: 'simulate kill 5%: re-plan CPU per node for the event',
    unit: 's',
    target: '< 2 s',
    trials: 1,
    reportSeconds: true,
    run: () => killWindow().nodeCpuMax,
  },
  {
    name: `heartbeat signature checks per node (${scale}, signed runs of 12)`,
    unit: 'checks/s',
    reportSeconds: true,
    target: '<= 500',
    trials: 1,
    run: () => run().totals.verificationsPerNodeSecond,
  },
  {
    name: 'heartbeat hash-chain checks per node (signed runs of 12)',
    unit: 'hashes/s',
    trials: 1,
    reportSeconds: true,
    run: () => run().totals.hashChecksPerNodeSecond,
  },
  {
    name: 'heartbeat period chosen for that size',
    unit: 's',
    trials: 1,
    reportSeconds: true,
    run: () => run().options.heartbeatMs / 1000,
  },
  {
    name: 'simulate kill 5%: the dead left every view (detection)',
    unit: 's simulated',
    target: '3 periods + hold-back',
    reportSeconds: true,
    trials: 1,
    run: () => killWindow().detectedAfter as number,
  },
  {
    name: 'heartbeat signature checks per node, a signature on every heartbeat (before)',
    unit: 'checks/s',
    reportSeconds: true,
    trials: 1,
    run: () => runFixed().totals.verificationsPerNodeSecond,
  },
  {
    name: 'simulate kill 5%, a signature on every heartbeat: exact counts after the kill',
    unit: 's simulated',
    trials: 1,
    reportSeconds: true,
    run: () => killWindow(runFixed()).convergedAfter as number,
  },
  {
    name: 'simulate kill 5%: wall time of the whole simulation',
    unit: 's',
    trials: 1,
    reportSeconds: true,
    run: () => run().totals.wallSeconds,
  },
];
