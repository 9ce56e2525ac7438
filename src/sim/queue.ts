/**
 * The simulated clock's agenda: callbacks ordered by time, then by the order they were scheduled,
 * so two runs with the same seed do the same things in the same order.
 */
interface Item {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private readonly heap: Item[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(item, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = item;
  }

  /** Time of the next item, or Infinity. */
  peek(): number {
    return this.heap.length > 0 ? this.heap[0]!.at : Number.POSITIVE_INFINITY;
  }

  /** Runs every item due at or before `time`, including items they schedule within that time. */
  runUntil(time: number, onTime: (at: number) => void): void {
    while (this.heap.length > 0 && this.heap[0]!.at <= time) {
      const item = this.pop();
      onTime(item.at);
      item.run();
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Item;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, m === i ? last : h[m]!)) m = l;
        if (r < h.length && before(h[r]!, m === i ? last : h[m]!)) m = r;
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top as Item;
  }
}

function before(a: Item, b: Item): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
