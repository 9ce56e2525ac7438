/** The economy layer's public surface: what other layers may import (DESIGN.md, Layers). */
export {
  type AssetSupply,
  type Coverage,
  DEFAULT_SNAPSHOT_INTERVAL,
  EconomyExtension,
  type EconomyOptions,
  type HolderBalances,
  type HolderSnapshot,
} from './chain/extension.ts';
export { EconomyError } from './errors.ts';
export { type ClaimData, encodeClaimData } from './parallel/claim-data.ts';
export { CLAIM_CARRIER_SAT, claimPayment } from './parallel/claim-payment.ts';
export { PARALLEL_ASSETS } from './parallel/assets.ts';
export { type ClaimFields, claimMessage, type ClaimRequest } from './parallel/claim-message.ts';
export type { ClaimProof, ClaimRecord, ClaimSnapshot } from './parallel/ledger.ts';
export type { SupplySnapshot } from './supply/stats.ts';
export { type PoolBlock, type PoolDefinition, PoolFollower } from './pool/follower.ts';
export { decodeEvent, encodeEvent, type PoolEvent, type PoolParams } from './pool/journal.ts';
export { decodePoolData, POOL_MARKER, stakeData, withdrawData } from './pool/pool-data.ts';
export { replay } from './pool/replay.ts';
export type { StakerView } from './pool/pool.ts';
export { stakePayment, withdrawPayment } from './pool/pool-payment.ts';
