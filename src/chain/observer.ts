/**
 * What the chain tells the operator: its milestones as log lines (constant message + fields) and
 * metrics. Block connects are debug lines; while the chain is far behind its best header it writes a
 * progress line at info every PROGRESS_MS instead; reorgs are info, deep ones warn.
 */
import pino, { type Logger } from 'pino';
import type { ChainMetrics } from './metrics.ts';
import type { ChainEntry } from './types.ts';

/** A reorg this deep is more than the usual race between two miners: worth a warning. */
const DEEP_REORG = 6;
const PROGRESS_MS = 10_000;

export class ChainObserver {
  readonly #metrics: ChainMetrics | null;
  readonly #log: Logger;
  #progressAt = performance.now();
  #progressHeight = -1;

  constructor(metrics: ChainMetrics | null, log: Logger | undefined) {
    this.#metrics = metrics;
    this.#log = log ?? pino({ level: 'silent' });
  }

  opened(tip: ChainEntry, best: ChainEntry): void {
    this.#log.info({ height: tip.height, hash: tip.id, bestHeader: best.height }, 'chain opened');
    this.#progressHeight = tip.height;
  }

  connected(e: ChainEntry, txs: number, seconds: number, best: ChainEntry): void {
    this.#metrics?.blocksConnected.inc();
    this.#metrics?.blockConnectSeconds.observe(seconds);
    this.#log.debug({ height: e.height, hash: e.id, txs, ms: Math.round(seconds * 1000) }, 'block connected');
    const now = performance.now();
    if (now - this.#progressAt < PROGRESS_MS) return;
    const blocks = e.height - this.#progressHeight;
    if (best.height > e.height && blocks > 0) {
      const perSecond = Math.round((blocks * 1000) / (now - this.#progressAt));
      this.#log.info(
        { height: e.height, bestHeader: best.height, blocksPerSecond: perSecond },
        'sync progress',
      );
    }
    this.#progressAt = now;
    this.#progressHeight = e.height;
  }

  disconnected(e: ChainEntry): void {
    this.#metrics?.blocksDisconnected.inc();
    this.#log.debug({ height: e.height, hash: e.id }, 'block disconnected');
  }

  /** The tip moved from `from` to `to` over `fork`, disconnecting `depth` blocks. */
  reorg(from: ChainEntry, to: ChainEntry, fork: ChainEntry, depth: number): void {
    this.#metrics?.reorgs.inc();
    this.#metrics?.reorgDepth.observe(depth);
    const fields = { depth, forkHeight: fork.height, oldTip: from.id, newTip: to.id, height: to.height };
    if (depth >= DEEP_REORG) this.#log.warn(fields, 'deep reorg');
    else this.#log.info(fields, 'reorg');
  }

  invalid(e: ChainEntry, rule: string): void {
    this.#metrics?.blocksInvalid.inc({ rule });
    this.#log.info({ height: e.height, hash: e.id, rule }, 'block invalid');
  }
}
