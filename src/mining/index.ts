/** The mining layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { createMiningMetrics, type MiningMetrics } from './metrics.ts';
export { Miner } from './miner.ts';
export { cpuSolver } from './pow.ts';
export { feedStratum, stratumBackendFor, type StratumFeed } from './stratum-wiring.ts';
export { StratumServer } from './stratum.ts';
export type { WorkerStats } from './stratum-workers.ts';
export { Vardiff, VARDIFF_DEFAULTS, type VardiffOptions } from './vardiff.ts';
export { templateToJson } from './template-json.ts';
export { buildBlockTemplate } from './template.ts';
