import type { Chain, ChainEntry, FluxnodeRegistry } from '../../chain/index.ts';
import type { Block } from '../../consensus/index.ts';
import { confirmedByTier, zeroCounts } from './node-view.ts';
import type { NodeCountPoint } from './types.ts';

export interface NodeCountHistoryOptions {
  /** Points kept (oldest dropped first). */
  max?: number;
  /** Points estimated at start-up, before any block was seen. */
  seedPoints?: number;
}

/**
 * Confirmed nodes per tier over time. The registry keeps only the present, so the node samples it
 * after every block it connects. At start-up the past is estimated from the nodes registered now
 * (each counted from its confirmation height): nodes that expired since are missing from those
 * points, which are marked `estimated`.
 */
export class NodeCountHistory {
  private points: NodeCountPoint[] = [];
  private readonly max: number;
  private readonly chain: Chain;
  private readonly registry: () => FluxnodeRegistry;
  private readonly onConnect = (_block: Block, e: ChainEntry) => this.record(e);
  private readonly onDisconnect = (_block: Block, e: ChainEntry) => {
    while ((this.points.at(-1)?.height ?? -1) >= e.height) this.points.pop();
  };

  constructor(chain: Chain, registry: () => FluxnodeRegistry, opts: NodeCountHistoryOptions = {}) {
    this.chain = chain;
    this.registry = registry;
    this.max = opts.max ?? 2000;
    this.seed(opts.seedPoints ?? 120);
    chain.on('connect', this.onConnect);
    chain.on('disconnect', this.onDisconnect);
  }

  close(): void {
    this.chain.off('connect', this.onConnect);
    this.chain.off('disconnect', this.onDisconnect);
  }

  /** At most `limit` points, evenly spread over the kept range, the latest always included. */
  list(limit = 200): NodeCountPoint[] {
    const pts = this.points;
    if (pts.length <= limit) return [...pts];
    const out: NodeCountPoint[] = [];
    const step = (pts.length - 1) / (limit - 1);
    for (let i = 0; i < limit; i++) {
      const p = pts[Math.round(i * step)];
      if (p) out.push(p);
    }
    return out;
  }

  private record(e: ChainEntry): void {
    const counts = confirmedByTier(this.registry().list());
    this.points.push({ height: e.height, time: e.time, ...counts });
    if (this.points.length > this.max) this.points.splice(0, this.points.length - this.max);
  }

  private seed(n: number): void {
    const tip = this.chain.height();
    const confirmed = this.registry()
      .list()
      .filter((r) => r.status === 'confirmed' && r.confirmedHeight !== null);
    // The span the kept points would cover had the node been running, so the jump shows.
    const from = Math.max(0, tip - this.max);
    const span = tip - from;
    const count = Math.min(n, span + 1);
    const heights = new Set<number>();
    for (let i = 0; i < count; i++)
      heights.add(count === 1 ? tip : from + Math.round((i * span) / (count - 1)));
    for (const h of [...heights].sort((a, b) => a - b)) {
      const c = zeroCounts();
      for (const r of confirmed) if (r.confirmedHeight! <= h) c[r.tier]++;
      const point: NodeCountPoint = { height: h, time: this.chain.getEntry(h)?.time ?? 0, ...c };
      if (h < tip) point.estimated = true;
      this.points.push(point);
    }
  }
}
