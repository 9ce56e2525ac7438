/**
 * Collects the heartbeats gossip hands over within one turn of the event loop and checks them
 * together (messages/heartbeat-batch.ts): their signatures go to the verifier pool in one call,
 * checked on every core, instead of one by one on the thread that runs the node.
 */
import type { OperatorKeyLookup } from '../messages/envelope.ts';
import type { HeadCache } from '../messages/head-cache.ts';
import type { Heartbeat } from '../messages/heartbeat.ts';
import { type MessageVerifier, verifyHeartbeats } from '../messages/heartbeat-batch.ts';

interface Waiting {
  data: Uint8Array;
  resolve: (hb: Heartbeat) => void;
  reject: (err: Error) => void;
}

/** Largest batch: beyond it a second batch starts, so one flood cannot delay every answer. */
const MAX_BATCH = 512;

export class HeartbeatBatcher {
  readonly #verifier: MessageVerifier;
  readonly #lookup: OperatorKeyLookup;
  readonly #heads: HeadCache;
  #queue: Waiting[] = [];

  constructor(verifier: MessageVerifier, lookup: OperatorKeyLookup, heads: HeadCache) {
    this.#verifier = verifier;
    this.#lookup = lookup;
    this.#heads = heads;
  }

  /** The heartbeat `data` stands for, or the error `verifyHeartbeat` would throw. */
  check(data: Uint8Array): Promise<Heartbeat> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => void this.#flush());
      this.#queue.push({ data, resolve, reject });
      if (this.#queue.length >= MAX_BATCH) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    try {
      const verdicts = await verifyHeartbeats(
        batch.map((w) => w.data),
        this.#lookup,
        this.#verifier,
        this.#heads,
      );
      for (const [i, w] of batch.entries()) {
        const v = verdicts[i];
        if (v === undefined || v instanceof Error) w.reject(v ?? new Error('no verdict'));
        else w.resolve(v);
      }
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
    }
  }
}
