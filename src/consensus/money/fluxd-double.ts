/**
 * fluxd pays a tier `(CAmount)(blockValue * (percentage * multiple))`: IEEE-754 double arithmetic
 * truncated to an integer. To pay the same satoshi without floating point in consensus code, this
 * file rounds exactly as a double would, with integers: a value is kept as mantissa · 2^exponent.
 */

const MANTISSA_BITS = 53;

interface Binary {
  mantissa: bigint;
  exponent: number;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** num/den (both > 0) rounded to the nearest double, ties to even (normal range only). */
function roundToDouble(num: bigint, den: bigint): Binary {
  // Scale so the integer quotient carries at least two bits beyond the 53 kept.
  const scale = Math.max(0, MANTISSA_BITS + 2 + bitLength(den) - bitLength(num));
  const scaled = num << BigInt(scale);
  const quotient = scaled / den;
  const sticky = scaled % den !== 0n;
  const drop = bitLength(quotient) - MANTISSA_BITS;
  let mantissa = quotient >> BigInt(drop);
  const dropped = quotient - (mantissa << BigInt(drop));
  const half = 1n << BigInt(drop - 1);
  if (dropped > half || (dropped === half && (sticky || (mantissa & 1n) === 1n))) mantissa += 1n;
  let exponent = drop - scale;
  if (bitLength(mantissa) > MANTISSA_BITS) {
    mantissa >>= 1n;
    exponent += 1;
  }
  return { mantissa, exponent };
}

/**
 * `amount × basisPoints/10,000` computed as fluxd does with doubles, then truncated toward zero.
 * (Scaling a double by 2, as fluxd's "multiple" does, is exact, so doubled rates are simply
 * expressed as doubled basis points.)
 */
export function fluxdShareOf(amount: bigint, basisPoints: number): bigint {
  if (amount < 0n) throw new RangeError(`amount must not be negative, got ${amount}`);
  if (!Number.isInteger(basisPoints) || basisPoints < 0) {
    throw new RangeError(`basis points must be a non-negative integer, got ${basisPoints}`);
  }
  if (amount === 0n || basisPoints === 0) return 0n;
  const a = roundToDouble(amount, 1n);
  const p = roundToDouble(BigInt(basisPoints), 10_000n);
  const product = roundToDouble(a.mantissa * p.mantissa, 1n);
  const exponent = product.exponent + a.exponent + p.exponent;
  return exponent >= 0 ? product.mantissa << BigInt(exponent) : product.mantissa >> BigInt(-exponent);
}
