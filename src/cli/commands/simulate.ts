/**
 * `fluxnode simulate`: a whole network on a simulated clock, driven by the real placement,
 * reconciler, liveness and registry code (no Docker, no sockets). Prints, per event, how long the
 * network took to see it and to get back to exact instance counts, the worst over/under target
 * counts, the gossip load and the CPU each node spent on placement.
 *
 *   fluxnode simulate [--nodes 12270] [--apps 20000] [--seed 1] [--scenario full|kill] [--json]
 *                     [--steps] [--svg FILE] [--quiet] [model options, see --help]
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe } from './list.ts';
import { HEARTBEAT_CHECK_BUDGET, heartbeatPeriodMs } from '../../cloud/index.ts';
import {
  type PlacerKind,
  type ScenarioName,
  type SimReport,
  simulate,
  svgChart,
  timelinePanel,
  type WindowReport,
} from '../../sim/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';

interface SimulateOptions {
  nodes: string;
  apps: string;
  seed: string;
  scenario: string;
  kill: string;
  interval?: string;
  run: string;
  missed: string;
  holdBack: string;
  tick: string;
  loss: string;
  start: string;
  placer: string;
  json?: boolean;
  steps?: boolean;
  svg?: string;
  quiet?: boolean;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const clean = text.trim().replaceAll('_', '').replaceAll(',', '');
  if (!/^\d+$/.test(clean)) throw new CliError(`${flag}: "${text}" is not a whole number`);
  const n = Number(clean);
  if (n < min || n > max) throw new CliError(`${flag}: ${n} is outside ${min}..${max}`);
  return n;
}

function decimal(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag}: "${text}" is not a number`);
  if (n < min || n > max) throw new CliError(`${flag}: ${n} is outside ${min}..${max}`);
  return n;
}

/** `2-6` (seconds) → [2000, 6000] ms. */
function secondsRange(text: string, flag: string): [number, number] {
  const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) throw new CliError(`${flag}: "${text}" is not a range of seconds like 2-6`);
  const [lo, hi] = [Number(m[1]), Number(m[2])];
  if (lo > hi) throw new CliError(`${flag}: ${lo} is above ${hi}`);
  return [lo * 1000, hi * 1000];
}

function placerKind(text: string): PlacerKind {
  if (text === 'incremental' || text === 'index' || text === 'scan') return text;
  throw new CliError(`--placer: "${text}" is not one of: incremental, index, scan`);
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const s1 = (x: number | null) => (x === null ? '—' : x.toFixed(1));
const s2 = (x: number) => x.toFixed(2);

function eventRows(windows: WindowReport[]): (string | number)[][] {
  return windows.map((w) => [
    w.event,
    s1(w.at),
    s1(w.detectedAfter),
    w.convergedAfter === null ? (w.event === 'partition' ? 'held' : 'no') : s1(w.convergedAfter),
    n0(w.maxOver),
    n0(w.maxUnder),
    n0(w.creates),
    n0(w.removes),
    w.duplicates,
    w.maxViews,
    w.placements.count,
    w.placements.count ? s2(w.placements.max) : '—',
    s2(w.nodeCpuMax),
  ]);
}

/** The must-show figures, from the first `kill` window. */
export function mustShow(report: SimReport) {
  const w = report.windows.find((x) => x.event.startsWith('kill'));
  if (!w) return undefined;
  const I = report.options.heartbeatMs / 1000;
  const repair =
    w.convergedAfter !== null && w.detectedAfter !== null ? w.convergedAfter - w.detectedAfter : null;
  return {
    event: w.event,
    heartbeatSeconds: I,
    exactAfterSeconds: w.convergedAfter,
    exactAfterIntervals: w.convergedAfter === null ? null : w.convergedAfter / I,
    deadLeftEveryViewAfterSeconds: w.detectedAfter,
    repairAfterDetectionSeconds: repair,
    repairWithin3Intervals: repair !== null && repair <= 3 * I,
    overTargetMax: w.maxOver,
    overTargetBackToZero: w.endOver === 0,
    underTargetBackToZero: w.endUnder === 0,
    duplicates: w.duplicates,
    nodePlacementCpuSeconds: w.nodeCpuMax,
    nodePlacementCpuUnder2s: w.nodeCpuMax < 2,
    cpuPerPlacementMaxSeconds: w.placements.max,
  };
}

function printHuman(r: SimReport, steps: boolean): void {
  const o = r.options;
  const lines: string[] = [];
  lines.push(
    `fluxnode simulate: ${n0(r.setup.nodes)} nodes, ${n0(r.setup.apps)} apps (${n0(r.setup.instances)} instances), ` +
      `seed ${o.seed}, scenario ${o.scenarioName}`,
  );
  lines.push(
    `heartbeat every ${o.heartbeatMs / 1000} s (signed once per ${o.heartbeatRun}), not live after ${o.missedIntervals} silent intervals, hold-back ` +
      `${o.holdBackMs / 1000} s, tick ${o.tickMs / 1000} s; gossip mesh ${o.meshDegree}, message loss ` +
      `${(o.messageLoss * 100).toFixed(1)}%; container start ${o.startMs[0] / 1000}-${o.startMs[1] / 1000} s; ` +
      `placer ${o.placer}`,
  );
  lines.push('');
  lines.push(
    formatTable(
      [
        'event',
        'at s',
        'seen s',
        'exact s',
        'max over',
        'max under',
        'starts',
        'stops',
        'dup',
        'views',
        'placements',
        'max CPU s',
        'node CPU s',
      ],
      eventRows(r.windows),
    ),
  );
  lines.push(
    "  seen: seconds until every up node's view showed the event; exact: until over = under = 0 for good;",
    '  views: most distinct (tip, live set) views at one tick; placements: distinct ones computed, the',
    '  slowest in CPU seconds; node CPU: the most CPU one node spent on placement in the window.',
  );
  lines.push('');
  const t = r.totals;
  lines.push(
    `gossip per node: ${n0(t.messagesPerNodeMinute)} messages/min (one per heartbeat copy; ${n0(t.batchedMessagesPerNodeMinute)}/min ` +
      `if batched per round), ${(t.heartbeatBytesPerNodeSecond / 1e6).toFixed(2)} MB/s of heartbeats, ` +
      `${n0(t.verificationsPerNodeSecond)} signature checks/s (one per run of ${r.options.heartbeatRun}), ` +
      `${n0(t.hashChecksPerNodeSecond)} hash-chain checks/s`,
  );
  lines.push(
    `placement: ${t.placements.count} distinct views computed, CPU per placement mean ${s2(t.placements.mean)} s, ` +
      `max ${s2(t.placements.max)} s; ${t.anchors.count} new tips (index update + anchor) max ${s2(t.anchors.max)} s; ` +
      `a node's first placement (index from nothing) ${s2(r.setup.indexCpu + r.setup.anchorCpu)} s`,
  );
  lines.push(
    `two containers of one app on one node: ${t.duplicates}; simulated ${n0(t.simulatedSeconds)} s in ${s1(t.wallSeconds)} s`,
  );
  const m = mustShow(r);
  if (m) {
    lines.push('');
    lines.push(
      `must-show (${m.event}): exact counts ${s1(m.exactAfterSeconds)} s after the kill (${s1(m.exactAfterIntervals)} intervals); ` +
        `the dead left every view after ${s1(m.deadLeftEveryViewAfterSeconds)} s (the ${o.missedIntervals}-interval rule), ` +
        `then repair took ${s1(m.repairAfterDetectionSeconds)} s (within 3 intervals: ${m.repairWithin3Intervals ? 'yes' : 'NO'})`,
    );
    lines.push(
      `  over target: max ${m.overTargetMax}, back to 0: ${m.overTargetBackToZero ? 'yes' : 'NO'}; two of one app on one node: ` +
        `${m.duplicates}; placement CPU per node ${s2(m.nodePlacementCpuSeconds)} s (under 2 s: ${m.nodePlacementCpuUnder2s ? 'yes' : 'NO'})`,
    );
  }
  if (steps) {
    lines.push('');
    let prev = '';
    const rows: (string | number)[][] = [];
    for (const p of r.series) {
      const key = `${p.over}/${p.under}/${p.views}/${p.up}`;
      if (key === prev) continue;
      prev = key;
      rows.push([s1(p.t), n0(p.over), n0(p.under), p.views, n0(p.up)]);
    }
    lines.push('steps (rows where something changed):');
    lines.push(formatTable(['t s', 'over', 'under', 'views', 'up nodes'], rows));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description(describe('simulate'))
    .option('--nodes <n>', 'fluxnodes at the start', '12270')
    .option('--apps <n>', 'registered apps at the start', '20000')
    .option('--seed <n>', 'seed: the same seed replays the same run', '1')
    .option(
      '--scenario <name>',
      'full (kill, restart, join, partition, heal, heartbeat loss, apps) or kill',
      'full',
    )
    .option('--kill <percent>', 'share of nodes killed at once', '5')
    .option(
      '--interval <s>',
      'heartbeat interval in seconds (default: what a node uses at this size, ≥ 5 s and ≤ 500 signature checks/s)',
    )
    .option(
      '--run <n>',
      'heartbeats per signed head (the rest are proven by a hash chain; 1: a signature on every one)',
      '12',
    )
    .option('--missed <n>', 'silent intervals before a node leaves the live set', '3')
    .option('--hold-back <s>', 'seconds a heartbeat waits before it counts (gossip delay + clock skew)', '1')
    .option('--tick <s>', 'seconds between live-set evaluations', '1')
    .option('--loss <p>', 'probability that one gossip message is lost', '0.01')
    .option('--start <range>', 'seconds a container takes to start (pull + create + start)', '2-6')
    .option(
      '--placer <kind>',
      'incremental (re-place only what lost a node), index (placeApps + ranked candidates) or scan (placeApps scanning every node)',
      'incremental',
    )
    .option('--json', 'machine-readable output (with the per-step series)')
    .option('--steps', 'also print over/under target at every step where it changes')
    .option('--svg <file>', 'write a plot of over/under target over time')
    .option('--quiet', 'no progress on stderr')
    .action((opts: SimulateOptions) => {
      const scenario = opts.scenario;
      if (scenario !== 'full' && scenario !== 'kill')
        throw new CliError(`--scenario: "${scenario}" is not one of: full, kill`);
      const nodes = wholeNumber(opts.nodes, '--nodes', 10, 1_000_000);
      const apps = wholeNumber(opts.apps, '--apps', 1, 10_000_000);
      const run = wholeNumber(opts.run, '--run', 1, 65_536);
      const interval =
        opts.interval === undefined
          ? heartbeatPeriodMs(nodes, 5000, HEARTBEAT_CHECK_BUDGET, run) / 1000
          : decimal(opts.interval, '--interval', 0.1, 3600);
      const tick = decimal(opts.tick, '--tick', 0.01, interval);
      const report = simulate({
        nodes,
        apps,
        seed: wholeNumber(opts.seed, '--seed', 0, 0xffffffff),
        scenario: scenario as ScenarioName,
        killFraction: decimal(opts.kill, '--kill', 0, 100) / 100,
        heartbeatMs: interval * 1000,
        heartbeatRun: run,
        missedIntervals: wholeNumber(opts.missed, '--missed', 1, 100),
        holdBackMs: decimal(opts.holdBack, '--hold-back', 0, interval) * 1000,
        tickMs: tick * 1000,
        messageLoss: decimal(opts.loss, '--loss', 0, 1),
        startMs: secondsRange(opts.start, '--start'),
        placer: placerKind(opts.placer),
        progress: opts.quiet ? undefined : (line) => process.stderr.write(`simulate: ${line}\n`),
      });
      if (opts.svg) {
        writeFileSync(opts.svg, svgChart([timelinePanel(report)], { panelWidth: 900, height: 360 }));
      }
      if (opts.json) printJson({ ...report, mustShow: mustShow(report) });
      else printHuman(report, opts.steps === true);
    });
}
