/**
 * This node's heartbeat runs: one signed head per run of `HEARTBEAT_RUN` heartbeats (a chain of
 * that length minus one: the head's own beat reveals the commit), each beat revealing the next
 * link of the run's hash chain (messages/heartbeat.ts). A beat stands for the
 * time of its slot (head time + index × period), so beats are sent on their slots; a new run opens
 * when the last one is spent, the period changed, or a beat would land more than a quarter period
 * off its slot (a stalled process must not claim a time it was not alive at).
 */
import { randomBytes } from 'node:crypto';
import { hashChain } from '../liveness/hash-chain.ts';
import { HEARTBEAT_RUN } from '../liveness/rule.ts';
import { encodeBeat, encodeHeartbeatHead, type Heartbeat } from '../messages/heartbeat.ts';

interface Run {
  head: Uint8Array;
  reveals: Uint8Array[];
  first: Heartbeat;
  periodMs: number;
  index: number;
}

export class HeartbeatRuns {
  /** Links after the head's own beat: a run is `#links + 1` heartbeats. */
  readonly #links: number;
  #run: Run | undefined;

  constructor(beatsPerRun = HEARTBEAT_RUN) {
    this.#links = Math.max(0, beatsPerRun - 1);
  }

  /**
   * The beat due at `now`: the next of the current run, or the first of a new one (`first` gives
   * its heartbeat, with a fresh seq, and `key` signs its head).
   */
  next(
    now: number,
    periodMs: number,
    first: () => Heartbeat,
    key: Uint8Array,
  ): { hb: Heartbeat; bytes: Uint8Array } {
    const run = this.#run;
    if (run && run.periodMs === periodMs && run.index < this.#links) {
      const index = run.index + 1;
      const slot = run.first.time + index * periodMs;
      if (Math.abs(now - slot) <= periodMs / 4) {
        run.index = index;
        const hb = { ...run.first, seq: run.first.seq + index, time: slot };
        return { hb, bytes: encodeBeat(run.head, index, run.reveals[index] as Uint8Array) };
      }
    }
    const hb = first();
    const reveals = hashChain(randomBytes(32), this.#links);
    const commit = reveals[0] as Uint8Array;
    const head = encodeHeartbeatHead(hb, { periodMs, length: this.#links, commit }, key);
    this.#run = { head, reveals, first: hb, periodMs, index: 0 };
    return { hb, bytes: encodeBeat(head, 0, commit) };
  }

  /** Milliseconds until the next beat's slot (a full period when no run is open). */
  nextIn(now: number, periodMs: number): number {
    const run = this.#run;
    if (!run || run.periodMs !== periodMs || run.index >= this.#links) return periodMs;
    return Math.max(1, run.first.time + (run.index + 1) * periodMs - now);
  }

  /** The last seq used, so other messages' sequence numbers stay above it. */
  lastSeq(): number {
    return this.#run ? this.#run.first.seq + this.#run.index : 0;
  }
}
