// What a StratumServer is opened with (its options, the node-side backend, the jobs it is handed)
// and the counters it keeps.

import type { Block, BlockHeader } from '../consensus/index.ts';
import type { ConnectionLimits } from '../p2p/index.ts';
import type { VardiffOptions } from './vardiff.ts';

/** One block template as miners work on it. */
export interface StratumJob {
  id: string;
  height: number;
  /** Header with every field but nonce and solution final. */
  header: BlockHeader;
  /** The block's own target: a share at or below it is a block. */
  blockTarget: bigint;
  /** The full block for a solved header. */
  assemble: (header: BlockHeader) => Block;
}

export interface StratumBackend {
  /** Throws (with a reason) when the header's Equihash solution is not valid at `height`. */
  verifySolution: (header: BlockHeader, height: number) => void;
  /** Block hash, internal byte order. */
  headerHash: (header: BlockHeader) => Uint8Array;
  submitBlock: (block: Block) => Promise<{ accepted: boolean; reason?: string }>;
}

export interface StratumOptions {
  host: string;
  port: number;
  backend: StratumBackend;
  /** Target for shares (easier than or equal to the block target): where each connection starts. */
  shareTarget: bigint;
  /**
   * Per-connection share difficulty (pools' vardiff); `false` keeps every connection at
   * `shareTarget`. The hardest target defaults to shareTarget / 2^32.
   */
  vardiff?: Partial<Omit<VardiffOptions, 'maxTarget'>> | false;
  /** The clock, in ms (tests move it). */
  now?: () => number;
  /** Jobs kept for late submits. */
  keepJobs?: number;
  maxLineBytes?: number;
  /**
   * A line that failed in a way the protocol does not foresee (a bug, a backend error): the
   * session that sent it is closed and the node carries on; this hears about it.
   */
  onError?: (err: unknown, context: { remote: string; line: string }) => void;
  /** Connection caps; a miner silent for `idleMs` (no line at all) is hung up on. */
  limits?: Partial<ConnectionLimits>;
}

/** Rigs behind one NAT share an address: the per-address cap leaves room for a farm. */
export const STRATUM_LIMITS: ConnectionLimits = { maxTotal: 1024, maxPerAddress: 64, idleMs: 10 * 60_000 };

export interface StratumStats {
  sessions: number;
  sharesAccepted: number;
  sharesRejected: number;
  blocksFound: number;
  lastRejectReason: string | null;
}
