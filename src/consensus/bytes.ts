import { DecodeError } from './errors.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

export function fromHex(hex: string, field = 'hex'): Uint8Array {
  const clean = hex.trim();
  if (clean.length % 2 !== 0) throw new DecodeError(field, 0, `odd number of hex digits (${clean.length})`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new DecodeError(field, 0, 'not hexadecimal');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Hashes are stored in internal (little-endian) order and shown byte-reversed, as fluxd does. */
export function reverseHex(bytes: Uint8Array): string {
  return toHex(Uint8Array.from(bytes).reverse());
}

export function fromReverseHex(hex: string, field = 'hash'): Uint8Array {
  return fromHex(hex, field).reverse();
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Sequential little-endian reader; every failure says which field and where. */
export class ByteReader {
  readonly bytes: Uint8Array;
  offset = 0;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (this.offset + n > this.bytes.length) {
      throw new DecodeError(field, this.offset, `needs ${n} bytes, ${this.remaining} left`);
    }
  }

  bytesN(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  i8(field: string): number {
    this.need(1, field);
    return this.view.getInt8(this.offset++);
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32(field: string): number {
    this.need(4, field);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** Bitcoin compact size; non-canonical encodings and sizes over `max` are refused. */
  compactSize(field: string, max = 0x02000000): number {
    const start = this.offset;
    const first = this.u8(field);
    let v: number;
    if (first < 0xfd) v = first;
    else if (first === 0xfd) {
      this.need(2, field);
      v = this.view.getUint16(this.offset, true);
      this.offset += 2;
      if (v < 0xfd) throw new DecodeError(field, start, 'non-canonical compact size');
    } else if (first === 0xfe) {
      v = this.u32(field);
      if (v < 0x10000) throw new DecodeError(field, start, 'non-canonical compact size');
    } else {
      const big = this.u64(field);
      if (big < 0x100000000n) throw new DecodeError(field, start, 'non-canonical compact size');
      throw new DecodeError(field, start, `size ${big} too large`);
    }
    if (v > max) throw new DecodeError(field, start, `size ${v} exceeds ${max}`);
    return v;
  }

  /**
   * The compact-size count of a list whose items take at least `minItemBytes` each: a count the
   * bytes left cannot hold is refused here, before a single item is read or allocated.
   */
  count(field: string, minItemBytes: number, max = 0x02000000): number {
    const start = this.offset;
    const n = this.compactSize(field, max);
    if (n * minItemBytes > this.remaining)
      throw new DecodeError(
        field,
        start,
        `${n} items of at least ${minItemBytes} bytes each cannot fit in the ${this.remaining} bytes left`,
      );
    return n;
  }

  varBytes(field: string, max = 0x02000000): Uint8Array {
    const n = this.compactSize(field, max);
    return this.bytesN(n, field);
  }

  varString(field: string, max = 0x10000): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.varBytes(field, max));
  }

  /** Decoding a whole message must consume it exactly. */
  end(field: string): void {
    if (this.remaining !== 0) throw new DecodeError(field, this.offset, `${this.remaining} trailing bytes`);
  }
}

/** Growable little-endian writer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  i8(v: number): this {
    this.ensure(1);
    this.view.setInt8(this.length++, v);
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v | 0, true);
    this.length += 4;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, v, true);
    this.length += 8;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.length, v, true);
    this.length += 8;
    return this;
  }

  compactSize(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) return this.u8(0xfd).u16(n);
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    return this.u8(0xff).u64(BigInt(n));
  }

  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }

  varString(s: string): this {
    return this.varBytes(new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
