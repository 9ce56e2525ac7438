import type { BenchmarkKey, OutPoint, Tier } from '../../consensus/index.ts';

/**
 * One registered fluxnode, keyed by its collateral outpoint ("txid:index", display order). A START
 * not confirmed in time stays as a `dos` record, which bars its collateral from a new START until
 * `dosRemoval` blocks after the START (fluxd's DoS tracker); it is not listed as a node.
 */
export interface FluxnodeRecord {
  collateral: string;
  tier: Tier;
  amount: bigint;
  /** The collateral output's script: node rewards pay to it. */
  payoutScript: string;
  /** Operator key (hex) that signs CONFIRMs and heartbeats. */
  operatorPubKey: string;
  ip: string;
  status: 'started' | 'confirmed' | 'dos';
  startHeight: number;
  confirmedHeight: number | null;
  lastConfirmHeight: number | null;
  lastPaidHeight: number | null;
}

/** The registry's windows in force at one height, in blocks (consensus/params' RegistryRules fits). */
export interface RegistryWindows {
  /** A STARTed node must send its first CONFIRM within this many blocks or it is barred. */
  startExpiry: number;
  /** Blocks after its START that a collateral missing its first CONFIRM stays barred from a new START. */
  dosRemoval: number;
  /** A confirmed node that sends no CONFIRM for this many blocks expires. */
  confirmExpiry: number;
  /** A CONFIRM is refused unless more than this many blocks passed since the node's last one. */
  minConfirmInterval: number;
  /** A CONFIRM changing the node's IP is allowed once this many blocks passed; null = no exception. */
  ipChangeMinInterval: number | null;
  /** Blocks the collateral output must have been buried before START. */
  collateralMinConfirmations: number;
}

/** Registry rules that vary by network and height. */
export interface RegistryParams {
  rulesAt: (height: number) => RegistryWindows;
  tierOfCollateral: (amount: bigint, height: number) => Tier | null;
  /**
   * From this height on a tier accepts only its new collateral amount: confirmed nodes still on
   * the old one are expired (fluxd, Halving upgrade). Absent: no tier ever changes its amount.
   */
  collateralTransitionEnd?: (tier: Tier) => number;
  /** The network's benchmark keys: a CONFIRM's benchmark must be signed by one. Absent: not checked. */
  benchmarkKeys?: readonly BenchmarkKey[];
}

export interface CollateralUtxo {
  value: bigint;
  scriptPubKey: Uint8Array;
  height: number;
}

/** What the registry needs from the chain while connecting a block. */
export interface RegistryContext {
  getUtxo: (outpoint: OutPoint) => CollateralUtxo | undefined;
}

/** Undo data for one block: each touched record as it was before (null = it did not exist). */
export type RegistryUndo = { collateral: string; before: FluxnodeRecord | null }[];

export type { Payee } from '../../consensus/index.ts';

/** What connecting one block did to the registry, handed to the extensions that depend on it. */
export interface FluxnodeBlockEffect {
  /** The node each tier paid in this block, as its record stood before the block. */
  paid: FluxnodeRecord[];
  /**
   * Every record the block changed, as nodes: `before` null = none before (new START, or barred),
   * `after` null = none after (spent, expired or barred for a missed CONFIRM).
   */
  changes: { collateral: string; before: FluxnodeRecord | null; after: FluxnodeRecord | null }[];
}
