/**
 * The mining layer's metrics: blocks this node's miner found and had accepted or refused, and the
 * Equihash solutions it tried, and the pool transactions it evicted because no block could carry them.
 */
import { Counter, type Registry } from 'prom-client';

export interface MiningMetrics {
  blocksMined: Counter;
  blocksRejected: Counter;
  solutionsTried: Counter;
  txsEvicted: Counter<'rule'>;
}

export function createMiningMetrics(registry: Registry): MiningMetrics {
  const registers = [registry];
  return {
    blocksMined: new Counter({
      name: 'fluxnode_mining_blocks_mined_total',
      help: "Blocks this node's CPU miner found that joined the chain",
      registers,
    }),
    blocksRejected: new Counter({
      name: 'fluxnode_mining_blocks_rejected_total',
      help: "Blocks this node's CPU miner found that the chain refused or found stale",
      registers,
    }),
    solutionsTried: new Counter({
      name: 'fluxnode_mining_solutions_tried_total',
      help: 'Equihash solutions checked against the target',
      registers,
    }),
    txsEvicted: new Counter({
      name: 'fluxnode_mining_txs_evicted_total',
      help: 'Pool transactions the miner evicted because no block could carry them, by consensus rule',
      labelNames: ['rule'],
      registers,
    }),
  };
}
