import { RpcCallError } from './rpc-client.ts';
import { abortableSleep, throwIfAborted, WaitTimeoutError } from './poll.ts';
import type { DevnetState } from './state.ts';

/** What each step of `devnet up` gets: the state to record into, and a way out on Ctrl-C. */
export interface StepContext {
  state: DevnetState;
  signal?: AbortSignal;
  /** Says what the running step is doing now (progress line). */
  update(note: string): void;
  /** Writes the state file. */
  save(): void;
  /** Scales every wait of the step (1 = the defaults). */
  patience: number;
}

/**
 * Calls a non-idempotent RPC, retrying only while the node ANSWERS with an error (then it did
 * nothing, e.g. "insufficient funds" until a block matures coins). A call that got no answer is not
 * retried: it may have taken effect.
 */
export async function retryAnswered<T>(
  what: string,
  call: () => Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; done?: () => Promise<T | undefined> },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    throwIfAborted(opts.signal);
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof RpcCallError) || !err.answered) throw err;
      const already = await opts.done?.().catch(() => undefined);
      if (already !== undefined) return already;
      if (Date.now() > deadline) throw new WaitTimeoutError(what, opts.timeoutMs, err.message);
    }
    await abortableSleep(opts.intervalMs ?? 500, opts.signal);
  }
}
