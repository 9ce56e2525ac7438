/**
 * The economy extension's options and the shapes of what it answers: coverage, an address's
 * earnings and asset balances, per-asset supply.
 */
import type { ConsensusParams, Tier } from '../../consensus/index.ts';
import type { ParallelAsset } from '../parallel/assets.ts';
import type { ChainTip } from './claim-book.ts';
import type { EarningsRow } from './store.ts';

export interface EconomyOptions {
  params: ConsensusParams;
  /** The app payment script; by default the network's app address. */
  appScript?: Uint8Array;
  /** Parallel assets and their launch dates (default: PARALLEL_ASSETS). */
  assets?: readonly ParallelAsset[];
  /** Accrual start for every node (default 27 March 2021, see parallel/assets.ts). */
  epoch?: number;
  /** Blocks a payment waits before its accrual can be claimed (default: the coinbase maturity). */
  claimDepth?: number;
  /**
   * Holder snapshots: at each `height`, every address's balance (the address index's unspent
   * outputs after that block) is given `assetId` at the parallel rate, 0.1 per FLUX held. Needs
   * `holders`.
   */
  holderSnapshots?: readonly HolderSnapshot[];
  /** Balances by output script at the block being connected: the chain's address index. */
  holders?: HolderBalances;
  /** Claims not yet in a snapshot are sealed at every height that is a multiple of this (default 720, a day of 2-minute blocks). */
  snapshotInterval?: number;
}

export const DEFAULT_SNAPSHOT_INTERVAL = 720;

export interface HolderSnapshot {
  assetId: string;
  height: number;
}

/** What the holder snapshot reads (AddressIndex has it); its extension connects before the economy. */
export interface HolderBalances {
  readonly name: string;
  balances(): { script: Uint8Array; value: bigint }[];
}

/** One asset's figures over every address at the tip, in asset units. */
export interface AssetSupply {
  assetId: string;
  chain: string;
  decimals: number;
  launched: boolean;
  /** Owed for every eligible payment, mined output and holder allocation, matured or not. */
  accrued: bigint;
  /** The matured part: what claims are checked against. */
  matured: bigint;
  claimed: bigint;
  /** Matured, unclaimed, launched. */
  claimable: bigint;
  /** Matured, unclaimed, waiting for the launch. */
  pending: bigint;
}

export interface Coverage {
  /** First height summarized (1 when the economy saw the whole chain); null before any block. */
  fromHeight: number | null;
  tipHeight: number | null;
  /** True when the figures cover every block since genesis. */
  complete: boolean;
  /** Why the summaries were dropped and restarted on open, if they were. */
  resetReason?: string;
}

export interface AddressEarnings {
  address: string;
  payouts: number;
  /** Satoshis of fluxnode payments to the address at the tip. */
  total: bigint;
  /** The part of `total` inside the accrual window (start rule). */
  eligible: bigint;
  byTier: Partial<Record<Tier, EarningsRow>>;
  /** Coinbase outputs the address received as a block's miner. */
  mined: { outputs: number; amount: bigint; eligible: bigint };
}

export interface AssetBalance {
  assetId: string;
  chain: string;
  decimals: number;
  launchTime: number | null;
  launched: boolean;
  /** Units owed for every eligible payment at the tip (0.1 per FLUX), matured or not. */
  accrued: bigint;
  /** Units owed for matured payments only: what claims are checked against. */
  matured: bigint;
  claimed: bigint;
  /** Matured, unclaimed, and the asset has launched. */
  claimable: bigint;
  /** Matured and unclaimed, waiting for the asset's launch. */
  pending: bigint;
  /** Accrued from payments not yet matured. */
  immature: bigint;
  nextNonce: number;
}

export interface AddressBalance {
  address: string;
  tip: ChainTip;
  /** Payments at heights up to here count toward claims. */
  maturedHeight: number;
  earnings: AddressEarnings;
  assets: AssetBalance[];
}
