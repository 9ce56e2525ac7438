import { blake2b } from '@noble/hashes/blake2.js';
import { sha256, sha512_256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { concatBytes } from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { MerkleHashName } from './assets.ts';
import { must } from '../../consensus/index.ts';

/**
 * The claim tree a payout contract on the other chain checks.
 *
 * Leaf preimage (big-endian, so contracts read it with plain integer loads):
 *   0x00 ‖ u32 snapshot ‖ u32 index ‖ u64 amount ‖ u8 len ‖ address bytes (len of them)
 * Inner node: H(0x01 ‖ left ‖ right). The distinct first byte keeps a leaf from posing as an
 * inner node. A level with an odd count lifts its last node unchanged to the next level (no
 * duplication, so no two leaf sets share a root). The contract marks (snapshot, index) as paid.
 */
export type HashFn = (data: Uint8Array) => Uint8Array;

const HASHES: Record<MerkleHashName, HashFn> = {
  keccak256: (d) => keccak_256(d),
  sha256: (d) => sha256(d),
  blake2b256: (d) => blake2b(d, { dkLen: 32 }),
  sha512_256: (d) => sha512_256(d),
};

export function merkleHash(name: MerkleHashName): HashFn {
  return HASHES[name];
}

const U64_MAX = (1n << 64n) - 1n;

export interface ClaimLeaf {
  snapshot: number;
  index: number;
  amount: bigint;
  address: Uint8Array;
}

export function encodeClaimLeaf(leaf: ClaimLeaf): Uint8Array {
  if (!Number.isInteger(leaf.snapshot) || leaf.snapshot < 0 || leaf.snapshot > 0xffffffff) {
    throw new EconomyError('bad-leaf', 'snapshot must fit u32', { field: 'snapshot', value: leaf.snapshot });
  }
  if (!Number.isInteger(leaf.index) || leaf.index < 0 || leaf.index > 0xffffffff) {
    throw new EconomyError('bad-leaf', 'index must fit u32', { field: 'index', value: leaf.index });
  }
  if (leaf.amount <= 0n || leaf.amount > U64_MAX) {
    throw new EconomyError('bad-leaf', 'amount must fit u64 and be positive', {
      field: 'amount',
      value: leaf.amount,
    });
  }
  if (leaf.address.length === 0 || leaf.address.length > 255) {
    throw new EconomyError('bad-leaf', 'address must be 1..255 bytes', {
      field: 'address',
      value: leaf.address.length,
    });
  }
  const out = new Uint8Array(1 + 4 + 4 + 8 + 1 + leaf.address.length);
  const view = new DataView(out.buffer);
  out[0] = 0x00;
  view.setUint32(1, leaf.snapshot);
  view.setUint32(5, leaf.index);
  view.setBigUint64(9, leaf.amount);
  out[17] = leaf.address.length;
  out.set(leaf.address, 18);
  return out;
}

function hashNode(hash: HashFn, left: Uint8Array, right: Uint8Array): Uint8Array {
  return hash(concatBytes(Uint8Array.of(0x01), left, right));
}

function nextLevel(hash: HashFn, level: Uint8Array[]): Uint8Array[] {
  const up: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const [left, right] = [level[i], level[i + 1]];
    if (left && right) up.push(hashNode(hash, left, right));
    else if (left) up.push(left); // the odd one out is lifted unchanged
  }
  return up;
}

export function merkleRoot(hash: HashFn, leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new EconomyError('empty-tree', 'a Merkle tree needs at least one leaf');
  let level = [...leaves];
  while (level.length > 1) level = nextLevel(hash, level);
  return must(level[0], 'the Merkle root (the tree has a leaf)');
}

/** Sibling hashes from the leaf up; levels where the node is lifted without a sibling contribute none. */
export function merkleProof(hash: HashFn, leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new EconomyError('bad-proof-index', `index out of range 0..${leaves.length - 1}`, {
      field: 'index',
      value: index,
    });
  }
  const proof: Uint8Array[] = [];
  let level = [...leaves];
  let at = index;
  while (level.length > 1) {
    const lifted = at === level.length - 1 && level.length % 2 === 1;
    const sibling = level[at ^ 1];
    if (!lifted && sibling) proof.push(sibling);
    level = nextLevel(hash, level);
    at >>= 1;
  }
  return proof;
}

export function verifyMerkleProof(
  hash: HashFn,
  leaf: Uint8Array,
  index: number,
  leafCount: number,
  siblings: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(leafCount) || index < 0 || index >= leafCount)
    return false;
  let node = leaf;
  let at = index;
  let size = leafCount;
  let used = 0;
  while (size > 1) {
    const lifted = at === size - 1 && size % 2 === 1;
    if (!lifted) {
      const sibling = siblings[used++];
      if (!sibling) return false;
      node = at % 2 === 0 ? hashNode(hash, node, sibling) : hashNode(hash, sibling, node);
    }
    at >>= 1;
    size = (size + 1) >> 1;
  }
  if (used !== siblings.length || node.length !== root.length) return false;
  for (let i = 0; i < node.length; i++) if (node[i] !== root[i]) return false;
  return true;
}
