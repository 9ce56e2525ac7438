import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ConsensusError } from '../consensus/index.ts';
import type { ScriptCheck } from './validator.ts';
import { encodeMessageBatch, encodeScriptBatch, type SignedMessageCheck } from './verify-batch.ts';

/** One job for a worker: a batch in the wire form of verify-batch.ts. */
export type WorkerJob =
  | { kind: 'scripts'; id: number; branchId: number; flags: number; buf: Uint8Array }
  | { kind: 'messages'; id: number; buf: Uint8Array };

export interface ScriptFailure {
  txIndex: number;
  inputIndex: number;
  rule: string;
  message: string;
  value: unknown;
}

export type WorkerResult = { id: number; failure?: ScriptFailure; verdicts?: Uint8Array; error?: string };

interface Pending {
  resolve: (r: WorkerResult) => void;
  reject: (e: Error) => void;
}

export interface ScriptVerifierPoolOptions {
  /** Worker threads (default: one per CPU). */
  threads?: number;
  /** Workers that had no job for this long are stopped, and started again on the next (default 60 s). */
  idleMs?: number;
}

/** Splits `items` into at most `parts` contiguous runs of about equal weight. */
function shares<T>(items: readonly T[], parts: number, weight: (t: T) => number): T[][] {
  let total = 0;
  for (const t of items) total += weight(t);
  const each = Math.ceil(total / parts);
  const out: T[][] = [];
  let load = each;
  for (const t of items) {
    if (load >= each) {
      out.push([]);
      load = 0;
    }
    out.at(-1)!.push(t);
    load += weight(t);
  }
  return out;
}

/**
 * Verifies signatures on worker threads: a block's input scripts, split into one contiguous share
 * per worker (when several inputs fail, the one earliest in the block is reported, so every node
 * names the same rule whatever the timing), and batches of signed messages (heartbeats and other
 * cloud gossip). Jobs travel as one transferred buffer each; several blocks may be in flight.
 */
export class ScriptVerifierPool {
  readonly threads: number;
  readonly #idleMs: number;
  #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #busy = 0;
  #closed = false;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(options: ScriptVerifierPoolOptions | number = {}) {
    const o = typeof options === 'number' ? { threads: options } : options;
    this.threads = Math.max(1, o.threads ?? availableParallelism());
    this.#idleMs = o.idleMs ?? 60_000;
  }

  /** Starts the worker threads now (they load their modules meanwhile) rather than at the first job. */
  start(): void {
    if (this.#closed || this.#workers.length) return;
    for (let i = 0; i < this.threads; i++) {
      // A small young generation: a verifier allocates only short-lived buffers.
      const w = new Worker(new URL('./script-worker.ts', import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: 6 },
      });
      w.on('message', (r: WorkerResult) => {
        const p = this.#pending.get(r.id);
        if (!p) return;
        this.#pending.delete(r.id);
        p.resolve(r);
      });
      // A thread that died takes the others with it: the next job starts a fresh set.
      w.on('error', (err) => this.#fail(err));
      w.unref();
      this.#workers.push(w);
    }
  }

  /** Runs one job per share, spread over the workers, and keeps the process alive meanwhile. */
  async #runAll(jobs: WorkerJob[]): Promise<WorkerResult[]> {
    if (this.#closed) throw new Error('script verifier pool is closed');
    this.start();
    clearTimeout(this.#idleTimer);
    if (this.#busy++ === 0) for (const w of this.#workers) w.ref();
    try {
      const workers = this.#workers;
      const results = await Promise.all(
        jobs.map(
          (job, i) =>
            new Promise<WorkerResult>((resolve, reject) => {
              this.#pending.set(job.id, { resolve, reject });
              workers[i % workers.length]!.postMessage(job, [job.buf.buffer as ArrayBuffer]);
            }),
        ),
      );
      const error = results.find((r) => r.error);
      if (error) throw new Error(`script worker failed: ${error.error}`);
      return results;
    } finally {
      if (--this.#busy === 0) this.#idle();
    }
  }

  #idle(): void {
    for (const w of this.#workers) w.unref();
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#busy === 0) void this.#stopWorkers();
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  /** Throws the ConsensusError of the earliest failing input, if any. */
  async verify(checks: ScriptCheck[], branchId: number, flags: number): Promise<void> {
    if (checks.length === 0) return;
    const jobs: WorkerJob[] = shares(checks, this.threads, (c) => c.tx.inputs.length).map((share) => ({
      kind: 'scripts',
      id: this.#nextId++,
      branchId,
      flags,
      buf: encodeScriptBatch(share),
    }));
    let first: ScriptFailure | undefined;
    // Shares are contiguous and in block order: the first share with a failure holds the earliest.
    for (const r of await this.#runAll(jobs)) {
      if (r.failure) {
        first = r.failure;
        break;
      }
    }
    if (first) {
      throw new ConsensusError(
        first.rule,
        `transaction ${first.txIndex} input ${first.inputIndex}: ${first.message}`,
        {
          field: `txs[${first.txIndex}].inputs[${first.inputIndex}].scriptSig`,
          value: first.value,
        },
      );
    }
  }

  /** One verdict per message, in order: true when `signer` signed it (see consensus `verifyMessage`). */
  async verifyMessages(checks: readonly SignedMessageCheck[]): Promise<boolean[]> {
    if (checks.length === 0) return [];
    const jobs: WorkerJob[] = shares(checks, this.threads, () => 1).map((share) => ({
      kind: 'messages',
      id: this.#nextId++,
      buf: encodeMessageBatch(share),
    }));
    const out: boolean[] = [];
    for (const r of await this.#runAll(jobs)) for (const v of r.verdicts ?? []) out.push(v === 1);
    if (out.length !== checks.length)
      throw new Error(`script worker answered ${out.length} of ${checks.length} messages`);
    return out;
  }

  #fail(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    void this.#stopWorkers();
  }

  async #stopWorkers(): Promise<void> {
    const ws = this.#workers;
    this.#workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#stopWorkers();
  }
}

let shared: ScriptVerifierPool | undefined;

/**
 * The process's verifier pool, one thread per CPU: every chain with the default thread count and
 * the cloud's gossip checks use it, so the threads start once and are never two sets. Its threads
 * stop after a minute without work and never keep the process alive.
 */
export function sharedVerifierPool(): ScriptVerifierPool {
  shared ??= new ScriptVerifierPool();
  return shared;
}
