/**
 * What this node knows about the other fluxnodes from their signed gossip: who is live (heartbeats),
 * their newest benchmark results and running reports. Checks that decide whether a message is
 * believed live here too, so the gossip validators and the handlers share them.
 */
import type { BenchmarkFigures } from '../benchmark/check.ts';
import { LivenessTracker } from '../liveness/tracker.ts';
import { type BenchmarkResult, verifyBenchmarkResult } from '../messages/benchmark-result.ts';
import type { OperatorKeyLookup } from '../messages/envelope.ts';
import { type Heartbeat, verifyHeartbeat } from '../messages/heartbeat.ts';
import { type RunningReport, verifyRunningReport } from '../messages/running-report.ts';
import type { Clock } from './types.ts';

export interface PeerViewOptions {
  selfId: string;
  heartbeatMs: number;
  missedIntervals: number;
  /** How far a message's time may be ahead of ours (and a heartbeat older than the liveness window). */
  maxClockSkewMs: number;
}

export interface PeerViewListener {
  /** The live set changed (sorted ids). */
  liveChanged(live: string[]): void;
  /** A node that was not live is live again (or heard for the first time). */
  nodeAppeared(node: string): void;
  /** A node's benchmark figures are new or different. */
  benchmarkChanged(node: string): void;
  /** A node's newest running report (own included). */
  report(report: RunningReport): void;
}

const FIGURES = ['cores', 'ramMB', 'diskGB', 'eps', 'diskWriteMBps'] as const;

export class PeerView {
  private readonly opts: PeerViewOptions;
  private readonly lookup: OperatorKeyLookup;
  private readonly clock: Clock;
  private readonly listener: PeerViewListener;
  private readonly liveness: LivenessTracker;
  private readonly heartbeats = new Map<string, Heartbeat>();
  private readonly benchmarks = new Map<string, BenchmarkResult>();
  private readonly reports = new Map<string, RunningReport>();
  private lastLive = new Set<string>();
  private lastLiveKey = '';

  constructor(opts: PeerViewOptions, lookup: OperatorKeyLookup, clock: Clock, listener: PeerViewListener) {
    this.opts = opts;
    this.lookup = lookup;
    this.clock = clock;
    this.listener = listener;
    this.liveness = new LivenessTracker({
      intervalMs: opts.heartbeatMs,
      missedIntervals: opts.missedIntervals,
    });
  }

  // ---- checks: throw MessageDecodeError / MessageVerifyError on bad messages; undefined = not for us

  /** A verified heartbeat of another node, or undefined when it is our own or outside the time window. */
  checkHeartbeat(data: Uint8Array): Heartbeat | undefined {
    const hb = verifyHeartbeat(data, this.lookup);
    if (hb.node === this.opts.selfId) return undefined;
    const now = this.clock.now();
    const window = this.opts.heartbeatMs * this.opts.missedIntervals;
    if (hb.time > now + this.opts.maxClockSkewMs || hb.time < now - window - this.opts.maxClockSkewMs) {
      return undefined;
    }
    return hb;
  }

  checkBenchmark(data: Uint8Array): BenchmarkResult | undefined {
    const b = verifyBenchmarkResult(data, this.lookup);
    return b.node === this.opts.selfId || this.fromTheFuture(b.time) ? undefined : b;
  }

  checkReport(data: Uint8Array): RunningReport | undefined {
    const r = verifyRunningReport(data, this.lookup);
    return r.node === this.opts.selfId || this.fromTheFuture(r.time) ? undefined : r;
  }

  // ---- recording (messages already checked, or our own)

  heard(hb: Heartbeat): void {
    const now = this.clock.now();
    const wasLive = this.liveness.isLive(hb.node, now);
    if (!this.liveness.heard(hb.node, hb.seq, now)) return; // replayed or out of order
    this.heartbeats.set(hb.node, hb);
    if (!wasLive) {
      if (hb.node !== this.opts.selfId) this.listener.nodeAppeared(hb.node);
      this.refreshLive();
    }
  }

  benchmarkReceived(b: BenchmarkResult): void {
    const prev = this.benchmarks.get(b.node);
    if (prev && prev.time >= b.time) return;
    this.benchmarks.set(b.node, b);
    if (!prev || FIGURES.some((k) => prev[k] !== b[k])) this.listener.benchmarkChanged(b.node);
  }

  reportReceived(r: RunningReport): void {
    const prev = this.reports.get(r.node);
    if (prev && prev.seq >= r.seq) return;
    this.reports.set(r.node, r);
    this.listener.report(r);
  }

  /** Re-reads the live set; call it on a timer so silent nodes drop out on time. */
  refreshLive(): void {
    const live = this.liveNodes();
    const key = live.join(',');
    if (key === this.lastLiveKey) return;
    const now = new Set(live);
    for (const gone of this.lastLive) {
      if (now.has(gone) || gone === this.opts.selfId) continue;
      // A node that went silent may come back as a new process, with a new benchmark coming and its
      // containers possibly gone: until it says so again nobody counts its old benchmark or report.
      // Every node forgets at the same moment, so placements stay in agreement.
      this.benchmarks.delete(gone);
      this.reports.delete(gone);
    }
    this.lastLive = now;
    this.lastLiveKey = key;
    this.listener.liveChanged(live);
  }

  // ---- reading

  liveSet(): Set<string> {
    return this.liveness.liveSet(this.clock.now());
  }

  liveNodes(): string[] {
    return [...this.liveSet()].sort();
  }

  benchmarkFigures(): Map<string, BenchmarkFigures> {
    return new Map([...this.benchmarks].map(([node, b]) => [node, figuresOf(b)]));
  }

  benchmarkOf(node: string): BenchmarkResult | undefined {
    return this.benchmarks.get(node);
  }

  reportOf(node: string): RunningReport | undefined {
    return this.reports.get(node);
  }

  allReports(): IterableIterator<RunningReport> {
    return this.reports.values();
  }

  heartbeatOf(node: string): Heartbeat | undefined {
    return this.heartbeats.get(node);
  }

  private fromTheFuture(time: number): boolean {
    return time > this.clock.now() + this.opts.maxClockSkewMs;
  }
}

/** Benchmark figures as whole numbers, the form results carry. */
export function figuresOf(f: BenchmarkFigures): BenchmarkFigures {
  return {
    cores: Math.floor(f.cores),
    ramMB: Math.floor(f.ramMB),
    diskGB: Math.floor(f.diskGB),
    eps: Math.floor(f.eps),
    diskWriteMBps: Math.floor(f.diskWriteMBps),
  };
}
