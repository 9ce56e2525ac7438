/**
 * The owner of an app is a transparent P2PKH address: base58check of 2 version bytes and a 20-byte
 * key hash (mainnet `1CB8`, "t1…"; testnet and regtest `1D25`, "tm…"). Script addresses ("t3…")
 * are refused because the owner must be able to sign the spec with one key.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import { toHex } from '../../consensus/index.ts';

const base58check = createBase58check(sha256);

/** undefined when the address is acceptable, otherwise why it is not. */
export function ownerAddressProblem(address: string, allowedVersions: readonly string[]): string | undefined {
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch {
    return 'owner must be a base58check address with a valid checksum';
  }
  if (payload.length !== 22)
    return `owner address carries ${payload.length} bytes, a P2PKH address carries 22`;
  const version = toHex(payload.subarray(0, 2));
  if (!allowedVersions.includes(version)) {
    return `owner address version ${version} is not a P2PKH address of this network (allowed: ${allowedVersions.join(', ')})`;
  }
  return undefined;
}
