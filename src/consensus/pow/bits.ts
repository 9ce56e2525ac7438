/**
 * Big-endian bit fields, as Equihash uses them: a solution is its indices written one after the
 * other, most significant bit first, with no padding; a hash is cut into collision fields the
 * same way. (fluxd calls these operations CompressArray and ExpandArray; here the unpacked
 * form is plain numbers rather than zero-padded byte strings.)
 */

/**
 * Reads `count` fields of `width` bits (1..32) from `bytes`, most significant bit first, into `out`
 * (a new array unless one of at least `count` entries is given).
 */
export function unpackBitsBE(
  bytes: Uint8Array,
  width: number,
  count: number,
  out: Uint32Array = new Uint32Array(count),
): Uint32Array {
  checkWidth(width);
  if (count * width > bytes.length * 8) {
    throw new RangeError(
      `${count} fields of ${width} bits need ${Math.ceil((count * width) / 8)} bytes, got ${bytes.length}`,
    );
  }
  if (width <= 25) return unpackNarrow(bytes, width, count, out);
  // The accumulator never holds more than width + 7 bits, so up to 39: kept as a double.
  let acc = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    while (bits < width) {
      acc = acc * 256 + bytes[pos++]!;
      bits += 8;
    }
    bits -= width;
    const scale = 2 ** bits;
    const value = Math.floor(acc / scale);
    out[i] = value;
    acc -= value * scale;
  }
  return out;
}

/** unpackBitsBE for widths up to 25: the accumulator (at most 32 bits) stays an unsigned 32-bit integer. */
function unpackNarrow(bytes: Uint8Array, width: number, count: number, out: Uint32Array): Uint32Array {
  let acc = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    while (bits < width) {
      acc = ((acc << 8) | bytes[pos++]!) >>> 0;
      bits += 8;
    }
    bits -= width;
    out[i] = acc >>> bits;
    acc = bits === 0 ? 0 : acc & ((1 << bits) - 1);
  }
  return out;
}

/** Writes `values` as fields of `width` bits (1..32), most significant bit first; the total must fill whole bytes. */
export function packBitsBE(values: ArrayLike<number>, width: number): Uint8Array {
  checkWidth(width);
  const totalBits = values.length * width;
  if (totalBits % 8 !== 0)
    throw new RangeError(`${values.length} fields of ${width} bits do not fill whole bytes`);
  const out = new Uint8Array(totalBits / 8);
  const limit = 2 ** width;
  let acc = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= limit)
      throw new RangeError(`value ${v} at ${i} does not fit in ${width} bits`);
    acc = acc * limit + v;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      const scale = 2 ** bits;
      const byte = Math.floor(acc / scale);
      out[pos++] = byte;
      acc -= byte * scale;
    }
  }
  return out;
}

/**
 * Reads one field of `width` bits (1..31) starting `bitOffset` bits into a byte string that is
 * given as little-endian 32-bit words (a BLAKE2b chaining value), most significant bit first.
 */
export function readBitsFromWords(words: Uint32Array | Int32Array, bitOffset: number, width: number): number {
  const first = bitOffset >>> 3;
  const end = bitOffset + width;
  const last = (end - 1) >>> 3;
  const drop = ((last + 1) << 3) - end;
  if (last - first < 4) {
    let acc = 0;
    for (let b = first; b <= last; b++)
      acc = ((acc << 8) | ((words[b >>> 2]! >>> ((b & 3) << 3)) & 0xff)) >>> 0;
    return (acc >>> drop) & (2 ** width - 1);
  }
  let acc = 0;
  for (let b = first; b <= last; b++) acc = acc * 256 + ((words[b >>> 2]! >>> ((b & 3) << 3)) & 0xff);
  return Math.floor(acc / 2 ** drop) % 2 ** width;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > 32)
    throw new RangeError(`field width must be 1..32 bits, got ${width}`);
}
