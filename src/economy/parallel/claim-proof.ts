// Checking a claim proof the way a payout contract does, and decoding a claim leaf back into its
// fields: pure functions over what ParallelLedger hands out.

import { fromHex } from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { ClaimProof } from './ledger-types.ts';
import { merkleHash, verifyMerkleProof } from './merkle.ts';

/** What a payout contract does: hash the leaf, walk the siblings, compare with the stored root. */
export function verifyClaimProof(proof: ClaimProof): boolean {
  const hash = merkleHash(proof.hash);
  const leaf = fromHex(proof.leaf, 'leaf');
  return verifyMerkleProof(
    hash,
    hash(leaf),
    proof.index,
    proof.leafCount,
    proof.siblings.map((s) => fromHex(s, 'sibling')),
    fromHex(proof.root, 'root'),
  );
}

/** Decodes a leaf preimage back into its fields (for contracts' test suites and audits). */
export function decodeClaimLeaf(hex: string): {
  snapshot: number;
  index: number;
  amount: bigint;
  address: Uint8Array;
} {
  const bytes = fromHex(hex, 'leaf');
  if (bytes.length < 19 || bytes[0] !== 0x00 || bytes.length !== 18 + (bytes[17] ?? 0)) {
    throw new EconomyError('bad-leaf', 'not a claim leaf', { field: 'leaf', value: hex });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    snapshot: view.getUint32(1),
    index: view.getUint32(5),
    amount: view.getBigUint64(9),
    address: bytes.slice(18),
  };
}
