/**
 * What happens to the simulated network, and when. Times are milliseconds of simulated time.
 * Each event opens a measurement window that lasts until the next event.
 */
export type ScenarioEvent =
  /** `fraction` of the up nodes crash at once (their containers die with them). */
  | { at: number; kind: 'kill'; fraction: number }
  /** The nodes of the last `kill` start again (empty, and synced to a peer's live view). */
  | { at: number; kind: 'restart' }
  /** `fraction` new nodes start; a block confirms them `confirmAfterMs` later. */
  | { at: number; kind: 'join'; fraction: number; confirmAfterMs: number }
  /** The network splits in two random halves that cannot hear each other… */
  | { at: number; kind: 'partition' }
  /** …until this heal. */
  | { at: number; kind: 'heal' }
  /**
   * Heartbeat loss: `uplinkFraction` of the nodes send heartbeats nobody receives, and
   * `lossyNodes` nodes lose `loss` of all their messages, for `durationMs`.
   */
  | {
      at: number;
      kind: 'heartbeat-loss';
      uplinkFraction: number;
      lossyNodes: number;
      loss: number;
      durationMs: number;
    }
  /** A block registers `fraction` × (app count) new apps. */
  | { at: number; kind: 'register'; fraction: number }
  /** A block at which `fraction` of the initial apps reach the end of their lifetime. */
  | { at: number; kind: 'expire'; fraction: number }
  | { at: number; kind: 'end' };

export type ScenarioName = 'full' | 'kill';

/** An event without its time (Omit applied to each member of the union). */
type Untimed = ScenarioEvent extends infer E ? (E extends ScenarioEvent ? Omit<E, 'at'> : never) : never;

/** Seconds → milliseconds, for readability below. */
const s = (seconds: number) => seconds * 1000;

/**
 * `kill`: the must-show case alone (kill 5% at once, watch the repair).
 * `full`: kill 5%, restart them, join 1%, partition in halves and heal, heartbeat loss, app
 * registrations and expiries; each event gets time to settle before the next.
 */
export function scenario(name: ScenarioName, heartbeatMs: number, killFraction = 0.05): ScenarioEvent[] {
  const I = heartbeatMs;
  const gap = Math.max(s(60), 12 * I);
  if (name === 'kill') {
    return [
      { at: 4 * I, kind: 'kill', fraction: killFraction },
      { at: 4 * I + gap, kind: 'end' },
    ];
  }
  const events: ScenarioEvent[] = [];
  let t = 4 * I;
  const add = (e: Untimed, after = gap) => {
    events.push({ ...e, at: t } as ScenarioEvent);
    t += after;
  };
  add({ kind: 'kill', fraction: killFraction });
  add({ kind: 'restart' });
  add({ kind: 'join', fraction: 0.01, confirmAfterMs: 2 * I });
  add({ kind: 'partition' }, gap);
  add({ kind: 'heal' });
  add({ kind: 'heartbeat-loss', uplinkFraction: 0.02, lossyNodes: 10, loss: 0.8, durationMs: 4 * I });
  add({ kind: 'register', fraction: 0.01 });
  add({ kind: 'expire', fraction: 0.01 });
  add({ kind: 'end' });
  return events;
}

/** Height of the block mined at simulated time `at`: one block every 2 minutes after `tip`. */
export function blockHeight(tip: number, at: number): number {
  return tip + 1 + Math.floor(at / 120_000);
}
