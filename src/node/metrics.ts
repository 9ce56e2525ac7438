/**
 * One node's metrics: a registry of its own (never prom-client's global one, so several nodes in
 * one process do not mix) holding every layer's metrics and Node.js's process figures, all named
 * `fluxnode_<area>_<name>_<unit>`. The API serves it at GET /metrics.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type ApiMetrics, createApiMetrics } from '../api/index.ts';
import { type ChainMetrics, createChainMetrics } from '../chain/index.ts';
import {
  type CloudMetrics,
  createCloudMetrics,
  createMeshMetrics,
  type MeshMetrics,
} from '../cloud/index.ts';
import { createMiningMetrics, type MiningMetrics } from '../mining/index.ts';
import { createP2PMetrics, type P2PMetrics } from '../p2p/index.ts';

export interface NodeMetrics {
  registry: Registry;
  chain: ChainMetrics;
  p2p: P2PMetrics;
  mining: MiningMetrics;
  cloud: CloudMetrics;
  mesh: MeshMetrics;
  api: ApiMetrics;
}

export function createNodeMetrics(opts: { processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  // fluxnode_process_* (CPU, memory, open files) and fluxnode_nodejs_* (event loop lag, heap, GC).
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fluxnode_' });
  return {
    registry,
    chain: createChainMetrics(registry),
    p2p: createP2PMetrics(registry),
    mining: createMiningMetrics(registry),
    cloud: createCloudMetrics(registry),
    mesh: createMeshMetrics(registry),
    api: createApiMetrics(registry),
  };
}
