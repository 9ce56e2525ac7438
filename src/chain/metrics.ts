/**
 * The chain layer's metrics: the tip, blocks connected and the time each took, reorgs, invalid
 * blocks, and the mempool. They live on the registry the node passes in (never prom-client's global
 * one), so several nodes in one process keep theirs apart. State the chain already holds (mempool
 * size) is read when Prometheus scrapes; events are counted where they happen.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the mempool gauges read at scrape time (chain/mempool's Mempool fits). */
export interface MempoolGaugeSource {
  readonly size: number;
  readonly totalBytes: number;
}

/** What the tip gauges read at scrape time (Chain fits). */
export interface ChainGaugeSource {
  tip(): { height: number; time: number };
  bestHeader(): { height: number };
}

export interface ChainMetrics {
  blocksConnected: Counter;
  blocksDisconnected: Counter;
  blockConnectSeconds: Histogram;
  reorgs: Counter;
  reorgDepth: Histogram;
  blocksInvalid: Counter<'rule'>;
  /** Points the tip gauges at a chain (the latest call wins). */
  watchChain(chain: ChainGaugeSource): void;
  /** Points the mempool gauges at a pool (the latest call wins). */
  watchMempool(pool: MempoolGaugeSource): void;
}

/** Connecting a devnet block takes about a millisecond; a mainnet block with many scripts, up to seconds. */
const CONNECT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createChainMetrics(registry: Registry): ChainMetrics {
  const registers = [registry];
  let pool: MempoolGaugeSource | undefined;
  let chain: ChainGaugeSource | undefined;
  new Gauge({
    name: 'fluxnode_chain_tip_height',
    help: 'Height of the active chain tip',
    registers,
    collect() {
      if (chain) this.set(chain.tip().height);
    },
  });
  new Gauge({
    name: 'fluxnode_chain_tip_time_seconds',
    help: 'Header time of the tip block (Unix seconds)',
    registers,
    collect() {
      if (chain) this.set(chain.tip().time);
    },
  });
  new Gauge({
    name: 'fluxnode_chain_best_header_height',
    help: 'Height of the most-work valid header known (ahead of the tip while syncing)',
    registers,
    collect() {
      if (chain) this.set(chain.bestHeader().height);
    },
  });
  new Gauge({
    name: 'fluxnode_chain_mempool_transactions',
    help: 'Transactions in the mempool',
    registers,
    collect() {
      if (pool) this.set(pool.size);
    },
  });
  new Gauge({
    name: 'fluxnode_chain_mempool_bytes',
    help: 'Serialized size of the transactions in the mempool',
    registers,
    collect() {
      if (pool) this.set(pool.totalBytes);
    },
  });
  return {
    blocksConnected: new Counter({
      name: 'fluxnode_chain_blocks_connected_total',
      help: 'Blocks connected to the active chain',
      registers,
    }),
    blocksDisconnected: new Counter({
      name: 'fluxnode_chain_blocks_disconnected_total',
      help: 'Blocks disconnected from the active chain by reorgs',
      registers,
    }),
    blockConnectSeconds: new Histogram({
      name: 'fluxnode_chain_block_connect_seconds',
      help: 'Time to connect one block to the tip: inputs, coinbase, scripts and the state write',
      buckets: CONNECT_BUCKETS,
      registers,
    }),
    reorgs: new Counter({
      name: 'fluxnode_chain_reorgs_total',
      help: 'Switches of the active chain to another branch',
      registers,
    }),
    reorgDepth: new Histogram({
      name: 'fluxnode_chain_reorg_depth_blocks',
      help: 'Blocks disconnected by each reorg',
      buckets: [1, 2, 3, 6, 10, 30, 100],
      registers,
    }),
    blocksInvalid: new Counter({
      name: 'fluxnode_chain_blocks_invalid_total',
      help: 'Blocks found to break a consensus rule, by rule',
      labelNames: ['rule'],
      registers,
    }),
    watchChain(c) {
      chain = c;
    },
    watchMempool(p) {
      pool = p;
    },
  };
}
