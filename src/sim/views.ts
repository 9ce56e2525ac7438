/**
 * Heartbeats, gossip and every node's view of the live set.
 *
 * LIVENESS RULE (cloud/liveness/rule.ts; each simulated side runs the agent's own intake,
 * `HeldBackLiveness`, so this is the code the node runs)
 * - Every node signs a heartbeat every `heartbeatMs`, carrying its send time and a sequence number.
 * - A receiver takes a heartbeat in at its signed send time; it counts once that time is
 *   `holdBackMs` old (a hold-back queue), and the live set is read as of `tick - holdBackMs` on
 *   whole ticks of `tickMs`. The hold-back covers gossip delay and clock skew, so at a given
 *   tick every node that received the same heartbeats computes the same live set: a node that dies
 *   leaves every view at the same tick (3 intervals after its last heartbeat, plus the hold-back),
 *   and a node that joins enters every view at the same tick. Views then differ only where
 *   heartbeats really did not arrive: across a partition, or at a receiver that lost all copies.
 * - A node counts itself live only as the network hears it (by echo), so a node whose heartbeats
 *   stop getting out drops its own instances instead of running them beside their replacements.
 *
 * GOSSIP MODEL
 * Heartbeats spread by push gossip over a mesh of degree D (gossipsub's default D = 6) with
 * IHAVE/IWANT repair from `lazyDegree` peers. With per-message loss p, a receiver misses a heartbeat
 * when no mesh copy arrives (≈ e^(-D(1-p)), the classic epidemic limit) and every repair fails
 * (request or reply lost: 1-(1-p)²) each), and a heartbeat is lost at its source when all D of its
 * first pushes are lost (p^D). The simulator does not move the N² individual copies: it samples
 * these outcomes, which is exact in distribution for independent losses. Messages are counted from
 * the protocol: each receiver forwards each new heartbeat to its D mesh peers (one message each),
 * or, batched, one message per mesh peer per gossip round; plus IHAVE to `lazyDegree` peers each round.
 *
 * Nodes on the same side of the network that have no private losses share one tracker (they hold
 * identical state, so this is exact); a receiver's private losses are kept as exceptions on top.
 */
import { HeldBackLiveness } from '../cloud/index.ts';
import type { Network } from './network.ts';
import type { Rng } from './rng.ts';

export interface GossipParams {
  heartbeatMs: number;
  missedIntervals: number;
  holdBackMs: number;
  tickMs: number;
  meshDegree: number;
  lazyDegree: number;
  gossipRoundMs: number;
  /** Base probability that one message between two peers is lost. */
  messageLoss: number;
}

/** Probability that a receiver gets no copy of one heartbeat, with loss p on its links. */
export function receiverMissProbability(p: number, meshDegree: number, lazyDegree: number): number {
  const noPush = Math.exp(-meshDegree * (1 - p));
  const repairFails = (1 - (1 - p) ** 2) ** lazyDegree;
  return Math.min(1, noPush * repairFails);
}

interface Side {
  liveness: HeldBackLiveness;
  lastSeq: Map<number, number>;
  lastSent: Map<number, number>;
  live: Set<string>;
  liveId: number;
}

export class LiveViews {
  private readonly net: Network;
  private readonly p: GossipParams;
  private readonly rng: Rng;
  private readonly sides: Side[] = [];
  /** side of each node while sides exist; everyone is on side 0 otherwise. */
  private sideOf: number[] = [];
  private partition: { from: number; to: number } | undefined;
  /** Next heartbeat time (send time) of each node not yet processed. */
  private readonly nextBeat: number[] = [];
  private lag = Number.NEGATIVE_INFINITY;
  /** Content-addressed live sets: equal sets get equal ids, so equal views share one placement. */
  private readonly registry = new Map<string, { set: Set<string>; id: number }[]>();
  private readonly fpKey: number[] = [];
  private nextSetId = 0;
  /** observer → subject → [from, to): heartbeats of `subject` that `observer` alone missed. */
  private readonly privateLoss = new Map<number, Map<number, [number, number]>>();
  private readonly viewCache = new Map<string, Set<string>>();
  /** Heartbeat copies received by nodes (each is forwarded to D peers): the gossip load. */
  relayed = 0;
  sourceLost = 0;
  privateDrops = 0;

  constructor(net: Network, params: GossipParams, rng: Rng) {
    this.net = net;
    this.p = params;
    this.rng = rng;
    this.sides.push(this.newSide());
  }

  get ttl(): number {
    return this.p.heartbeatMs * this.p.missedIntervals;
  }

  private newSide(): Side {
    return {
      liveness: new HeldBackLiveness({
        heartbeatMs: this.p.heartbeatMs,
        missedIntervals: this.p.missedIntervals,
        holdBackMs: this.p.holdBackMs,
        tickMs: this.p.tickMs,
      }),
      lastSeq: new Map(),
      lastSent: new Map(),
      live: new Set(),
      liveId: -1,
    };
  }

  /** A node that starts at `at` sends its first heartbeat at its next phase slot. */
  addNode(i: number, at: number): void {
    this.nextBeat[i] = this.firstBeatFrom(i, at);
    this.fpKey[i] = this.rng.u32();
    if (this.sides.length > 1) this.sideOf[i] = 0;
  }

  /** A restarted node: its schedule resumes; its tracker is synced from a peer (same side). */
  restartNode(i: number, at: number): void {
    this.nextBeat[i] = Math.max(this.nextBeat[i]!, this.firstBeatFrom(i, at));
  }

  private firstBeatFrom(i: number, at: number): number {
    const I = this.p.heartbeatMs;
    const phase = this.net.phase[i]!;
    return phase + Math.ceil((at - phase) / I) * I;
  }

  /** Pre-fills every side so that all current nodes are live at `now` (a network that ran before). */
  warmStart(now: number): void {
    const I = this.p.heartbeatMs;
    const lag = now - this.p.holdBackMs;
    for (let i = 0; i < this.net.size; i++) {
      const phase = this.net.phase[i]!;
      const k = Math.floor((lag - phase) / I);
      this.deliver(i, k, phase + k * I, [0]);
      this.nextBeat[i] = phase + (k + 1) * I;
    }
    this.lag = lag;
    this.refreshSides();
  }

  startPartition(from: number, to: number, sideOf: number[]): void {
    this.partition = { from, to };
    this.sideOf = sideOf;
    // Side 1 starts from what everyone knew before the split: replay side 0's latest heartbeats.
    const copy = this.newSide();
    const s0 = this.sides[0]!;
    for (const [i, seq] of s0.lastSeq) {
      const sent = s0.lastSent.get(i) as number;
      copy.liveness.intake(this.net.ids[i]!, seq, sent);
      copy.lastSeq.set(i, seq);
      copy.lastSent.set(i, sent);
    }
    copy.live = new Set(s0.live);
    copy.liveId = s0.liveId;
    this.sides[1] = copy;
  }

  /** After a heal, once both sides have held the same live set for a full window, they become one. */
  tryMerge(now: number): boolean {
    if (this.sides.length < 2 || !this.partition || now < this.partition.to + this.ttl + this.p.holdBackMs)
      return false;
    if (this.sides[0]!.liveId !== this.sides[1]!.liveId) return false;
    this.sides.length = 1;
    this.sideOf = [];
    this.partition = undefined;
    return true;
  }

  get sideCount(): number {
    return this.sides.length;
  }

  side(i: number): number {
    return this.sides.length > 1 ? (this.sideOf[i] ?? 0) : 0;
  }

  sideLive(side: number): ReadonlySet<string> {
    return this.sides[side]!.live;
  }

  sideLiveId(side: number): number {
    return this.sides[side]!.liveId;
  }

  private partitioned(t: number): boolean {
    return this.partition !== undefined && t >= this.partition.from && t < this.partition.to;
  }

  /**
   * Advances to tick `now`: processes every heartbeat sent up to now - holdBack, samples private
   * losses, and recomputes each side's live set. `upCount(side)` gives the receivers per side.
   */
  advance(now: number, upCount: (side: number) => number): void {
    const lag = now - this.p.holdBackMs;
    const I = this.p.heartbeatMs;
    const D = this.p.meshDegree;
    const base = this.p.messageLoss;
    const all = this.sides.map((_, k) => k);
    for (let i = 0; i < this.net.size; i++) {
      while (this.nextBeat[i]! <= lag) {
        const sent = this.nextBeat[i]!;
        this.nextBeat[i]! += I;
        if (!this.net.wasUp(i, sent)) continue;
        const k = Math.round((sent - this.net.phase[i]!) / I);
        if (this.net.uplinkDown(i, sent)) {
          this.sourceLost++;
          continue;
        }
        const p = this.net.lossAt(i, sent, base);
        if (p > 0 && this.rng.next() < p ** D) {
          this.sourceLost++;
          continue;
        }
        const to = this.partitioned(sent) ? [this.side(i)] : all;
        this.deliver(i, k, sent, to);
        for (const s of to) this.relayed += upCount(s);
      }
    }
    this.samplePrivateLoss(this.lag, lag, now);
    this.lag = lag;
    this.refreshSides();
  }

  private deliver(i: number, seq: number, sent: number, to: readonly number[]): void {
    for (const s of to) {
      const side = this.sides[s]!;
      if (side.liveness.intake(this.net.ids[i]!, seq, sent)) {
        side.lastSeq.set(i, seq);
        side.lastSent.set(i, sent);
      }
    }
  }

  private refreshSides(): void {
    for (const side of this.sides) {
      const next = side.liveness.liveSetAt(this.lag + this.p.holdBackMs);
      if (side.liveId >= 0 && sameSet(next, side.live)) continue;
      side.live = next;
      side.liveId = this.intern(next);
    }
  }

  private intern(set: Set<string>): number {
    let sum = 0;
    let xor = 0;
    for (const id of set) {
      const k = this.fpKey[this.net.index.get(id) as number]!;
      sum = (sum + k) >>> 0;
      xor ^= k;
    }
    const fp = `${set.size}:${sum}:${xor >>> 0}`;
    const bucket = this.registry.get(fp) ?? [];
    for (const e of bucket) if (sameSet(e.set, set)) return e.id;
    const id = this.nextSetId++;
    bucket.push({ set, id });
    this.registry.set(fp, bucket);
    return id;
  }

  /**
   * Private losses: a receiver that misses 3+ consecutive heartbeats of one sender drops it from
   * its own view until the next one arrives. New streaks are drawn per tick as a Poisson count
   * (rate = pairs × q³(1-q) per heartbeat slot), each with a geometric length.
   */
  private samplePrivateLoss(fromLag: number, toLag: number, now: number): void {
    if (!Number.isFinite(fromLag)) return;
    const slots = (toLag - fromLag) / this.p.heartbeatMs;
    const up: number[][] = this.sides.map(() => []);
    for (let i = 0; i < this.net.size; i++) if (this.net.up[i]) up[this.side(i)]!.push(i);
    const q0 = receiverMissProbability(this.p.messageLoss, this.p.meshDegree, this.p.lazyDegree);
    const streak = (q: number) => q ** 3 * (1 - q);
    // Receivers on the base loss rate: one pooled draw for all of them.
    for (let s = 0; s < this.sides.length; s++) {
      const n = up[s]!.length;
      const count = this.rng.poisson(n * (n - 1) * streak(q0) * slots);
      for (let c = 0; c < count; c++) {
        const o = up[s]![this.rng.int(n)]!;
        if (this.net.lossAt(o, now, -1) >= 0) continue; // lossy receivers are drawn below
        this.addStreak(o, up[s]![this.rng.int(n)]!, q0, toLag, Number.POSITIVE_INFINITY);
      }
    }
    // Receivers inside a lossy period, one by one.
    for (let o = 0; o < this.net.size; o++) {
      if (!this.net.up[o]) continue;
      for (const period of this.net.lossyPeriods(o)) {
        if (toLag < period.from || fromLag >= period.to) continue;
        const q = receiverMissProbability(period.loss, this.p.meshDegree, this.p.lazyDegree);
        const pool = up[this.side(o)]!;
        const count = this.rng.poisson(pool.length * streak(q) * slots);
        for (let c = 0; c < count; c++)
          this.addStreak(o, pool[this.rng.int(pool.length)]!, q, toLag, period.to);
      }
    }
    // Forget streaks that ended.
    for (const [o, m] of this.privateLoss) {
      for (const [s, [, to]] of m) if (to <= now) m.delete(s);
      if (m.size === 0) this.privateLoss.delete(o);
    }
  }

  private addStreak(o: number, s: number, q: number, lag: number, lossEnd: number): void {
    if (o === s) return;
    const I = this.p.heartbeatMs;
    const phase = this.net.phase[s]!;
    const lastHeard = phase + Math.floor((lag - phase) / I) * I;
    let misses = 3;
    while (this.rng.next() < q) misses++;
    // Heartbeats sent after the lossy period ends arrive normally.
    while (misses >= 3 && lastHeard + misses * I >= lossEnd) misses--;
    if (misses < 3) return;
    const from = lastHeard + this.ttl + this.p.holdBackMs;
    const to = lastHeard + (misses + 1) * I + this.p.holdBackMs;
    let m = this.privateLoss.get(o);
    if (!m) this.privateLoss.set(o, (m = new Map()));
    const old = m.get(s);
    m.set(s, old ? [Math.min(old[0], from), Math.max(old[1], to)] : [from, to]);
    this.privateDrops++;
  }

  /** The key of node i's view at `now`: its side's live set, minus what it alone missed. */
  viewKey(i: number, now: number): string {
    const side = this.sides[this.side(i)]!;
    const m = this.privateLoss.get(i);
    if (!m) return `${side.liveId}`;
    const dropped: number[] = [];
    for (const [s, [from, to]] of m)
      if (now >= from && now < to && side.live.has(this.net.ids[s]!)) dropped.push(s);
    if (dropped.length === 0) return `${side.liveId}`;
    dropped.sort((a, b) => a - b);
    return `${side.liveId}-${dropped.join('.')}`;
  }

  /** The live set behind a key returned by `viewKey`. */
  liveSetOf(key: string): ReadonlySet<string> {
    const dash = key.indexOf('-');
    const liveId = Number(dash < 0 ? key : key.slice(0, dash));
    const side = this.sides.find((s) => s.liveId === liveId);
    let base: ReadonlySet<string> | undefined = side?.live;
    if (!base) {
      for (const bucket of this.registry.values()) for (const e of bucket) if (e.id === liveId) base = e.set;
    }
    if (!base) throw new Error(`unknown live set ${liveId}`);
    if (dash < 0) return base;
    let set = this.viewCache.get(key);
    if (!set) {
      set = new Set(base);
      for (const s of key.slice(dash + 1).split('.')) set.delete(this.net.ids[Number(s)]!);
      if (this.viewCache.size > 64) this.viewCache.clear();
      this.viewCache.set(key, set);
    }
    return set;
  }

  /**
   * Whether every node in `nodes` is in the view of every up node (`want` = true), or in none
   * (`want` = false). Private losses are ignored: they are short and only ever remove.
   */
  seenByAll(nodes: readonly number[], want: boolean): boolean {
    const populated = this.sides.map(() => this.sides.length === 1);
    if (this.sides.length > 1)
      for (let i = 0; i < this.net.size; i++) if (this.net.up[i]) populated[this.side(i)] = true;
    for (let s = 0; s < this.sides.length; s++) {
      if (!populated[s]) continue;
      const live = this.sides[s]!.live;
      for (const i of nodes) if (live.has(this.net.ids[i]!) !== want) return false;
    }
    return true;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
