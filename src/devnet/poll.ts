// Waiting for the network to reach a state, in a way Ctrl-C can interrupt at once.

/** `devnet up` was interrupted (SIGINT/SIGTERM). */
export class DevnetAbortedError extends Error {
  constructor(reason = 'interrupted') {
    super(reason);
    this.name = 'DevnetAbortedError';
  }
}

/** A condition was not reached in time; names what was awaited and the last thing seen. */
export class WaitTimeoutError extends Error {
  readonly what: string;
  readonly last: string;
  constructor(what: string, timeoutMs: number, last: string) {
    super(
      `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? ` (last: ${last})` : ''}`,
    );
    this.name = 'WaitTimeoutError';
    this.what = what;
    this.last = last;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DevnetAbortedError(String(signal.reason ?? 'interrupted'));
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DevnetAbortedError(String(signal?.reason ?? 'interrupted')));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value other than undefined/false. A probe may also return
 * `{ pending: 'text' }` to say what it saw (shown if the wait times out); thrown errors count as
 * "not yet" and their message is kept the same way.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false | { pending: string }>,
  opts: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    throwIfAborted(opts.signal);
    try {
      const r = await probe();
      if (r !== undefined && r !== false) {
        if (typeof r === 'object' && r !== null && 'pending' in r) last = String(r.pending);
        else return r as T;
      }
    } catch (err) {
      if (err instanceof DevnetAbortedError) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    throwIfAborted(opts.signal);
    if (Date.now() > deadline) throw new WaitTimeoutError(what, opts.timeoutMs, last);
    await abortableSleep(opts.intervalMs ?? 250, opts.signal);
  }
}

export function pending(text: string): { pending: string } {
  return { pending: text };
}
