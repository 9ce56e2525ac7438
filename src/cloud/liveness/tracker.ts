/**
 * Who is alive, from signed heartbeats: a node is live while its last heartbeat is younger than
 * `missedIntervals` heartbeat intervals. Fed and read only through held-back.ts, which applies the
 * send-time, hold-back and whole-tick rule (rule.ts). The chain's confirm/expiry rules stay the slow,
 * authoritative eligibility; this is the fast signal that moves instances within seconds.
 */
export interface LivenessOptions {
  intervalMs: number;
  missedIntervals: number;
}

export class LivenessTracker {
  private readonly lastSeen = new Map<string, number>();
  private readonly lastSeq = new Map<string, number>();
  private opts: LivenessOptions;

  constructor(opts: LivenessOptions) {
    this.opts = opts;
  }

  /** A new heartbeat period: the window becomes `missedIntervals` of it from now on. */
  setIntervalMs(intervalMs: number): void {
    this.opts = { ...this.opts, intervalMs };
  }

  /**
   * Records a heartbeat already verified by the caller. Sequence numbers must grow, so a replayed
   * old heartbeat cannot keep a dead node alive. Returns false for a stale or replayed one.
   */
  heard(node: string, seq: number, at: number): boolean {
    const prev = this.lastSeq.get(node);
    if (prev !== undefined && seq <= prev) return false;
    this.lastSeq.set(node, seq);
    this.lastSeen.set(node, at);
    return true;
  }

  isLive(node: string, now: number): boolean {
    const t = this.lastSeen.get(node);
    return t !== undefined && now - t < this.opts.intervalMs * this.opts.missedIntervals;
  }

  liveSet(now: number): Set<string> {
    const out = new Set<string>();
    for (const node of this.lastSeen.keys()) if (this.isLive(node, now)) out.add(node);
    return out;
  }

  /** Milliseconds until the live set can next change by silence alone (for scheduling a re-plan). */
  nextExpiry(now: number): number | undefined {
    let soonest: number | undefined;
    const ttl = this.opts.intervalMs * this.opts.missedIntervals;
    for (const t of this.lastSeen.values()) {
      const left = t + ttl - now;
      if (left > 0 && (soonest === undefined || left < soonest)) soonest = left;
    }
    return soonest;
  }

  forget(node: string): void {
    this.lastSeen.delete(node);
    this.lastSeq.delete(node);
  }
}
