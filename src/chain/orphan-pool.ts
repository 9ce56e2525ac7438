/**
 * Blocks whose parent is unknown, kept in memory by parent hash until it arrives. Bounded: when
 * full, the oldest waiting group goes, so a peer that floods orphans only evicts its own.
 */
import type { Block } from '../consensus/index.ts';
import { hashKey } from './block-index.ts';

export class OrphanPool {
  readonly #max: number;
  readonly #byParent = new Map<string, Block[]>();
  #count = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Blocks held (over every parent). */
  get size(): number {
    return this.#count;
  }

  add(block: Block): void {
    if (this.#count >= this.#max) {
      const first = this.#byParent.keys().next().value!;
      this.#count -= this.#byParent.get(first)!.length;
      this.#byParent.delete(first);
    }
    const key = hashKey(block.header.prevHash);
    const list = this.#byParent.get(key) ?? [];
    list.push(block);
    this.#byParent.set(key, list);
    this.#count++;
  }

  /** Removes and returns the blocks waiting for the parent `parentHash`. */
  take(parentHash: Uint8Array): Block[] {
    const key = hashKey(parentHash);
    const waiting = this.#byParent.get(key);
    if (!waiting) return [];
    this.#byParent.delete(key);
    this.#count -= waiting.length;
    return waiting;
  }
}
