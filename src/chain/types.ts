import type { BlockHeader, OutPoint, TxOut } from '../consensus/index.ts';

/**
 * How far a block has come: `header` (header checked, body not yet seen), `data` (body stored,
 * not yet connected), `valid` (connected at least once: every rule passed), `invalid` (a rule
 * failed, for itself or an ancestor; never reconsidered).
 */
export type BlockStatus = 'header' | 'data' | 'valid' | 'invalid';

/** One entry of the block index, as the chain shows it to callers. Hashes in internal byte order. */
export interface ChainEntry {
  readonly hash: Uint8Array;
  /** Display form (byte-reversed hex), as explorers and RPC show it. */
  readonly id: string;
  readonly prevHash: Uint8Array;
  readonly height: number;
  /** Sum of the work of this block and all its ancestors. */
  readonly chainWork: bigint;
  readonly version: number;
  readonly time: number;
  readonly bits: number;
  readonly status: BlockStatus;
  /** Set when status is `invalid`: the rule that failed (`bad-prevblk` for descendants of a bad block). */
  readonly invalidRule: string | undefined;
  readonly invalidReason: string | undefined;
  /** The parent entry (null for genesis): lets consensus code walk back over past headers. */
  readonly parent: ChainEntry | null;
}

/** An unspent output with what the rules need to know about where it came from. */
export interface Coin {
  value: bigint;
  scriptPubKey: Uint8Array;
  /** Height of the block that created it. */
  height: number;
  coinbase: boolean;
}

export interface SpentCoin {
  outpoint: OutPoint;
  coin: Coin;
}

export type AcceptStatus = 'connected' | 'side-branch' | 'orphan' | 'invalid' | 'duplicate';

export interface AcceptResult {
  status: AcceptStatus;
  /** Block hash, display form. */
  id: string;
  /** Height, when the parent is known. */
  height?: number;
  /** For `invalid`: the rule broken and the detail. */
  rule?: string;
  reason?: string;
}

export interface HeaderAcceptResult {
  status: 'accepted' | 'duplicate' | 'orphan' | 'invalid';
  id: string;
  height?: number;
  rule?: string;
  reason?: string;
  entry?: ChainEntry;
}

/** Header plus index facts, what `getHeader` returns. */
export interface HeaderInfo {
  entry: ChainEntry;
  header: BlockHeader;
  /** True when the block is on the active (main) chain. */
  inMainChain: boolean;
}

export type { OutPoint, TxOut };
