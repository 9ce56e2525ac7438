/**
 * Measurement windows: the run is cut at each scenario event into windows, and each window
 * records when the event was detected, when the network converged again (no instance over or
 * under target), the worst over/under counts, container churn, distinct views, gossip load and
 * placement CPU, from the event until the next one.
 */
import { cpuFigures, eventLabel, type SeriesPoint, type WindowReport } from './report.ts';
import type { ScenarioEvent } from './scenario.ts';
import type { SimWorld } from './world.ts';

export interface Window {
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

export class WindowRecorder {
  readonly #w: SimWorld;
  readonly #series: readonly SeriesPoint[];
  readonly reports: WindowReport[] = [];
  /** The open window (there is one from the start of the run to its end). */
  current: Window | undefined;
  #placementsAtOpen = 0;

  constructor(world: SimWorld, series: readonly SeriesPoint[]) {
    this.#w = world;
    this.#series = series;
  }

  /** Follows the over/under counts as they change (exact times, between ticks). */
  trackTargets(): void {
    const window = this.current;
    if (!window) return;
    const { targets, now } = this.#w;
    if (targets.over > window.maxOver) window.maxOver = targets.over;
    if (targets.under > window.maxUnder) window.maxUnder = targets.under;
    const zero = targets.over === 0 && targets.under === 0;
    if (zero && window.zeroSince === null) window.zeroSince = now;
    if (!zero) window.zeroSince = null;
  }

  /** Closes the open window and opens one for `event`; `detect` says when every node has seen it. */
  open(event: Window['event'], detect?: () => boolean): void {
    if (this.current) this.close();
    const { targets, cluster, views, now } = this.#w;
    this.current = {
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
    this.#w.nodeCpu = [];
    this.#placementsAtOpen = this.#w.planner.computed.length;
  }

  close(): void {
    const w = this.current as Window;
    const { o, net, planner, views, targets, cluster, nodeCpu, now } = this.#w;
    const upNodes: number[] = [];
    for (let i = 0; i < net.size; i++) if (net.up[i]) upNodes.push(i);
    const computed = planner.computed.slice(this.#placementsAtOpen);
    const nodeMinutes = w.nodeMs / 60_000;
    const relayed = views.relayed - w.relayed;
    const rounds = 60_000 / o.gossipRoundMs;
    this.reports.push({
      event: w.label,
      at: w.at / 1000,
      until: now / 1000,
      detectedAfter: w.detectedAt === null ? null : (w.detectedAt - w.at) / 1000,
      convergedAfter: w.zeroSince === null ? null : Math.max(0, w.zeroSince - w.at) / 1000,
      maxOver: w.maxOver,
      maxUnder: w.maxUnder,
      endOver: targets.over,
      endUnder: targets.under,
      endUnplaced: this.#series.at(-1)?.unplaced ?? 0,
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
    this.current = undefined;
  }
}
