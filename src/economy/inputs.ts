/**
 * What the chain layer feeds the economy ledgers. The economy never reads chain tables: the chain
 * turns each connected block into these plain records (amounts in satoshis, times in UTC seconds).
 */
import type { Tier } from '../consensus/index.ts';

/** One fluxnode payment in a block's coinbase. */
export interface OperatorPayout {
  height: number;
  /** Block time, UTC seconds. */
  time: number;
  /** The coinbase txid: with `collateral` it names the payment uniquely. */
  txid: string;
  payoutAddress: string;
  /** The node's collateral outpoint, `txid:vout`. */
  collateral: string;
  tier: Tier;
  amount: bigint;
  /** When the node was started (its START tx's block time), UTC seconds. */
  nodeStartTime: number;
}

/** A coinbase output paying the block's miner: neither a fund output nor a fluxnode payment. */
export interface MinedOutput {
  height: number;
  /** Block time, UTC seconds. */
  time: number;
  /** The coinbase txid: with `vout` it names the output uniquely. */
  txid: string;
  vout: number;
  address: string;
  amount: bigint;
}

/** Kinds of one-off coinbase outputs the rules schedule (exchange fund, foundation, swap pool). */
export type OneOffKind = 'exchange-fund' | 'foundation' | 'swap-pool' | (string & {});

export interface OneOffOutput {
  address: string;
  amount: bigint;
  kind: OneOffKind;
}

/** A payment for app hosting (to the network's app address). A transfer, not new or destroyed coin. */
export interface AppPayment {
  txid: string;
  amount: bigint;
}

/** Collateral newly locked (positive) or released (negative) in a tier by this block. */
export interface CollateralChange {
  tier: Tier;
  amount: bigint;
}

/** Everything the supply statistics need from one block. */
export interface BlockSummary {
  height: number;
  time: number;
  /** Value of the coinbase outputs paid to the miner: the miner's subsidy share plus all fees. */
  minerReward: bigint;
  /** Transaction fees collected by the miner (already inside `minerReward`). */
  fees: bigint;
  operatorPayouts: readonly OperatorPayout[];
  oneOffs: readonly OneOffOutput[];
  appPayments: readonly AppPayment[];
  /** Value sent to provably unspendable outputs (OP_RETURN and the like). */
  burned: bigint;
  collateral: readonly CollateralChange[];
  /** The miner's coinbase outputs (absent from summaries stored before parallel mining). */
  minerOutputs?: readonly MinedOutput[];
}
