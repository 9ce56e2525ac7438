/**
 * Runs async jobs one at a time, in the order given: the reconciler and owner restarts share one,
 * so two of them never act on the Docker engine at once. A failed job does not stop the next.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => {});
    return next;
  }

  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => {});
  }
}
