// The records and views of the parallel-asset ledger: accepted claims, claim snapshots and their
// merkle proofs, an address's position in an asset, and the ledger's own per-asset book.

import type { MerkleHashName, ParallelAsset } from './assets.ts';
import type { VerifySignature } from './claim-message.ts';

export interface ClaimRecord {
  id: string;
  assetId: string;
  sourceAddress: string;
  /** Canonical form (EIP-55 for EVM chains). */
  targetAddress: string;
  amount: bigint;
  nonce: number;
  /** Chain time at which the claim was accepted. */
  time: number;
}

export interface ClaimSnapshot {
  assetId: string;
  snapshot: number;
  time: number;
  hash: MerkleHashName;
  root: string;
  leafCount: number;
  total: bigint;
  claimIds: readonly string[];
}

export interface ClaimProof {
  assetId: string;
  snapshot: number;
  index: number;
  leafCount: number;
  hash: MerkleHashName;
  /** The leaf preimage, hex (see merkle.ts for its layout). */
  leaf: string;
  siblings: string[];
  root: string;
}

export type AccrualStatus = 'claimable' | 'pending';

export interface AssetPosition {
  assetId: string;
  status: AccrualStatus;
  /** Units accrued since the start rule, whether launched or not. */
  accrued: bigint;
  claimed: bigint;
  claimable: bigint;
  /** Accrued but waiting for the asset's launch. */
  pending: bigint;
  nextNonce: number;
}

export interface AssetBook {
  asset: ParallelAsset;
  claimed: Map<string, bigint>;
  nonces: Map<string, number>;
  claims: ClaimRecord[];
  /** claims[snapshotted..] are not yet in any snapshot. */
  snapshotted: number;
  snapshots: ClaimSnapshot[];
  leaves: Uint8Array[][];
  /** Units given outright by holder snapshots, by address. */
  allocated: Map<string, bigint>;
}

export interface ParallelLedgerOptions {
  verifySignature: VerifySignature;
  registry?: readonly ParallelAsset[];
  epoch?: number;
}
