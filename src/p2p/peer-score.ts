/**
 * Misbehaviour points per peer. A peer that reaches the ban threshold is disconnected and refused
 * for `banMs`; points decay so that a rare honest mistake (a stale block) never adds up to a ban.
 */
export interface PeerScoreOptions {
  banThreshold: number;
  banMs: number;
  /** Points forgiven per minute. */
  decayPerMinute: number;
  now?: () => number;
}

interface Entry {
  points: number;
  updated: number;
  bannedUntil: number;
  reasons: string[];
}

export class PeerScores {
  private readonly peers = new Map<string, Entry>();
  private readonly opts: PeerScoreOptions;
  private readonly now: () => number;

  constructor(opts: PeerScoreOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** Adds points; returns true when this pushes the peer over the threshold (caller hangs up). */
  penalize(peer: string, points: number, reason: string): boolean {
    const e = this.entry(peer);
    e.points += points;
    e.reasons.push(reason);
    if (e.reasons.length > 10) e.reasons.shift();
    if (e.points >= this.opts.banThreshold && e.bannedUntil <= this.now()) {
      e.bannedUntil = this.now() + this.opts.banMs;
      return true;
    }
    return false;
  }

  isBanned(peer: string): boolean {
    const e = this.peers.get(peer);
    return !!e && e.bannedUntil > this.now();
  }

  score(peer: string): number {
    return this.peers.has(peer) ? this.entry(peer).points : 0;
  }

  reasons(peer: string): string[] {
    return [...(this.peers.get(peer)?.reasons ?? [])];
  }

  banned(): string[] {
    return [...this.peers].filter(([, e]) => e.bannedUntil > this.now()).map(([p]) => p);
  }

  private entry(peer: string): Entry {
    const t = this.now();
    let e = this.peers.get(peer);
    if (!e) {
      e = { points: 0, updated: t, bannedUntil: 0, reasons: [] };
      this.peers.set(peer, e);
    }
    const minutes = (t - e.updated) / 60_000;
    e.points = Math.max(0, e.points - minutes * this.opts.decayPerMinute);
    e.updated = t;
    // Bounded memory: forget peers with nothing against them.
    if (this.peers.size > 10_000) {
      for (const [p, x] of this.peers) if (x.points === 0 && x.bannedUntil <= t) this.peers.delete(p);
    }
    return e;
  }
}

/** Token bucket per peer and protocol: `rate` requests per second, bursts up to `burst`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(rate: number, burst: number, now: () => number = Date.now) {
    this.rate = rate;
    this.burst = burst;
    this.now = now;
  }

  take(key: string, cost = 1): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
    b.at = t;
    if (this.buckets.size > 10_000 && !this.buckets.has(key)) this.buckets.clear();
    this.buckets.set(key, b);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }
}
