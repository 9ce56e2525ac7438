import type { Block, BlockHeader, ConsensusParams, Payee, Transaction } from '../consensus/index.ts';
import type { ChainEntry, Coin } from './types.ts';

/** Everything a header rule may look at: the new header's height, its parent and the clock. */
export interface HeaderContext {
  params: ConsensusParams;
  /** Hash of the header being checked, internal byte order. */
  hash: Uint8Array;
  height: number;
  /** Parent entry; walk `.parent` for older headers (difficulty windows, median time). */
  prev: ChainEntry;
  /** Median time of the parent and the 10 blocks before it. */
  medianTimePast: number;
  /** Current network-adjusted time, seconds. */
  now: number;
}

export type BlockContext = HeaderContext;

/** One transaction whose input scripts must verify, with the coins it spends (input order). */
export interface ScriptCheck {
  tx: Transaction;
  /** Position of the transaction in its block. */
  txIndex: number;
  spent: Coin[];
}

export interface CoinbaseContext extends BlockContext {
  block: Block;
  coinbase: Transaction;
  /** Sum of the fees of the block's other transactions. */
  fees: bigint;
  /** The node each tier pays in this block: the fluxnode registry's queue before the block. */
  payees: readonly Payee[];
}

/**
 * The stateless and contextual rules, grouped as the chain calls them. The chain itself enforces
 * the UTXO rules (inputs exist and are unspent, coinbase maturity, value in ≥ value out, fee range,
 * no overwritten txids) and, through its fluxnode registry, the fluxnode transaction rules; the rest
 * is here (defaultValidator). Every method throws a ConsensusError naming the rule it found broken.
 */
export interface BlockValidator {
  /** Header rules: proof of work for the height, difficulty bits, time against median and clock. */
  checkHeader(header: BlockHeader, ctx: HeaderContext): void;
  /**
   * Block rules without the UTXO set: structure, merkle root, tx sanity, finality, coinbase height.
   * May return the txids it computed, which the chain then reuses.
   */
  checkBlock(block: Block, ctx: BlockContext): { txids?: Uint8Array[] } | undefined;
  /** Coinbase amount against subsidy + fees, and the outputs the rules require at this height. */
  checkCoinbase(ctx: CoinbaseContext): void;
  /** Input scripts of a block's transactions; may run in parallel and resolve later. */
  verifyScripts(checks: ScriptCheck[], ctx: BlockContext): void | Promise<void>;
  /** Releases what the validator holds (worker threads); called when the chain closes. */
  close?(): void | Promise<void>;
}

/**
 * Rules that depend on the block's data only (not the clock, not the UTXO set): failing them marks
 * the block invalid for good. A block can also fail for reasons that say nothing about its header
 * (a merkle root that does not match, possibly mutated in transit), which must not condemn the header.
 */
export const CORRUPTION_RULES: ReadonlySet<string> = new Set([
  'bad-txnmrklroot',
  'bad-txns-duplicate',
  'bad-blk-length',
  'decode-error',
]);

/**
 * Connect-time rules over bytes the block hash does not cover. A fluxnode tx's txid leaves out its
 * signatures, so a relay can alter one without changing the merkle root or the block hash: such a
 * failure condemns the copy, never the block, or a forged copy arriving first would split the chain.
 */
export const UNCOMMITTED_BODY_RULES: ReadonlySet<string> = new Set([
  'bad-fluxnode-start-signature',
  'bad-fluxnode-confirm-signature',
  'bad-txns-zelnode-tx-invalid-signature',
]);

/** Header failures that depend on the local clock: the header may become valid later. */
export const TRANSIENT_HEADER_RULES: ReadonlySet<string> = new Set(['time-too-new']);
