/**
 * The agent's clockwork: heartbeats on their slots (the period may change at a tip, so each beat
 * schedules the next), the live set re-read just after every whole tick (so every node reads it at
 * the same tick), and plain intervals (reconcile timer, republish).
 */
import { nextTick } from '../liveness/rule.ts';
import type { Clock } from './types.ts';

export interface TimerDeps {
  clock: Clock;
  tickMs: number;
  /** Milliseconds until the next heartbeat is due. */
  beatIn: () => number;
  heartbeat: () => void;
  tick: () => void;
  /** [period ms, job] pairs run on plain intervals. */
  every: [number, () => void][];
}

export class AgentTimers {
  readonly #d: TimerDeps;
  #on = false;
  #beat: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setTimeout> | undefined;
  readonly #intervals: ReturnType<typeof setInterval>[] = [];

  constructor(deps: TimerDeps) {
    this.#d = deps;
  }

  start(): void {
    if (this.#on) return;
    this.#on = true;
    this.#heartbeat();
    this.#ticks();
    for (const [ms, job] of this.#d.every) this.#intervals.push(setInterval(job, ms));
  }

  stop(): void {
    this.#on = false;
    clearTimeout(this.#beat);
    clearTimeout(this.#tick);
    for (const t of this.#intervals.splice(0)) clearInterval(t);
  }

  #heartbeat(): void {
    if (!this.#on) return;
    this.#d.heartbeat();
    this.#beat = setTimeout(() => this.#heartbeat(), this.#d.beatIn());
  }

  #ticks(): void {
    if (!this.#on) return;
    this.#d.tick();
    const now = this.#d.clock.now();
    // 1 ms past the tick, so the clock already reads the new tick when the set is re-read.
    this.#tick = setTimeout(() => this.#ticks(), Math.max(1, nextTick(now, this.#d.tickMs) - now + 1));
  }
}
