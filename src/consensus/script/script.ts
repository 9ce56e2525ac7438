/**
 * Scripts as bytes: reading and writing opcodes and pushes, script numbers, push-only and
 * minimal-push checks, and a text form. Rules follow fluxd's CScript (Bitcoin 0.11 lineage).
 */
import { concatBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { OP, opcodeFromName, opcodeName } from './opcodes.ts';

export const MAX_SCRIPT_SIZE = 10_000;
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
export const MAX_OPS_PER_SCRIPT = 201;
export const MAX_STACK_SIZE = 1000;
export const MAX_PUBKEYS_PER_MULTISIG = 20;

/** One decoded instruction: the opcode, its pushed bytes (push opcodes only) and where it starts. */
export interface ScriptOp {
  op: number;
  data?: Uint8Array;
  offset: number;
  /** Offset of the next instruction. */
  end: number;
}

/**
 * Decode the instruction at `pc`; undefined when a push runs past the end of the script
 * (fluxd's GetOp returning false).
 */
export function decodeOp(script: Uint8Array, pc: number): ScriptOp | undefined {
  if (pc >= script.length) return undefined;
  const op = script[pc]!;
  let at = pc + 1;
  if (op > OP.OP_PUSHDATA4) return { op, offset: pc, end: at };
  let size: number;
  if (op < OP.OP_PUSHDATA1) size = op;
  else if (op === OP.OP_PUSHDATA1) {
    if (at + 1 > script.length) return undefined;
    size = script[at]!;
    at += 1;
  } else if (op === OP.OP_PUSHDATA2) {
    if (at + 2 > script.length) return undefined;
    size = script[at]! | (script[at + 1]! << 8);
    at += 2;
  } else {
    if (at + 4 > script.length) return undefined;
    size = (script[at]! | (script[at + 1]! << 8) | (script[at + 2]! << 16) | (script[at + 3]! << 24)) >>> 0;
    at += 4;
  }
  if (at + size > script.length) return undefined;
  return { op, data: script.subarray(at, at + size), offset: pc, end: at + size };
}

/** All instructions of a script; a truncated push is an error naming where it starts. */
export function parseScript(script: Uint8Array): ScriptOp[] {
  const ops: ScriptOp[] = [];
  let pc = 0;
  while (pc < script.length) {
    const next = decodeOp(script, pc);
    if (!next) {
      throw new ConsensusError(
        'bad-script-encoding',
        `${opcodeName(script[pc]!)} at byte ${pc} runs past the end of the ${script.length}-byte script`,
        { field: 'script', value: toHex(script) },
      );
    }
    ops.push(next);
    pc = next.end;
  }
  return ops;
}

/** True when every instruction decodes and is a push (OP_16 or below, as fluxd's IsPushOnly). */
export function isPushOnly(script: Uint8Array): boolean {
  let pc = 0;
  while (pc < script.length) {
    const next = decodeOp(script, pc);
    if (!next || next.op > OP.OP_16) return false;
    pc = next.end;
  }
  return true;
}

/** True when `data` was pushed with the shortest possible opcode (BIP62 rule 3). */
export function isMinimalPush(data: Uint8Array, op: number): boolean {
  if (data.length === 0) return op === OP.OP_0;
  if (data.length === 1 && data[0]! >= 1 && data[0]! <= 16) return op === OP.OP_1 + data[0]! - 1;
  if (data.length === 1 && data[0] === 0x81) return op === OP.OP_1NEGATE;
  if (data.length <= 75) return op === data.length;
  if (data.length <= 255) return op === OP.OP_PUSHDATA1;
  if (data.length <= 65535) return op === OP.OP_PUSHDATA2;
  return true;
}

/** The push of `data` exactly as given, with the smallest length prefix (no OP_n substitution). */
export function pushLiteral(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: Uint8Array;
  if (n < OP.OP_PUSHDATA1) head = Uint8Array.of(n);
  else if (n <= 0xff) head = Uint8Array.of(OP.OP_PUSHDATA1, n);
  else if (n <= 0xffff) head = Uint8Array.of(OP.OP_PUSHDATA2, n & 0xff, n >> 8);
  else head = Uint8Array.of(OP.OP_PUSHDATA4, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
  return concatBytes(head, data);
}

/** The minimal push of `data`: the form MINIMALDATA requires (single bytes 1–16 and 0x81 become OP_n). */
export function pushData(data: Uint8Array): Uint8Array {
  if (data.length === 1 && data[0]! >= 1 && data[0]! <= 16) return Uint8Array.of(OP.OP_1 + data[0]! - 1);
  if (data.length === 1 && data[0] === 0x81) return Uint8Array.of(OP.OP_1NEGATE);
  return pushLiteral(data);
}

/** The push of a number as the interpreter reads it: OP_1NEGATE, OP_0 … OP_16, else its script-number bytes. */
export function pushNumber(n: number | bigint): Uint8Array {
  const v = BigInt(n);
  if (v === -1n) return Uint8Array.of(OP.OP_1NEGATE);
  if (v === 0n) return Uint8Array.of(OP.OP_0);
  if (v >= 1n && v <= 16n) return Uint8Array.of(OP.OP_1 + Number(v) - 1);
  return pushLiteral(encodeScriptNum(v));
}

/** Build a script from opcodes (numbers) and data pushes (byte arrays, pushed minimally). */
export function buildScript(parts: (number | Uint8Array)[]): Uint8Array {
  return concatBytes(...parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : pushData(p))));
}

/** Little-endian sign-magnitude encoding of a script number; zero is the empty array. */
export function encodeScriptNum(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  const negative = n < 0n;
  let abs = negative ? -n : n;
  const out: number[] = [];
  while (abs > 0n) {
    out.push(Number(abs & 0xffn));
    abs >>= 8n;
  }
  // The top bit is the sign: add a byte when the magnitude already uses it.
  if (out[out.length - 1]! & 0x80) out.push(negative ? 0x80 : 0x00);
  else if (negative) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/** A stack element that cannot be read as a number (too long, or not minimally encoded). */
export class ScriptNumberError extends ConsensusError {
  constructor(detail: string, value: Uint8Array) {
    super('script-number', detail, { field: 'stack', value: toHex(value) });
    this.name = 'ScriptNumberError';
  }
}

/** Read a stack element as a number (CScriptNum): at most `maxSize` bytes, minimal when required. */
export function decodeScriptNum(bytes: Uint8Array, requireMinimal: boolean, maxSize = 4): bigint {
  if (bytes.length > maxSize) {
    throw new ScriptNumberError(`${bytes.length}-byte number exceeds the ${maxSize}-byte limit`, bytes);
  }
  if (requireMinimal && bytes.length > 0) {
    const last = bytes[bytes.length - 1]!;
    // A top byte with no magnitude bits is only needed when the byte below uses its sign bit.
    if ((last & 0x7f) === 0 && (bytes.length <= 1 || (bytes[bytes.length - 2]! & 0x80) === 0)) {
      throw new ScriptNumberError('number is not minimally encoded', bytes);
    }
  }
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) v |= BigInt(bytes[i]!) << BigInt(8 * i);
  const top = bytes[bytes.length - 1]!;
  if (top & 0x80) {
    const signBit = 0x80n << BigInt(8 * (bytes.length - 1));
    return -(v & ~signBit);
  }
  return v;
}

/** Script-number results are clamped to 32 bits when used as counts or indices (CScriptNum::getint). */
export function scriptNumToInt(n: bigint): number {
  if (n > 0x7fffffffn) return 0x7fffffff;
  if (n < -0x80000000n) return -0x80000000;
  return Number(n);
}

/** Truthiness of a stack element: any non-zero byte, except a lone sign bit at the end (negative zero). */
export function castToBool(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) return !(i === v.length - 1 && v[i] === 0x80);
  }
  return false;
}

/**
 * Text form in fluxd's `asm` style: opcode names, pushes of up to 4 bytes as decimal numbers and
 * longer pushes as hex. A truncated push ends the text with `[error]`.
 */
export function scriptToAsm(script: Uint8Array): string {
  const words: string[] = [];
  let pc = 0;
  while (pc < script.length) {
    const next = decodeOp(script, pc);
    if (!next) {
      words.push('[error]');
      break;
    }
    if (next.data !== undefined) {
      words.push(next.data.length <= 4 ? decodeScriptNum(next.data, false).toString() : toHex(next.data));
    } else if (next.op === OP.OP_1NEGATE) words.push('-1');
    else if (next.op >= OP.OP_1 && next.op <= OP.OP_16) words.push(String(next.op - OP.OP_1 + 1));
    else words.push(opcodeName(next.op));
    pc = next.end;
  }
  return words.join(' ');
}

/**
 * Read script text in the form used by Bitcoin Core's and Zcash's script test files: decimal
 * numbers are pushed as script numbers, `0x…` is copied in as raw bytes, `'text'` is pushed as
 * bytes, and opcode names may omit the `OP_` prefix.
 */
export function scriptFromAsm(text: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (/^-?\d+$/.test(word)) {
      parts.push(pushNumber(BigInt(word)));
    } else if (/^0x[0-9a-fA-F]*$/.test(word) && word.length % 2 === 0 && word.length > 2) {
      const hex = word.slice(2);
      parts.push(Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16))));
    } else if (word.length >= 2 && word.startsWith("'") && word.endsWith("'")) {
      parts.push(pushLiteral(new TextEncoder().encode(word.slice(1, -1))));
    } else {
      const op = opcodeFromName(word);
      if (op === undefined) {
        throw new ConsensusError('bad-script-text', `unknown word "${word}"`, {
          field: 'script',
          value: text,
        });
      }
      parts.push(Uint8Array.of(op));
    }
  }
  return concatBytes(...parts);
}
