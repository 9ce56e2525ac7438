/**
 * Seeded randomness for the simulator. Every source of chance (the workload, each event, link
 * delays, losses) draws from its own stream forked from the run's seed by a label, so changing
 * one knob does not reshuffle everything else and a seed always replays the same run.
 */
import { fmix32, fnv1a32 } from '../cloud/index.ts';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** sfc32, seeded through the MurmurHash3 finalizer so nearby seeds give unrelated streams. */
  constructor(seed: number, label = '') {
    const s = fmix32((seed >>> 0) ^ fnv1a32(label));
    this.a = fmix32(s ^ 0x9e3779b9);
    this.b = fmix32(s ^ 0x243f6a88);
    this.c = fmix32(s ^ 0xb7e15162);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** An independent stream for one purpose. */
  fork(label: string): Rng {
    return new Rng(this.u32(), label);
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Poisson(mean): Knuth's product method for small means, a rounded normal for large ones. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 60) {
      const u = 1 - this.next();
      const v = this.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
    }
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** `count` distinct items, in a random order (partial Fisher-Yates on a copy). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const take = Math.min(count, pool.length);
    for (let i = 0; i < take; i++) {
      const j = i + this.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
    }
    return pool.slice(0, take);
  }
}
