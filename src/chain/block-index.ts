import { must, reverseHex, toHex } from '../consensus/index.ts';
import type { BlockStatus, ChainEntry } from './types.ts';

/** Map key for a hash in internal byte order. */
export function hashKey(hash: Uint8Array): string {
  return toHex(hash);
}

/** The mutable form of a block index entry; the chain hands it out typed as the read-only `ChainEntry`. */
export class IndexEntry implements ChainEntry {
  readonly hash: Uint8Array;
  readonly key: string;
  readonly id: string;
  readonly prevHash: Uint8Array;
  readonly height: number;
  readonly chainWork: bigint;
  readonly version: number;
  readonly time: number;
  readonly bits: number;
  readonly parent: IndexEntry | null;
  /** Arrival order: among chains of equal work the one seen first is kept. */
  readonly seq: number;
  status: BlockStatus;
  invalidRule: string | undefined;
  invalidReason: string | undefined;
  readonly children: IndexEntry[] = [];
  /** This block and every ancestor have their bodies stored (so the branch can be connected). */
  linked = false;

  constructor(f: {
    hash: Uint8Array;
    prevHash: Uint8Array;
    height: number;
    chainWork: bigint;
    version: number;
    time: number;
    bits: number;
    parent: IndexEntry | null;
    seq: number;
    status: BlockStatus;
    invalidRule?: string | null;
    invalidReason?: string | null;
  }) {
    this.hash = f.hash;
    this.key = hashKey(f.hash);
    this.id = reverseHex(f.hash);
    this.prevHash = f.prevHash;
    this.height = f.height;
    this.chainWork = f.chainWork;
    this.version = f.version;
    this.time = f.time;
    this.bits = f.bits;
    this.parent = f.parent;
    this.seq = f.seq;
    this.status = f.status;
    this.invalidRule = f.invalidRule ?? undefined;
    this.invalidReason = f.invalidReason ?? undefined;
  }

  get hasData(): boolean {
    return this.status === 'data' || this.status === 'valid';
  }
}

/** Number of past blocks whose median time a new block must exceed. */
export const MEDIAN_TIME_SPAN = 11;

/** Every header the node knows, linked to its parent, with the walks the chain logic needs. */
export class BlockIndex {
  private readonly entries = new Map<string, IndexEntry>();

  get size(): number {
    return this.entries.size;
  }

  get(hash: Uint8Array): IndexEntry | undefined {
    return this.entries.get(hashKey(hash));
  }

  getByKey(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  add(e: IndexEntry): void {
    this.entries.set(e.key, e);
    e.parent?.children.push(e);
  }

  values(): IterableIterator<IndexEntry> {
    return this.entries.values();
  }

  /** The ancestor of `e` at `height` (e itself when equal); undefined above e. */
  static ancestor(e: IndexEntry, height: number): IndexEntry | undefined {
    if (height > e.height || height < 0) return undefined;
    let cur: IndexEntry | null = e;
    while (cur && cur.height > height) cur = cur.parent;
    return cur ?? undefined;
  }

  /** Median time of `e` and up to 10 blocks before it. */
  static medianTimePast(e: IndexEntry): number {
    const times: number[] = [];
    let cur: IndexEntry | null = e;
    for (let i = 0; i < MEDIAN_TIME_SPAN && cur; i++, cur = cur.parent) times.push(cur.time);
    times.sort((a, b) => a - b);
    return must(times[times.length >> 1], 'a block time (the entry itself is one)');
  }

  /** The last block two branches share. */
  static fork(a: IndexEntry, b: IndexEntry): IndexEntry | undefined {
    let x: IndexEntry | null = a;
    let y: IndexEntry | null = b;
    while (x && y && x.height > y.height) x = x.parent;
    while (x && y && y.height > x.height) y = y.parent;
    while (x && y && x !== y) {
      x = x.parent;
      y = y.parent;
    }
    return x && x === y ? x : undefined;
  }

  /** Every block built on `e`, depth first (not including e). */
  static descendants(e: IndexEntry): IndexEntry[] {
    const out: IndexEntry[] = [];
    const stack = [...e.children];
    while (stack.length) {
      const cur = stack.pop()!;
      out.push(cur);
      stack.push(...cur.children);
    }
    return out;
  }
}

/** More work first; equal work: earlier arrival first. */
export function betterThan(a: IndexEntry, b: IndexEntry): boolean {
  if (a.chainWork !== b.chainWork) return a.chainWork > b.chainWork;
  return a.seq < b.seq;
}
