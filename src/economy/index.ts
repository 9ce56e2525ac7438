/** The economy layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { type Coverage, EconomyExtension } from './chain/extension.ts';
export { EconomyError } from './errors.ts';
export { type ClaimFields, claimMessage, type ClaimRequest } from './parallel/claim-message.ts';
export type { ClaimRecord, ClaimSnapshot } from './parallel/ledger.ts';
export type { SupplySnapshot } from './supply/stats.ts';
