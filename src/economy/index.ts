/** The economy layer's public surface: what other layers may import (DESIGN.md, Layers). */
export {
  type AssetSupply,
  type Coverage,
  DEFAULT_SNAPSHOT_INTERVAL,
  EconomyExtension,
  type HolderSnapshot,
} from './chain/extension.ts';
export { EconomyError } from './errors.ts';
export { type ClaimData, encodeClaimData } from './parallel/claim-data.ts';
export { CLAIM_CARRIER_SAT, claimPayment } from './parallel/claim-payment.ts';
export { PARALLEL_ASSETS } from './parallel/assets.ts';
export { type ClaimFields, claimMessage, type ClaimRequest } from './parallel/claim-message.ts';
export type { ClaimProof, ClaimRecord, ClaimSnapshot } from './parallel/ledger.ts';
export type { SupplySnapshot } from './supply/stats.ts';
