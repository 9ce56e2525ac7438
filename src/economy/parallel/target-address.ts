import { blake2b } from '@noble/hashes/blake2.js';
import { sha256, sha512_256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { base32nopad, base58 } from '@scure/base';
import { equalBytes, fromHex, toHex } from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { ChainFamily } from './assets.ts';

/** A validated address on a parallel chain: its canonical text and the bytes a payout contract sees. */
export interface TargetAddress {
  family: ChainFamily;
  text: string;
  bytes: Uint8Array;
}

function reject(family: ChainFamily, address: string, why: string): never {
  throw new EconomyError('bad-target-address', `${family} address ${JSON.stringify(address)}: ${why}`, {
    field: 'targetAddress',
    value: address,
  });
}

/** EIP-55: a hex digit is upper case exactly when the matching nibble of keccak256(lowercase hex) is ≥ 8. */
export function toChecksumAddress(hex40: string): string {
  const lower = hex40.toLowerCase();
  const hash = toHex(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (const [i, c] of [...lower.slice(0, 40)].entries()) {
    out += c >= 'a' && Number.parseInt(hash.charAt(i), 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

function parseEvm(address: string): TargetAddress {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) reject('evm', address, 'expected 0x followed by 40 hex digits');
  const body = address.slice(2);
  const checksummed = toChecksumAddress(body);
  const mixedCase = body !== body.toLowerCase() && body !== body.toUpperCase();
  // All-lower or all-upper carries no checksum; mixed case must be the EIP-55 form exactly.
  if (mixedCase && checksummed !== address) reject('evm', address, 'EIP-55 checksum does not match');
  return { family: 'evm', text: checksummed, bytes: fromHex(body) };
}

function parseKadena(address: string): TargetAddress {
  // A k: account is the lower-case hex ed25519 public key; Kadena compares account names as strings.
  if (!/^k:[0-9a-f]{64}$/.test(address))
    reject('kadena', address, 'expected k: followed by 64 lower-case hex digits');
  return { family: 'kadena', text: address, bytes: new TextEncoder().encode(address) };
}

function decodeBase58(family: ChainFamily, address: string): Uint8Array {
  try {
    return base58.decode(address);
  } catch {
    return reject(family, address, 'not base58');
  }
}

function parseTron(address: string): TargetAddress {
  const raw = decodeBase58('tron', address);
  if (raw.length !== 25) reject('tron', address, `decodes to ${raw.length} bytes, expected 25`);
  const payload = raw.subarray(0, 21);
  const check = sha256(sha256(payload)).subarray(0, 4);
  if (!equalBytes(check, raw.subarray(21))) reject('tron', address, 'base58check checksum does not match');
  if (payload[0] !== 0x41) reject('tron', address, 'mainnet addresses start with byte 0x41 (T…)');
  return { family: 'tron', text: address, bytes: Uint8Array.from(payload) };
}

function parseSolana(address: string): TargetAddress {
  const raw = decodeBase58('solana', address);
  if (raw.length !== 32) reject('solana', address, `decodes to ${raw.length} bytes, expected 32`);
  return { family: 'solana', text: address, bytes: raw };
}

// Ergo prefix byte = network (0x00 mainnet, 0x10 testnet) + type (1 P2PK, 2 P2SH, 3 P2S).
function parseErgo(address: string): TargetAddress {
  const raw = decodeBase58('ergo', address);
  if (raw.length < 6) reject('ergo', address, 'too short');
  const body = raw.subarray(0, raw.length - 4);
  const check = blake2b(body, { dkLen: 32 }).subarray(0, 4);
  if (!equalBytes(check, raw.subarray(raw.length - 4)))
    reject('ergo', address, 'blake2b256 checksum does not match');
  const head = body[0] ?? 0;
  const network = head & 0xf0;
  const type = head & 0x0f;
  if (network !== 0x00) reject('ergo', address, 'not a mainnet address');
  if (type === 1 && body.length !== 34) reject('ergo', address, 'P2PK must hold a 33-byte public key');
  if (type === 2 && body.length !== 25) reject('ergo', address, 'P2SH must hold a 24-byte script hash');
  if (type < 1 || type > 3) reject('ergo', address, `unknown address type ${type}`);
  return { family: 'ergo', text: address, bytes: Uint8Array.from(body) };
}

// Algorand: base32 (no padding) of the 32-byte public key followed by the last 4 bytes of its SHA-512/256.
function parseAlgorand(address: string): TargetAddress {
  if (!/^[A-Z2-7]{58}$/.test(address)) reject('algorand', address, 'expected 58 base32 characters');
  let raw: Uint8Array;
  try {
    raw = base32nopad.decode(address);
  } catch {
    return reject('algorand', address, 'not base32');
  }
  if (raw.length !== 36) reject('algorand', address, `decodes to ${raw.length} bytes, expected 36`);
  const key = raw.subarray(0, 32);
  if (!equalBytes(sha512_256(key).subarray(28), raw.subarray(32))) {
    reject('algorand', address, 'checksum does not match');
  }
  return { family: 'algorand', text: address, bytes: Uint8Array.from(key) };
}

const PARSERS: Record<ChainFamily, (address: string) => TargetAddress> = {
  evm: parseEvm,
  kadena: parseKadena,
  tron: parseTron,
  solana: parseSolana,
  ergo: parseErgo,
  algorand: parseAlgorand,
};

/** Validates an address for a chain family; throws `bad-target-address` naming the reason. */
export function parseTargetAddress(family: ChainFamily, address: string): TargetAddress {
  if (typeof address !== 'string' || address.length === 0 || address.length > 128) {
    reject(family, String(address), 'empty or too long');
  }
  if (address.trim() !== address) reject(family, address, 'surrounding whitespace');
  return PARSERS[family](address);
}
