/**
 * Variable share difficulty for one stratum connection, as pools run it: each rig gets a share
 * target that makes it submit about one share every `targetSeconds`, whatever its speed. The
 * target moves after a batch of shares (or a quiet spell), by the ratio between the time the
 * shares took and the time they should have, at most 4× per step and within [minTarget, maxTarget].
 */
export interface VardiffOptions {
  /** Seconds between shares a connection should average. */
  targetSeconds: number;
  /** Accepted shares between retargets. */
  retargetShares: number;
  /** A connection without a share this long gets an easier target. */
  retargetSeconds: number;
  /** Relative deviation from `targetSeconds` that is left alone (0.3 = ±30 %). */
  variance: number;
  /** Easiest target (the server's base share target): where every connection starts. */
  maxTarget: bigint;
  /** Hardest target a connection may be given. */
  minTarget: bigint;
}

export const VARDIFF_DEFAULTS = {
  targetSeconds: 15,
  retargetShares: 8,
  retargetSeconds: 90,
  variance: 0.3,
} as const;

const MAX_STEP = 4;
const SCALE = 1_000_000n;

export class Vardiff {
  readonly #opts: VardiffOptions;
  #target: bigint;
  #shares = 0;
  #since: number;

  constructor(opts: VardiffOptions, nowMs: number) {
    if (opts.minTarget <= 0n || opts.minTarget > opts.maxTarget)
      throw new RangeError(`vardiff: minTarget must be in (0, maxTarget], got ${opts.minTarget}`);
    this.#opts = opts;
    this.#target = opts.maxTarget;
    this.#since = nowMs;
  }

  get target(): bigint {
    return this.#target;
  }

  /** Share difficulty relative to the easiest target (1 at maxTarget). */
  get difficulty(): number {
    return Number((this.#opts.maxTarget * SCALE) / this.#target) / Number(SCALE);
  }

  /** An accepted share at `nowMs`; returns the new target when it moved. */
  onShare(nowMs: number): bigint | undefined {
    this.#shares++;
    if (this.#shares < this.#opts.retargetShares) return undefined;
    return this.#retarget((nowMs - this.#since) / 1000 / this.#shares, nowMs);
  }

  /** A clock tick (a new job): a connection quiet past `retargetSeconds` is eased. */
  onTick(nowMs: number): bigint | undefined {
    const elapsed = (nowMs - this.#since) / 1000;
    if (elapsed < this.#opts.retargetSeconds) return undefined;
    // No share yet: at least as slow as the whole quiet spell.
    return this.#retarget(this.#shares === 0 ? elapsed : elapsed / this.#shares, nowMs);
  }

  #retarget(secondsPerShare: number, nowMs: number): bigint | undefined {
    this.#shares = 0;
    this.#since = nowMs;
    const ratio = secondsPerShare / this.#opts.targetSeconds;
    if (Math.abs(ratio - 1) <= this.#opts.variance) return undefined;
    const step = Math.min(MAX_STEP, Math.max(1 / MAX_STEP, ratio));
    let next = (this.#target * BigInt(Math.round(step * Number(SCALE)))) / SCALE;
    if (next > this.#opts.maxTarget) next = this.#opts.maxTarget;
    if (next < this.#opts.minTarget) next = this.#opts.minTarget;
    if (next === this.#target) return undefined;
    this.#target = next;
    return next;
  }
}
