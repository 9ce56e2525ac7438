import type { ByteWriter } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';

/**
 * Writing a structure that cannot be serialized (a hash of the wrong length, a missing field) is a
 * caller's bug; it fails loudly with the field named rather than producing malformed bytes.
 */
export function encodeError(field: string, detail: string, value?: unknown): ConsensusError {
  return new ConsensusError('encode-error', `${field}: ${detail}`, { field, value });
}

export function writeFixed(w: ByteWriter, bytes: Uint8Array | undefined, size: number, field: string): void {
  if (!bytes) throw encodeError(field, `missing (${size} bytes expected)`);
  if (bytes.length !== size)
    throw encodeError(field, `${bytes.length} bytes, expected ${size}`, bytes.length);
  w.bytes(bytes);
}
