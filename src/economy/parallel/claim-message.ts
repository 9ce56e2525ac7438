import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../consensus/index.ts';

/**
 * Checks a message signature made by an address's key (Bitcoin-style message signing for t1
 * addresses). Injected so the ledger stays free of key code and can be tested with any scheme.
 */
export type VerifySignature = (address: string, message: string, signature: string) => boolean;

export interface ClaimFields {
  assetId: string;
  /** The fluxnode payout address whose accrual is claimed; its key signs. */
  sourceAddress: string;
  /** Where the parallel asset is paid on the other chain. */
  targetAddress: string;
  /** Asset smallest units. */
  amount: bigint;
  /** The source's claim count for this asset so far: each message is good exactly once. */
  nonce: number;
}

export interface ClaimRequest extends ClaimFields {
  signature: string;
}

/**
 * The exact text the payout address signs. One field per line so a wallet can show it plainly;
 * the nonce makes every claim message distinct, so a signature can never be replayed.
 */
export function claimMessage(f: ClaimFields): string {
  return [
    'Flux parallel asset claim v1',
    `asset: ${f.assetId}`,
    `from: ${f.sourceAddress}`,
    `to: ${f.targetAddress}`,
    `amount: ${f.amount.toString()}`,
    `nonce: ${f.nonce}`,
  ].join('\n');
}

/** A claim's identity: SHA-256 of its message, hex. */
export function claimId(f: ClaimFields): string {
  return toHex(sha256(new TextEncoder().encode(claimMessage(f))));
}
