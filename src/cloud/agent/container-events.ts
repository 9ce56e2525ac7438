/**
 * Follows the Docker engine's container events and asks for a reconcile pass after the ones that
 * may need something done again (a container died, stopped, was killed or removed). A stream that
 * breaks is followed again after a second.
 */
import type { AgentLogger, AgentRuntime } from './types.ts';

// Container events after which something may need doing again.
const EVENT_ACTIONS = new Set(['die', 'destroy', 'oom', 'kill', 'stop']);

export async function followContainerEvents(
  runtime: AgentRuntime,
  log: AgentLogger,
  onEvent: (action: string) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const e of runtime.events(signal)) {
        if (!EVENT_ACTIONS.has(e.action)) continue;
        log.debug({ action: e.action, name: e.name }, 'container event');
        onEvent(e.action);
      }
    } catch (err) {
      if (signal.aborted) break;
      log.debug({ err: (err as Error).message }, 'container events interrupted');
    }
    // The engine went away or closed the stream: follow again shortly.
    await abortableSleep(1000, signal);
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
