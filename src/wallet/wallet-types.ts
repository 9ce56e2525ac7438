// What the wallet takes and hands out: the coins its source reports (and their status), balances,
// payment requests and the payments built from them, the wallet's options and its fee defaults.

import type { OutPoint, Tier, Transaction } from '../consensus/index.ts';
import type { StoredKey } from './keystore.ts';
import type { TxFrame } from './tx-builder.ts';

/** An unspent output the wallet's coin source reports (the chain's address index gives these). */
export interface WalletCoin {
  outpoint: OutPoint;
  value: bigint;
  scriptPubKey: Uint8Array;
  /** Height of the block that created it. */
  height: number;
  coinbase: boolean;
}

/** Where the wallet learns its coins: unspent outputs for a set of scripts, and the tip's height. */
export interface CoinSource {
  coinsFor(scripts: readonly Uint8Array[]): WalletCoin[];
  tipHeight(): number;
}

export type CoinStatus = 'spendable' | 'immature' | 'locked' | 'pending';

export interface WalletCoinInfo extends WalletCoin {
  address: string;
  status: CoinStatus;
}

export interface WalletBalance {
  /** Everything our scripts hold on chain. */
  total: bigint;
  /** Everything but immature coinbase outputs. */
  confirmed: bigint;
  /** What a payment built now may spend. */
  spendable: bigint;
  /** Coinbase outputs that are not yet `coinbaseMaturity` blocks deep for the next block. */
  immature: bigint;
  /** Coins held back: locked by the user (collaterals) or spent by payments not yet mined. */
  locked: bigint;
}

export interface PaymentRequest {
  to: { address: string; amount: bigint }[];
  /** Fee rate in satoshis per 1,000 bytes; default DEFAULT_FEE_PER_KB. */
  feePerKb?: bigint;
  /** Where change goes; default the address of the first coin spent. */
  changeAddress?: string;
  /** Data for an OP_RETURN output (at most 80 bytes), placed after the recipients. */
  opReturn?: Uint8Array;
  /** Spend exactly these coins (all of them, nothing else), e.g. one specific outpoint. */
  inputs?: OutPoint[];
  /** v4 expiry, in blocks after the next one; 0 = never. Default DEFAULT_EXPIRY_DELTA. */
  expiryDelta?: number;
  /** Change below this joins the fee; recipients below it are refused. Default DUST_THRESHOLD. */
  dustThreshold?: bigint;
  /** Hold the spent coins back from later payments until they leave the chain's UTXO set (default true). */
  reserve?: boolean;
  /** Verify every input script after signing, as a node will (default true; halves the speed). */
  verify?: boolean;
}

export interface Payment {
  tx: Transaction;
  /** Display form. */
  txid: string;
  /** Serialized size in bytes. */
  size: number;
  fee: bigint;
  /** The coins spent, in input order. */
  inputs: WalletCoin[];
  /** The change output, when there is one. */
  change?: { address: string; value: bigint; index: number };
  /** The frame the transaction was built for (height, version, branch id, expiry). */
  frame: TxFrame;
}

export interface CollateralPayment extends Payment {
  tier: Tier;
  amount: bigint;
  address: string;
  /** The output holding exactly the tier's amount. */
  collateral: OutPoint;
}

export const DEFAULT_FEE_PER_KB = 1_000n;
export const DUST_THRESHOLD = 546n;

export interface WalletOptions {
  keys?: readonly StoredKey[];
  source?: CoinSource;
  /** Clock for key creation times, seconds. */
  now?: () => number;
  /** Randomness for new keys (tests pin it); default the platform CSPRNG. */
  random?: (n: number) => Uint8Array;
  /**
   * Treat every coin of exactly a tier's collateral amount as locked unless unlocked by name
   * (default true): a restarted wallet, which remembers no locks, still never spends a node's
   * collateral by accident.
   */
  autoLockCollaterals?: boolean;
}
