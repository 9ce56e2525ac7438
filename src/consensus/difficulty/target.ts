import { ConsensusError } from '../errors.ts';

/**
 * Targets are 256-bit unsigned integers (bigint); block headers carry them in Bitcoin's compact
 * "bits" form: one size byte and a 23-bit mantissa with a sign bit.
 */

const MAX_256 = (1n << 256n) - 1n;

export interface DecodedBits {
  /** The target (masked to 256 bits, as arith_uint256 keeps it even when `overflow` is set). */
  target: bigint;
  negative: boolean;
  overflow: boolean;
}

function assertBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new RangeError(`compact bits must be a 32-bit unsigned integer, got ${bits}`);
  }
}

/** Decode compact bits exactly as arith_uint256::SetCompact does, reporting sign and overflow. */
export function decodeBits(bits: number): DecodedBits {
  assertBits(bits);
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & MAX_256;
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/** The target that compact bits stand for (sign and overflow ignored, as fluxd's retargeting does). */
export function bitsToTarget(bits: number): bigint {
  return decodeBits(bits).target;
}

/** Encode a target in compact form exactly as arith_uint256::GetCompact (non-negative) does. */
export function targetToBits(target: bigint): number {
  if (target < 0n || target > MAX_256) throw new RangeError(`target must be a 256-bit unsigned integer`);
  let size = target === 0n ? 0 : Math.ceil(target.toString(2).length / 8);
  let word = size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  if (word & 0x00800000) {
    word >>>= 8;
    size += 1;
  }
  return ((size << 24) | word) >>> 0;
}

/** A 32-byte hash in internal (little-endian) byte order, read as a 256-bit number. */
export function hashToBigInt(hashInternalOrder: Uint8Array): bigint {
  if (hashInternalOrder.length !== 32) {
    throw new RangeError(`a block hash is 32 bytes, got ${hashInternalOrder.length}`);
  }
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(hashInternalOrder[i]!);
  return n;
}

/**
 * The proof-of-work check: `bits` must name a positive target no easier than `powLimit`
 * (`bad-diffbits`), and the hash must not exceed it (`high-hash`).
 */
export function checkProofOfWorkTarget(hashInternalOrder: Uint8Array, bits: number, powLimit: bigint): void {
  const { target, negative, overflow } = decodeBits(bits);
  const shown = `0x${bits.toString(16).padStart(8, '0')}`;
  if (negative || overflow || target === 0n || target > powLimit) {
    const why = negative
      ? 'negative'
      : overflow
        ? 'overflowing'
        : target === 0n
          ? 'zero'
          : 'easier than powLimit';
    throw new ConsensusError('bad-diffbits', `bits ${shown} give a ${why} target`, {
      field: 'bits',
      value: bits,
    });
  }
  const hash = hashToBigInt(hashInternalOrder);
  if (hash > target) {
    throw new ConsensusError('high-hash', `hash does not meet the target of bits ${shown}`, {
      field: 'hash',
      value: hash.toString(16).padStart(64, '0'),
    });
  }
}

/** Expected number of hashes to find a block at `bits`: 2^256 / (target + 1); 0 for invalid bits. */
export function workFromBits(bits: number): bigint {
  const { target, negative, overflow } = decodeBits(bits);
  if (negative || overflow || target === 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}
