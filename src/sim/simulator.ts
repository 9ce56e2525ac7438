/**
 * The network simulator: thousands of fluxnodes on one simulated clock, each with its own view of
 * the live set, its own chain tip and its own containers, all driven by the real placement
 * (anchored `placeApps`, see planner.ts), reconciler (`planReconcile`), liveness tracker and app
 * registry. No Docker, no sockets: gossip and container starts are timed events (views.ts, cluster.ts).
 *
 * Time advances in ticks (`tickMs`). At each tick heartbeats are processed, every node's view is
 * recomputed, and each node whose inputs changed runs its reconciler: desired (its share of the
 * placement for its own view and tip) − actual (its containers). Container starts/stops, block
 * arrivals and scenario events happen at their exact times between ticks, so over/under counts
 * and convergence times are exact, not rounded to ticks.
 *
 * This file lays the run out and adds it up; world.ts holds the network, events.ts applies the
 * scenario, windows.ts measures each event's aftermath and clock.ts drives the ticks.
 */
import type { PlacementNode } from '../cloud/index.ts';
import { runClock } from './clock.ts';
import { ScenarioRunner } from './events.ts';
import { resolveOptions, type SimOptions } from './options.ts';
import { cpuFigures, type SeriesPoint, type SimReport } from './report.ts';
import { Rng } from './rng.ts';
import type { ScenarioEvent } from './scenario.ts';
import { receiverMissProbability } from './views.ts';
import { WindowRecorder } from './windows.ts';
import { makeWorkload } from './workload.ts';
import { SimWorld } from './world.ts';

export type { CpuFigures, SeriesPoint, SimReport, WindowReport } from './report.ts';
export { type ResolvedOptions, resolveOptions, type SimOptions } from './options.ts';

export function simulate(options: SimOptions): SimReport {
  const o = resolveOptions(options);
  const wall0 = performance.now();
  const progress = options.progress ?? (() => {});
  const rng = new Rng(o.seed);
  const events = [...o.scenario].sort((a, b) => a.at - b.at);
  const endAt = events.find((e) => e.kind === 'end')?.at ?? (events.at(-1)?.at ?? 0) + 60_000;
  const heightOf = blockHeights(events, o.tip);
  const expiries = events
    .filter((e) => e.kind === 'expire')
    .map((e) => ({
      height: heightOf.get(e) as number,
      count: Math.round((e as { fraction: number }).fraction * o.apps),
    }));

  progress(`building ${o.nodes.toLocaleString('en-US')} nodes and ${o.apps.toLocaleString('en-US')} apps…`);
  const work = makeWorkload({ nodes: o.nodes, apps: o.apps, tip: o.tip, expiries }, rng.fork('workload'));
  const series: SeriesPoint[] = [];
  let windows: WindowRecorder | undefined;
  const world = new SimWorld(o, work, rng, {
    verify: options.verify,
    onTargets: () => windows?.trackTargets(),
  });
  windows = new WindowRecorder(world, series);

  progress('placing the starting network…');
  const setup = layOut(world, work.nodes);
  // Placements made to lay out the starting network are reported with the setup, not in the totals.
  const setupComputed = world.planner.computed.length;

  const scenario = new ScenarioRunner(world, windows, { events, endAt, heightOf });
  for (const e of events) world.queue.schedule(e.at, () => scenario.handle(e));
  windows.open({ kind: 'start', at: 0 });
  runClock(world, windows, series, { endAt, progress });
  world.now = endAt;
  windows.close();

  const { scenario: _events, ...shown } = o;
  return {
    options: shown,
    setup,
    windows: windows.reports,
    series,
    totals: totals(world, series, { endAt, setupComputed, wallSeconds: (performance.now() - wall0) / 1000 }),
  };
}

/** Blocks the scenario will mine, in time order, at consecutive heights after the tip. */
function blockHeights(events: readonly ScenarioEvent[], tip: number): Map<ScenarioEvent, number> {
  const blockTimes: { at: number; event: ScenarioEvent }[] = [];
  for (const e of events) {
    if (e.kind === 'join') blockTimes.push({ at: e.at + e.confirmAfterMs, event: e });
    if (e.kind === 'register' || e.kind === 'expire') blockTimes.push({ at: e.at, event: e });
  }
  blockTimes.sort((a, b) => a.at - b.at);
  return new Map(blockTimes.map((b, k) => [b.event, tip + 1 + k]));
}

/** The network as it stands when the simulation starts: every node up, running its share. */
function layOut(w: SimWorld, nodes: readonly PlacementNode[]): SimReport['setup'] {
  for (const node of nodes) w.addNode(node, Number.NEGATIVE_INFINITY);
  w.views.warmStart(0);
  w.setParts(w.chain.tip);
  w.targets.setTargets(w.chain.tip.targets);
  const first = w.planner.anchorFor(w.chain.tip, 0);
  const startKey = w.views.viewKey(0, 0);
  for (let i = 0; i < w.net.size; i++) {
    w.viewKeyOf[i] = w.views.viewKey(i, 0);
    w.cluster.seedRunning(i, w.desiredFor(i, w.chain.tip, w.viewKeyOf[i]!));
  }
  const startPlan = w.planner.planFor(w.chain.tip, startKey, () => w.views.liveSetOf(startKey), 0);
  let unplaced = 0;
  for (const n of startPlan.result.unplaced.values()) unplaced += n;
  return {
    nodes: w.net.size,
    apps: w.chain.tip.apps.length,
    instances: w.targets.instances,
    unplaced,
    anchorCpu: first.anchorCpu,
    indexCpu: first.indexCpu,
  };
}

function totals(
  w: SimWorld,
  series: readonly SeriesPoint[],
  run: { endAt: number; setupComputed: number; wallSeconds: number },
): SimReport['totals'] {
  const { o, views, planner } = w;
  const all = planner.computed.slice(run.setupComputed);
  const nodeMinutes = series.reduce((s, p) => s + p.up, 0) * (o.tickMs / 60_000);
  const rounds = 60_000 / o.gossipRoundMs;
  return {
    simulatedSeconds: run.endAt / 1000,
    wallSeconds: run.wallSeconds,
    placements: cpuFigures(all.filter((c) => c.kind === 'view').map((c) => c.cpu)),
    anchors: cpuFigures(all.filter((c) => c.kind === 'anchor').map((c) => c.cpu)),
    messagesPerNodeMinute: (o.meshDegree * views.relayed) / nodeMinutes + o.lazyDegree * rounds,
    batchedMessagesPerNodeMinute: (o.meshDegree + o.lazyDegree) * rounds,
    heartbeatBytesPerNodeSecond: (o.meshDegree * views.relayed * o.heartbeatBytes) / (nodeMinutes * 60),
    // A receiver checks a head's signature once per run, and one hash-chain link per heartbeat.
    verificationsPerNodeSecond: views.relayed / o.heartbeatRun / (nodeMinutes * 60),
    hashChecksPerNodeSecond: views.relayed / (nodeMinutes * 60),
    receiverMissProbability: receiverMissProbability(o.messageLoss, o.meshDegree, o.lazyDegree),
    privateDrops: views.privateDrops,
    sourceLost: views.sourceLost,
    duplicates: w.cluster.counters.duplicates,
    indexCounters: { ...planner.indexCounters() },
  };
}
