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
 */
import type { DesiredComponent, PaidSpec, PlacementNode } from '../cloud/index.ts';
import { type BlockChanges, type ChainVersion, SimChain } from './chain.ts';
import { Cluster } from './cluster.ts';
import { Network } from './network.ts';
import { Planner } from './planner.ts';
import { EventQueue } from './queue.ts';
import { resolveOptions, type SimOptions } from './options.ts';
import { Rng } from './rng.ts';
import type { ScenarioEvent } from './scenario.ts';
import { cpuFigures, eventLabel, type SeriesPoint, type SimReport, type WindowReport } from './report.ts';
import { TargetCounter } from './targets.ts';
import { type GossipParams, LiveViews, receiverMissProbability } from './views.ts';
import { makeNodes, makeSpec, makeWorkload, maxInstancesFor, paidAt } from './workload.ts';

export type { CpuFigures, SeriesPoint, SimReport, WindowReport } from './report.ts';
export { type ResolvedOptions, resolveOptions, type SimOptions } from './options.ts';

interface Window {
  event: ScenarioEvent | { kind: 'start'; at: number };
  label: string;
  at: number;
  detectedAt: number | null;
  detect: (() => boolean) | undefined;
  maxOver: number;
  maxUnder: number;
  zeroSince: number | null;
  creates: number;
  removes: number;
  duplicates: number;
  maxViews: number;
  relayed: number;
  nodeMs: number;
}

export function simulate(options: SimOptions): SimReport {
  const o = resolveOptions(options);
  const wall0 = performance.now();
  const progress = options.progress ?? (() => {});
  const I = o.heartbeatMs;
  const rng = new Rng(o.seed);
  const events = [...o.scenario].sort((a, b) => a.at - b.at);
  const endAt = events.find((e) => e.kind === 'end')?.at ?? (events.at(-1)?.at ?? 0) + 60_000;

  // Blocks the scenario will mine, in time order, at consecutive heights after the tip.
  const blockTimes: { at: number; event: ScenarioEvent }[] = [];
  for (const e of events) {
    if (e.kind === 'join') blockTimes.push({ at: e.at + e.confirmAfterMs, event: e });
    if (e.kind === 'register' || e.kind === 'expire') blockTimes.push({ at: e.at, event: e });
  }
  blockTimes.sort((a, b) => a.at - b.at);
  const heightOf = new Map(blockTimes.map((b, k) => [b.event, o.tip + 1 + k]));
  const expiries = events
    .filter((e) => e.kind === 'expire')
    .map((e) => ({
      height: heightOf.get(e) as number,
      count: Math.round((e as { fraction: number }).fraction * o.apps),
    }));

  progress(`building ${o.nodes.toLocaleString('en-US')} nodes and ${o.apps.toLocaleString('en-US')} apps…`);
  const work = makeWorkload({ nodes: o.nodes, apps: o.apps, tip: o.tip, expiries }, rng.fork('workload'));
  const chain = new SimChain(work.paid, work.nodes, o.tip);
  const net = new Network();
  const gossip: GossipParams = {
    heartbeatMs: I,
    missedIntervals: o.missedIntervals,
    holdBackMs: o.holdBackMs,
    tickMs: o.tickMs,
    meshDegree: o.meshDegree,
    lazyDegree: o.lazyDegree,
    gossipRoundMs: o.gossipRoundMs,
    messageLoss: o.messageLoss,
  };
  const views = new LiveViews(net, gossip, rng.fork('gossip'));
  const queue = new EventQueue();
  const planner = new Planner({ placer: o.placer, epoch: o.epoch, verify: options.verify });
  const eventRng = rng.fork('events');
  const delayRng = rng.fork('delays');

  let now = 0;
  let window: Window | undefined;
  const windows: WindowReport[] = [];
  const series: SeriesPoint[] = [];
  const targets = new TargetCounter(() => {
    if (!window) return;
    if (targets.over > window.maxOver) window.maxOver = targets.over;
    if (targets.under > window.maxUnder) window.maxUnder = targets.under;
    const zero = targets.over === 0 && targets.under === 0;
    if (zero && window.zeroSince === null) window.zeroSince = now;
    if (!zero) window.zeroSince = null;
  });

  const chainVer: number[] = [];
  const viewKeyOf: string[] = [];
  const chargedVersion: number[] = [];
  const chargedKey: string[] = [];
  let nodeCpu: number[] = [];

  const cluster = new Cluster({
    net,
    queue,
    rng: delayRng,
    delays: { startMs: o.startMs, stopMs: o.stopMs },
    onInstance: (app, delta) => targets.change(app, delta),
    onContainerEvent: (i) => reconcileNode(i),
  });

  const addNode = (node: PlacementNode, at: number): number => {
    const i = net.add(node.id, at, eventRng.range(0, I));
    views.addNode(i, Number.isFinite(at) ? at : 0);
    cluster.addNode(i);
    chainVer[i] = chain.tip.version;
    viewKeyOf[i] = '';
    chargedVersion[i] = -1;
    chargedKey[i] = '';
    return i;
  };

  const setParts = (v: ChainVersion) => {
    for (const [app, parts] of v.components) cluster.setParts(app, parts.length);
  };

  const desiredFor = (i: number, v: ChainVersion, key: string): DesiredComponent[] => {
    const plan = planner.planFor(v, key, () => views.liveSetOf(key), now);
    const planKey = `${v.version}|${key}`;
    if (chargedKey[i] !== planKey) {
      if (chargedVersion[i] !== v.version) {
        const a = planner.anchorFor(v, now);
        // A node's first placement (at start or when it joins) builds its candidate index from
        // nothing: a one-off start-up cost, reported with the setup, not with the events.
        if (chargedVersion[i]! >= 0) nodeCpu[i] = (nodeCpu[i] ?? 0) + a.indexCpu + a.anchorCpu;
        chargedVersion[i] = v.version;
      }
      if (chargedKey[i] !== '') nodeCpu[i] = (nodeCpu[i] ?? 0) + plan.cpu;
      chargedKey[i] = planKey;
    }
    return sharedDesired(i, v, plan.share);
  };

  const sharedDesired = (i: number, v: ChainVersion, share: Map<string, string[]>): DesiredComponent[] => {
    const apps = share.get(net.ids[i]!) ?? [];
    const desired: DesiredComponent[] = [];
    for (const app of apps) for (const d of v.components.get(app) ?? []) desired.push(d);
    return desired;
  };

  function reconcileNode(i: number): void {
    if (!net.up[i]) return;
    const v = chain.versions[chainVer[i]!]!;
    cluster.reconcile(i, desiredFor(i, v, viewKeyOf[i]!), now);
  }

  // ---- the network as it stands when the simulation starts -------------------------------------
  for (const node of work.nodes) addNode(node, Number.NEGATIVE_INFINITY);
  views.warmStart(0);
  setParts(chain.tip);
  targets.setTargets(chain.tip.targets);
  progress('placing the starting network…');
  const first = planner.anchorFor(chain.tip, 0);
  const startKey = views.viewKey(0, 0);
  for (let i = 0; i < net.size; i++) {
    viewKeyOf[i] = views.viewKey(i, 0);
    cluster.seedRunning(i, desiredFor(i, chain.tip, viewKeyOf[i]!));
  }
  const startPlan = planner.planFor(chain.tip, startKey, () => views.liveSetOf(startKey), 0);
  let unplaced = 0;
  for (const n of startPlan.result.unplaced.values()) unplaced += n;
  // Placements made to lay out the starting network are reported with the setup, not in the totals.
  const setupComputed = planner.computed.length;
  const setup = {
    nodes: net.size,
    apps: chain.tip.apps.length,
    instances: targets.instances,
    unplaced,
    anchorCpu: first.anchorCpu,
    indexCpu: first.indexCpu,
  };

  // ---- measurement windows ---------------------------------------------------------------------
  const counters0 = { creates: 0, removes: 0, duplicates: 0, placements: 0 };
  const openWindow = (event: Window['event'], detect?: () => boolean) => {
    if (window) closeWindow();
    window = {
      event,
      label: event.kind === 'start' ? 'steady state' : eventLabel(event as ScenarioEvent),
      at: event.at,
      detectedAt: null,
      detect,
      maxOver: targets.over,
      maxUnder: targets.under,
      zeroSince: targets.over === 0 && targets.under === 0 ? now : null,
      creates: cluster.counters.creates,
      removes: cluster.counters.removes,
      duplicates: cluster.counters.duplicates,
      maxViews: 0,
      relayed: views.relayed,
      nodeMs: 0,
    };
    nodeCpu = [];
    counters0.placements = planner.computed.length;
  };

  const closeWindow = () => {
    const w = window as Window;
    const upNodes: number[] = [];
    for (let i = 0; i < net.size; i++) if (net.up[i]) upNodes.push(i);
    const computed = planner.computed.slice(counters0.placements);
    const nodeMinutes = w.nodeMs / 60_000;
    const relayed = views.relayed - w.relayed;
    const rounds = 60_000 / o.gossipRoundMs;
    windows.push({
      event: w.label,
      at: w.at / 1000,
      until: now / 1000,
      detectedAfter: w.detectedAt === null ? null : (w.detectedAt - w.at) / 1000,
      convergedAfter: w.zeroSince === null ? null : Math.max(0, w.zeroSince - w.at) / 1000,
      maxOver: w.maxOver,
      maxUnder: w.maxUnder,
      endOver: targets.over,
      endUnder: targets.under,
      endUnplaced: series.at(-1)?.unplaced ?? 0,
      creates: cluster.counters.creates - w.creates,
      removes: cluster.counters.removes - w.removes,
      duplicates: cluster.counters.duplicates - w.duplicates,
      maxViews: w.maxViews,
      placements: cpuFigures(computed.filter((c) => c.kind === 'view').map((c) => c.cpu)),
      anchors: cpuFigures(computed.filter((c) => c.kind === 'anchor').map((c) => c.cpu)),
      nodeCpuMax: cpuFigures(upNodes.map((i) => nodeCpu[i] ?? 0)).max,
      nodeCpuMean: cpuFigures(upNodes.map((i) => nodeCpu[i] ?? 0)).mean,
      messagesPerNodeMinute:
        nodeMinutes > 0 ? (o.meshDegree * relayed) / nodeMinutes + o.lazyDegree * rounds : 0,
      batchedMessagesPerNodeMinute: (o.meshDegree + o.lazyDegree) * rounds,
      verificationsPerNodeSecond: nodeMinutes > 0 ? relayed / o.heartbeatRun / (nodeMinutes * 60) : 0,
    });
    window = undefined;
  };

  // ---- scenario --------------------------------------------------------------------------------
  const upNodes = () => {
    const out: number[] = [];
    for (let i = 0; i < net.size; i++) if (net.up[i]) out.push(i);
    return out;
  };
  const allAtVersion = (v: number) => upNodes().every((i) => chainVer[i]! >= v);
  let lastKilled: number[] = [];
  let appCounter = o.apps;

  const mineBlock = (at: number, height: number, changes: BlockChanges): ChainVersion => {
    const v = chain.connect(height, changes);
    setParts(v);
    targets.setTargets(v.targets);
    for (let i = 0; i < net.size; i++) {
      if (!net.up[i]) continue;
      queue.schedule(at + delayRng.range(...o.blockDelayMs), () => {
        if (!net.up[i] || chainVer[i]! >= v.version) return;
        chainVer[i] = v.version;
        reconcileNode(i);
      });
    }
    return v;
  };

  const handle = (e: ScenarioEvent) => {
    switch (e.kind) {
      case 'kill': {
        const up = upNodes();
        const killed = eventRng.sample(up, Math.round(e.fraction * up.length));
        lastKilled = killed;
        openWindow(e, () => views.seenByAll(killed, false));
        for (const i of killed) {
          net.kill(i, e.at);
          cluster.crash(i);
        }
        break;
      }
      case 'restart': {
        const back = lastKilled;
        openWindow(e, () => views.seenByAll(back, true));
        for (const i of back) {
          net.restart(i, e.at);
          views.restartNode(i, e.at);
          chainVer[i] = chain.tip.version;
          chargedVersion[i] = -1; // a restarted process starts cold
          chargedKey[i] = '';
          viewKeyOf[i] = views.viewKey(i, e.at);
          reconcileNode(i);
        }
        break;
      }
      case 'join': {
        const base = net.size;
        const count = Math.round(e.fraction * o.nodes);
        const fresh = makeNodes(count, base, eventRng.fork(`join${e.at}`));
        const joined = fresh.map((_, k) => base + k);
        let version = Number.POSITIVE_INFINITY;
        openWindow(e, () => views.seenByAll(joined, true) && allAtVersion(version));
        for (const n of fresh) {
          const i = addNode(n, e.at);
          viewKeyOf[i] = views.viewKey(i, e.at);
        }
        queue.schedule(e.at + e.confirmAfterMs, () => {
          version = mineBlock(now, heightOf.get(e) as number, { confirm: fresh }).version;
        });
        break;
      }
      case 'partition': {
        const heal = events.find((x) => x.kind === 'heal' && x.at > e.at)?.at ?? endAt;
        const sideOf = Array.from({ length: net.size }, () => (eventRng.next() < 0.5 ? 0 : 1));
        const a = upNodes().filter((i) => sideOf[i] === 0);
        const b = upNodes().filter((i) => sideOf[i] === 1);
        openWindow(
          e,
          () =>
            a.every((i) => !views.sideLive(1).has(net.ids[i]!)) &&
            b.every((i) => !views.sideLive(0).has(net.ids[i]!)),
        );
        views.startPartition(e.at, heal, sideOf);
        break;
      }
      case 'heal':
        openWindow(e, () => views.seenByAll(upNodes(), true));
        break;
      case 'heartbeat-loss': {
        const up = upNodes();
        const mute = eventRng.sample(up, Math.round(e.uplinkFraction * up.length));
        openWindow(e, () => views.seenByAll(mute, false));
        for (const i of mute) net.addOutage(i, e.at, e.at + e.durationMs);
        for (const i of eventRng.sample(up, e.lossyNodes)) net.addLossy(i, e.at, e.at + e.durationMs, e.loss);
        break;
      }
      case 'register': {
        const count = Math.round(e.fraction * o.apps);
        const height = heightOf.get(e) as number;
        const specRng = eventRng.fork(`register${e.at}`);
        const fresh: PaidSpec[] = [];
        for (let k = 0; k < count; k++) {
          const n = appCounter++;
          fresh.push(paidAt(makeSpec(`app${n}`, n, specRng, true, maxInstancesFor(o.nodes)), height, n));
        }
        let version = Number.POSITIVE_INFINITY;
        openWindow(e, () => allAtVersion(version));
        version = mineBlock(e.at, height, { register: fresh }).version;
        break;
      }
      case 'expire': {
        let version = Number.POSITIVE_INFINITY;
        openWindow(e, () => allAtVersion(version));
        version = mineBlock(e.at, heightOf.get(e) as number, {}).version;
        break;
      }
      case 'end':
        break;
    }
  };

  for (const e of events) queue.schedule(e.at, () => handle(e));
  openWindow({ kind: 'start', at: 0 });

  // ---- the clock ---------------------------------------------------------------------------------
  const upPerSide = (): number[] => {
    const counts = new Array(views.sideCount).fill(0);
    for (let i = 0; i < net.size; i++) if (net.up[i]) counts[views.side(i)]++;
    return counts;
  };
  let lastProgress = performance.now();
  for (let t = o.tickMs; t <= endAt; t += o.tickMs) {
    queue.runUntil(t, (at) => {
      now = at;
    });
    now = t;
    const sideCounts = upPerSide();
    views.advance(t, (side) => sideCounts[side] ?? 0);
    views.tryMerge(t);
    const seen = new Map<string, number>();
    let up = 0;
    for (let i = 0; i < net.size; i++) {
      if (!net.up[i]) continue;
      up++;
      const key = views.viewKey(i, t);
      if (key !== viewKeyOf[i]) {
        viewKeyOf[i] = key;
        reconcileNode(i);
      }
      const k = `${chainVer[i]}|${key}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    let common = '';
    let most = 0;
    for (const [k, n] of seen) if (n > most) [common, most] = [k, n];
    const w = window as Window;
    w.nodeMs += up * o.tickMs;
    if (seen.size > w.maxViews) w.maxViews = seen.size;
    if (w.detect && w.detectedAt === null && w.detect()) w.detectedAt = t;
    series.push({
      t: t / 1000,
      over: targets.over,
      under: targets.under,
      unplaced: common ? planner.unplacedOf(common) : 0,
      views: seen.size,
      up,
    });
    if (performance.now() - lastProgress > 2000) {
      lastProgress = performance.now();
      progress(
        `t=${(t / 1000).toFixed(0)}s/${(endAt / 1000).toFixed(0)}s ${w.label}: over ${targets.over}, under ${targets.under}, ` +
          `views ${seen.size}, placements ${planner.computed.length}`,
      );
    }
  }
  now = endAt;
  closeWindow();

  const all = planner.computed.slice(setupComputed);
  const nodeMinutes = series.reduce((s, p) => s + p.up, 0) * (o.tickMs / 60_000);
  const rounds = 60_000 / o.gossipRoundMs;
  const { scenario: _events, ...shown } = o;
  return {
    options: shown,
    setup,
    windows,
    series,
    totals: {
      simulatedSeconds: endAt / 1000,
      wallSeconds: (performance.now() - wall0) / 1000,
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
      duplicates: cluster.counters.duplicates,
      indexCounters: { ...planner.indexCounters() },
    },
  };
}
