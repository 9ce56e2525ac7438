/**
 * The canonical bytes of a spec and the hash that identifies it on chain (the registration tx's
 * OP_RETURN carries it). Canonical form: JSON with object keys sorted by UTF-16 code unit order at
 * every depth, no whitespace, arrays in their given order, strings escaped as JSON.stringify does,
 * numbers in JavaScript's shortest round-trip form (`0.5`, `22000`; -0 is written `0`), UTF-8 encoded.
 * Only validated specs should be hashed: validation fills defaults, so two texts that mean the same
 * spec (JSON or YAML, any key order, `expire` left out or given as the default) hash the same.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../consensus/index.ts';
import type { AppSpec } from './schema.ts';

/** Canonical JSON text of a JSON-like value; throws on values JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`);
    return Object.is(value, -0) ? '0' : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

export function canonicalBytes(spec: AppSpec): Uint8Array {
  return new TextEncoder().encode(canonicalJson(spec));
}

/** SHA-256 of the canonical bytes, as 64 lowercase hex digits (32 bytes, fits an OP_RETURN). */
export function specHash(spec: AppSpec): string {
  return toHex(sha256(canonicalBytes(spec)));
}
