/**
 * What this node knows about the other fluxnodes from their signed gossip: who is live (heartbeats),
 * their newest benchmark results and running reports. Checks that decide whether a message is
 * believed live here too, so the gossip validators and the handlers share them.
 */
import type { BenchmarkFigures } from '../benchmark/check.ts';
import { HeldBackLiveness } from '../liveness/held-back.ts';
import { type BenchmarkResult, verifyBenchmarkResult } from '../messages/benchmark-result.ts';
import type { OperatorKeyLookup } from '../messages/envelope.ts';
import { HeadCache } from '../messages/head-cache.ts';
import { type Heartbeat, verifyHeartbeat } from '../messages/heartbeat.ts';
import type { MessageVerifier } from '../messages/heartbeat-batch.ts';
import { HeartbeatBatcher } from './heartbeat-batcher.ts';
import { type RunningReport, verifyRunningReport } from '../messages/running-report.ts';
import type { Clock } from './types.ts';

export interface PeerViewOptions {
  selfId: string;
  heartbeatMs: number;
  missedIntervals: number;
  /** How long a heartbeat waits after its send time before it counts (gossip delay + clock skew). */
  holdBackMs: number;
  /** The live set is read on whole ticks of this length. */
  tickMs: number;
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
  private readonly liveness: HeldBackLiveness;
  /** Heads whose signature was checked: a run's later heartbeats cost hashes, not a signature. */
  readonly heads = new HeadCache();
  #batcher: HeartbeatBatcher | undefined;
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
    this.liveness = new HeldBackLiveness(opts);
  }

  // ---- checks: throw MessageDecodeError / MessageVerifyError on bad messages; undefined = not for us

  /** A verified heartbeat of another node, or undefined when it is our own or outside the time window. */
  checkHeartbeat(data: Uint8Array): Heartbeat | undefined {
    return this.#forUs(verifyHeartbeat(data, this.lookup, this.heads));
  }

  /** `checkHeartbeat`, with the signature checked in a batch on `verifier`'s threads. */
  async checkHeartbeatBatched(data: Uint8Array, verifier: MessageVerifier): Promise<Heartbeat | undefined> {
    this.#batcher ??= new HeartbeatBatcher(verifier, this.lookup, this.heads);
    return this.#forUs(await this.#batcher.check(data));
  }

  #forUs(hb: Heartbeat): Heartbeat | undefined {
    if (hb.node === this.opts.selfId) return undefined;
    const now = this.clock.now();
    const window = this.liveness.rule.heartbeatMs * this.opts.missedIntervals;
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

  /**
   * The liveness intake: a verified heartbeat, from gossip, a fetch or our own. It counts by its
   * signed send time once that is a hold-back old, on the next whole tick (cloud/liveness/rule.ts).
   */
  heard(hb: Heartbeat): void {
    if (!this.liveness.intake(hb.node, hb.seq, hb.time)) return; // replayed or out of order
    this.heartbeats.set(hb.node, hb);
  }

  /** A new heartbeat period, which every node on the same tip derives alike. */
  setHeartbeatMs(ms: number): void {
    if (ms !== this.liveness.rule.heartbeatMs) this.liveness.setHeartbeatMs(ms);
  }

  benchmarkReceived(b: BenchmarkResult): void {
    const prev = this.benchmarks.get(b.node);
    if (prev && prev.time >= b.time) return;
    this.benchmarks.set(b.node, b);
    if (!prev || prev.location !== b.location || FIGURES.some((k) => prev[k] !== b[k])) {
      this.listener.benchmarkChanged(b.node);
    }
  }

  reportReceived(r: RunningReport): void {
    const prev = this.reports.get(r.node);
    if (prev && prev.seq >= r.seq) return;
    this.reports.set(r.node, r);
    this.listener.report(r);
  }

  /** Re-reads the live set; call it on every whole tick, so changes land at the same tick everywhere. */
  refreshLive(): void {
    const live = this.liveNodes();
    const key = live.join(',');
    if (key === this.lastLiveKey) return;
    const now = new Set(live);
    for (const gone of this.lastLive) {
      if (now.has(gone) || gone === this.opts.selfId) continue;
      // A node that went silent may come back with its containers gone: until it reports again
      // nobody counts its old report. Its benchmark stays known: the anchor (the placement of the
      // chain state with every node up) must not change when a node dies, or a death would move
      // more than the dead node's instances. A returning node's new benchmark replaces it.
      this.reports.delete(gone);
    }
    for (const node of now)
      if (!this.lastLive.has(node) && node !== this.opts.selfId) this.listener.nodeAppeared(node);
    this.lastLive = now;
    this.lastLiveKey = key;
    this.listener.liveChanged(live);
  }

  // ---- reading

  liveSet(): Set<string> {
    return this.liveness.liveSetAt(this.clock.now());
  }

  liveNodes(): string[] {
    return [...this.liveSet()].sort();
  }

  benchmarkFigures(): Map<string, BenchmarkFigures> {
    return new Map([...this.benchmarks].map(([node, b]) => [node, figuresOf(b)]));
  }

  /** The locations nodes declared in their newest benchmark (nodes that declared none are absent). */
  benchmarkLocations(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [node, b] of this.benchmarks) if (b.location) out.set(node, b.location);
    return out;
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
