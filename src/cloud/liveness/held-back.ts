/**
 * The liveness intake: where verified heartbeats enter, from gossip, from a fetch, or our own.
 * It applies the rule in rule.ts: a heartbeat waits here until its signed send time is a
 * hold-back old, then counts in the tracker at that send time; the live set is read on whole ticks.
 * Two nodes that took in the same heartbeats therefore return the same set for the same tick,
 * whatever order and delay the heartbeats arrived with.
 */
import { evaluationTime, type LivenessRule, liveWindowMs } from './rule.ts';
import { LivenessTracker } from './tracker.ts';

interface Pending {
  seq: number;
  sentAt: number;
}

// A sender's heartbeats waiting out the hold-back: a few at most; more is a flood, dropped.
const MAX_PENDING_PER_NODE = 8;

export class HeldBackLiveness {
  #rule: LivenessRule;
  readonly #tracker: LivenessTracker;
  readonly #pending = new Map<string, Pending[]>();
  readonly #lastSeq = new Map<string, number>();

  constructor(rule: LivenessRule) {
    this.#rule = { ...rule };
    this.#tracker = new LivenessTracker({
      intervalMs: rule.heartbeatMs,
      missedIntervals: rule.missedIntervals,
    });
  }

  get rule(): Readonly<LivenessRule> {
    return this.#rule;
  }

  /** A new heartbeat period (the network grew or shrank at a tip every node shares). */
  setHeartbeatMs(ms: number): void {
    this.#rule = { ...this.#rule, heartbeatMs: ms };
    this.#tracker.setIntervalMs(ms);
  }

  /**
   * Takes in a heartbeat whose signature the caller verified. Returns false for a replayed or
   * out-of-order one (its sequence number is not above the last taken from that node).
   */
  intake(node: string, seq: number, sentAt: number): boolean {
    const last = this.#lastSeq.get(node);
    if (last !== undefined && seq <= last) return false;
    this.#lastSeq.set(node, seq);
    const queue = this.#pending.get(node);
    if (!queue) this.#pending.set(node, [{ seq, sentAt }]);
    else if (queue.length < MAX_PENDING_PER_NODE) queue.push({ seq, sentAt });
    return true;
  }

  /** The live set as every node reads it at `now` (the last whole tick, minus the hold-back). */
  liveSetAt(now: number): Set<string> {
    const t = evaluationTime(now, this.#rule);
    this.#release(t);
    return this.#tracker.liveSet(t);
  }

  /** When a heartbeat sent at `sentAt` can first be counted, and when its node leaves if silent. */
  countsFrom(sentAt: number): { enters: number; leaves: number } {
    const { holdBackMs, tickMs } = this.#rule;
    const tick = (at: number) => Math.ceil((at + holdBackMs) / tickMs) * tickMs;
    return { enters: tick(sentAt), leaves: tick(sentAt + liveWindowMs(this.#rule)) };
  }

  forget(node: string): void {
    this.#pending.delete(node);
    this.#lastSeq.delete(node);
    this.#tracker.forget(node);
  }

  /** Counts every heartbeat sent at or before `t`, in send order per node. */
  #release(t: number): void {
    for (const [node, queue] of this.#pending) {
      let k = 0;
      for (let beat = queue[k]; beat && beat.sentAt <= t; beat = queue[++k]) {
        this.#tracker.heard(node, beat.seq, beat.sentAt);
      }
      if (k === queue.length) this.#pending.delete(node);
      else if (k > 0) queue.splice(0, k);
    }
  }
}
