/**
 * When reconcile passes run. Events (tip, live set, benchmark, container, timer) only mark a pass
 * as needed: one timer holds the earliest requested pass, and at most one pass waits in the
 * serial queue behind the running one (later requests join it with their reasons). Nothing runs
 * before the startup grace period ends, so the live set is known first.
 */
import type { ReconcileOutcome } from './reconcile-pass.ts';
import type { SerialQueue } from './serial.ts';
import type { Clock } from './types.ts';

export interface TriggerDeps {
  clock: Clock;
  serial: SerialQueue;
  /** Whether the agent runs, and when the grace period ends. */
  active: () => boolean;
  graceEnd: () => number;
  pass: (reasons: string[]) => Promise<ReconcileOutcome>;
}

export class ReconcileTrigger {
  readonly #d: TriggerDeps;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  readonly #timerReasons: string[] = [];
  #queuedReasons: string[] | undefined;
  #queuedPass: Promise<ReconcileOutcome> | undefined;

  constructor(deps: TriggerDeps) {
    this.#d = deps;
  }

  /** Asks for a pass in `delayMs` (or at the end of the grace period, whichever is later). */
  schedule(reason: string, delayMs = 0): void {
    if (!this.#d.active()) return;
    const now = this.#d.clock.now();
    const at = Math.max(now + delayMs, this.#d.graceEnd());
    if (!this.#timerReasons.includes(reason)) this.#timerReasons.push(reason);
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.enqueue(this.#timerReasons.splice(0));
    }, at - now);
  }

  /** Runs a pass after the current one, or joins the pass already waiting. */
  enqueue(reasons: string[]): Promise<ReconcileOutcome> {
    if (this.#queuedReasons && this.#queuedPass) {
      for (const r of reasons) if (!this.#queuedReasons.includes(r)) this.#queuedReasons.push(r);
      return this.#queuedPass;
    }
    const mine = [...reasons];
    this.#queuedReasons = mine;
    this.#queuedPass = this.#d.serial.run(() => {
      this.#queuedReasons = undefined;
      this.#queuedPass = undefined;
      return this.#d.pass(mine);
    });
    return this.#queuedPass;
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
