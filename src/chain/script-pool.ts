import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ConsensusError, encodeTransaction, must, type TxOut } from '../consensus/index.ts';
import type { ScriptCheck } from './validator.ts';

/** One batch for a worker: transactions (encoded) and the outputs their inputs spend. */
export interface ScriptJob {
  id: number;
  branchId: number;
  flags: number;
  items: { txIndex: number; tx: Uint8Array; spent: TxOut[] }[];
}

export interface ScriptFailure {
  txIndex: number;
  inputIndex: number;
  rule: string;
  message: string;
  value: unknown;
}

export type ScriptJobResult = { id: number; failure?: ScriptFailure; error?: string };

interface Pending {
  resolve: (r: ScriptJobResult) => void;
  reject: (e: Error) => void;
}

/**
 * Verifies a block's input scripts on worker threads: the inputs are split into one contiguous
 * share per worker, and when several fail, the one earliest in the block is reported, so every
 * node names the same rule whatever the timing. Small blocks are cheaper to verify inline.
 */
export class ScriptVerifierPool {
  readonly threads: number;
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private busy = 0;
  private closed = false;

  constructor(threads = availableParallelism()) {
    this.threads = Math.max(1, threads);
  }

  private start(): void {
    if (this.workers.length) return;
    for (let i = 0; i < this.threads; i++) {
      const w = new Worker(new URL('./script-worker.ts', import.meta.url));
      w.on('message', (r: ScriptJobResult) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        p.resolve(r);
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      w.unref();
      this.workers.push(w);
    }
  }

  private run(worker: Worker, job: ScriptJob): Promise<ScriptJobResult> {
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject });
      worker.postMessage(job);
    });
  }

  /** Throws the ConsensusError of the earliest failing input, if any. */
  async verify(checks: ScriptCheck[], branchId: number, flags: number): Promise<void> {
    if (this.closed) throw new Error('script verifier pool is closed');
    if (checks.length === 0) return;
    this.start();
    const total = checks.reduce((n, c) => n + c.tx.inputs.length, 0);
    const share = Math.ceil(total / this.workers.length);
    const jobs: ScriptJob[] = [];
    let current: ScriptJob | undefined;
    let load = 0;
    for (const c of checks) {
      if (!current || load >= share) {
        current = { id: this.nextId++, branchId, flags, items: [] };
        jobs.push(current);
        load = 0;
      }
      current.items.push({
        txIndex: c.txIndex,
        tx: encodeTransaction(c.tx),
        spent: c.spent.map((s) => ({ value: s.value, scriptPubKey: s.scriptPubKey })),
      });
      load += c.tx.inputs.length;
    }
    // Keep the process alive while workers hold our answer.
    if (this.busy++ === 0) for (const w of this.workers) w.ref();
    let results: ScriptJobResult[];
    try {
      results = await Promise.all(
        jobs.map((job, i) => this.run(must(this.workers[i % this.workers.length], 'a script worker'), job)),
      );
    } finally {
      if (--this.busy === 0) for (const w of this.workers) w.unref();
    }
    const error = results.find((r) => r.error);
    if (error) throw new Error(`script worker failed: ${error.error}`);
    let first: ScriptFailure | undefined;
    for (const r of results) {
      const f = r.failure;
      if (
        f &&
        (!first ||
          f.txIndex < first.txIndex ||
          (f.txIndex === first.txIndex && f.inputIndex < first.inputIndex))
      ) {
        first = f;
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

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
