/**
 * CPU events per second, in the manner of `sysbench cpu`: one event counts the primes below
 * `maxPrime` by trial division (each odd and even candidate c from 3 up, divisors from 2 to √c).
 * One worker thread per core runs events for a fixed time and reports how many it finished; the
 * node's figure is the sum of every worker's events per second. With sysbench's default limit
 * (10,000) a current desktop core does roughly a thousand events per second.
 */
import { Worker } from 'node:worker_threads';

export const DEFAULT_MAX_PRIME = 10_000;

/** One event: the number of primes p with 3 ≤ p < maxPrime. Exported so tests can check the workload. */
export function primeEvent(maxPrime: number): number {
  let found = 0;
  for (let c = 3; c < maxPrime; c++) {
    const t = Math.sqrt(c);
    let l = 2;
    for (; l <= t; l++) if (c % l === 0) break;
    if (l > t) found++;
  }
  return found;
}

// The worker's source: the same loop as primeEvent, repeated until the time is up.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { maxPrime, durationMs } = workerData;
const event = ${primeEvent.toString()};
const start = performance.now();
let events = 0;
let check = 0;
let now = start;
do {
  check = event(maxPrime);
  events++;
  now = performance.now();
} while (now - start < durationMs);
parentPort.postMessage({ events, elapsedMs: now - start, check });
`;

export interface CpuMeasurement {
  /** Sum over the threads of events per second. */
  eps: number;
  threads: number;
  events: number;
  /** Primes found by one event: the same on every machine, a check that the work was really done. */
  primesPerEvent: number;
}

export async function measureCpu(
  threads: number,
  durationMs: number,
  maxPrime = DEFAULT_MAX_PRIME,
): Promise<CpuMeasurement> {
  const runs = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<{ events: number; elapsedMs: number; check: number }>((resolve, reject) => {
          const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { maxPrime, durationMs } });
          w.once('message', (m) => {
            resolve(m);
            void w.terminate();
          });
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`benchmark worker exited with code ${code}`));
          });
        }),
    ),
  );
  const eps = runs.reduce((sum, r) => sum + (r.events * 1000) / r.elapsedMs, 0);
  return {
    eps,
    threads,
    events: runs.reduce((s, r) => s + r.events, 0),
    primesPerEvent: runs[0]?.check ?? 0,
  };
}
