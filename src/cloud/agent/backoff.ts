/**
 * Spacing of repeated attempts on one component (creating it, starting it again after it died): a
 * component that fails or dies right away is retried after 1 s, 2 s, 4 s, … up to a ceiling, so a
 * crash-looping app or a port that stays taken cannot spin the reconciler. An attempt after a quiet
 * spell (`resetMs` without any) starts the count afresh.
 */
export class Backoff {
  private readonly tries = new Map<string, { count: number; last: number }>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly resetMs: number;

  constructor(baseMs = 1000, maxMs = 60_000, resetMs = 30_000) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.resetMs = resetMs;
  }

  /** Milliseconds to wait before the next attempt on `key` (0: go ahead). */
  wait(key: string, now: number): number {
    const t = this.tries.get(key);
    if (!t || now - t.last >= this.resetMs) return 0;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** (t.count - 1));
    return Math.max(0, t.last + delay - now);
  }

  attempted(key: string, now: number): void {
    const t = this.tries.get(key);
    if (!t || now - t.last >= this.resetMs) this.tries.set(key, { count: 1, last: now });
    else this.tries.set(key, { count: t.count + 1, last: now });
  }

  forget(key: string): void {
    this.tries.delete(key);
  }
}
