/**
 * The shortest bytes that name a target address inside a claim's OP_RETURN (80 bytes in all), and
 * the way back to the address's text. Checksums are dropped on the wire and recomputed on reading,
 * so every wire form decodes to exactly one canonical address, which parseTargetAddress then checks.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256, sha512_256 } from '@noble/hashes/sha2.js';
import { base32nopad, base58 } from '@scure/base';
import { concatBytes, fromHex, toHex } from '../../consensus/index.ts';
import type { ChainFamily } from './assets.ts';
import { parseTargetAddress, type TargetAddress, toChecksumAddress } from './target-address.ts';

/** The wire bytes of a parsed address: raw key or hash, no checksum, no text prefix. */
export function targetWireBytes(t: TargetAddress): Uint8Array {
  // Kadena's leaf bytes are the account name's text; on the wire only its 32-byte key travels.
  return t.family === 'kadena' ? fromHex(t.text.slice(2), 'targetAddress') : t.bytes;
}

const TO_TEXT: Record<ChainFamily, (b: Uint8Array) => string> = {
  evm: (b) => toChecksumAddress(toHex(b)),
  kadena: (b) => `k:${toHex(b)}`,
  tron: (b) => base58.encode(concatBytes(b, sha256(sha256(b)).subarray(0, 4))),
  solana: (b) => base58.encode(b),
  ergo: (b) => base58.encode(concatBytes(b, blake2b(b, { dkLen: 32 }).subarray(0, 4))),
  algorand: (b) => base32nopad.encode(concatBytes(b, sha512_256(b).subarray(28))),
};

/** The address named by wire bytes, checked as any typed address is (throws `bad-target-address`). */
export function targetFromWire(family: ChainFamily, bytes: Uint8Array): TargetAddress {
  return parseTargetAddress(family, TO_TEXT[family](bytes));
}
