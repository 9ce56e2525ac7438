import type { OutPoint } from '../../consensus/index.ts';

/** An unspent output paying to an indexed script, with what a wallet needs to spend it. */
export interface IndexedCoin {
  outpoint: OutPoint;
  value: bigint;
  scriptPubKey: Uint8Array;
  /** Height of the block that created it. */
  height: number;
  coinbase: boolean;
}

/** What one script holds at the index's tip. */
export interface ScriptBalance {
  /** Every unspent output, mature or not. */
  total: bigint;
  /** What a transaction in the next block may spend (coinbase outputs past maturity, all others). */
  spendable: bigint;
  /** Coinbase outputs still inside the maturity window. */
  immature: bigint;
  /** Number of unspent outputs. */
  coins: number;
}

/** One transaction that paid to or spent from a script. */
export interface HistoryEntry {
  /** Display form (byte-reversed hex). */
  txid: string;
  height: number;
  /** Position of the transaction in its block. */
  position: number;
  /** What the transaction paid to the script minus what it spent from it, in satoshis. */
  delta: bigint;
}
