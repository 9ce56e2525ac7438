/**
 * Share accounting per stratum worker (the name a rig authorizes as), what a pool pays by: shares
 * accepted and rejected, the difficulty they were worth, blocks found and when the last share came.
 * Several connections may authorize as one worker; their shares add up.
 */
export interface WorkerStats {
  worker: string;
  sharesAccepted: number;
  sharesRejected: number;
  /** Sum of the accepted shares' difficulties (1 = a share at the server's base target). */
  difficultyAccepted: number;
  blocksFound: number;
  /** Unix ms of the last accepted share (0 = none yet). */
  lastShareAt: number;
  /** The share difficulty the worker's most recent connection is set to. */
  difficulty: number;
}

/** Distinct workers tracked; past it the least recently active one is forgotten. */
const MAX_WORKERS = 10_000;

export class WorkerLedger {
  readonly #workers = new Map<string, WorkerStats>();

  #of(worker: string): WorkerStats {
    let w = this.#workers.get(worker);
    if (w) {
      // Re-inserted to keep the map in order of activity (oldest first) for eviction.
      this.#workers.delete(worker);
    } else {
      w = {
        worker,
        sharesAccepted: 0,
        sharesRejected: 0,
        difficultyAccepted: 0,
        blocksFound: 0,
        lastShareAt: 0,
        difficulty: 1,
      };
    }
    this.#workers.set(worker, w);
    while (this.#workers.size > MAX_WORKERS) this.#workers.delete(this.#workers.keys().next().value!);
    return w;
  }

  accepted(worker: string, difficulty: number, nowMs: number, block: boolean): void {
    const w = this.#of(worker);
    w.sharesAccepted++;
    w.difficultyAccepted += difficulty;
    w.lastShareAt = nowMs;
    if (block) w.blocksFound++;
  }

  rejected(worker: string): void {
    this.#of(worker).sharesRejected++;
  }

  setDifficulty(worker: string, difficulty: number): void {
    this.#of(worker).difficulty = difficulty;
  }

  get(worker: string): WorkerStats | undefined {
    const w = this.#workers.get(worker);
    return w ? { ...w } : undefined;
  }

  list(): WorkerStats[] {
    return [...this.#workers.values()].map((w) => ({ ...w }));
  }
}
