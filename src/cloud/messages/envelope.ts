/**
 * The frame every signed cloud message shares:
 *
 *   "FXCM" (4 bytes) | kind (u8) | version (u8) | body (per kind) | signature (compact size + 65 bytes)
 *
 * The signature covers every byte before it, so the kind and version are signed too and a signature
 * made for one kind of message can never be passed off as another. Node messages are signed with
 * the node's operator key the way fluxd signs messages (SHA-256d over the Flux message magic and the
 * covered bytes, 65-byte recoverable signature), so any Flux tool that verifies messages can check them.
 * Integers are little-endian; strings are compact-size-prefixed UTF-8.
 */
import {
  ByteReader,
  ByteWriter,
  DecodeError,
  fromHex,
  signMessage,
  toHex,
  verifyMessage,
} from '../../consensus/index.ts';
import { MessageDecodeError, MessageFieldError, type MessageKindName, MessageVerifyError } from './errors.ts';

export const MESSAGE_MAGIC_BYTES = new TextEncoder().encode('FXCM');
export const MESSAGE_VERSION = 1;

export const MESSAGE_KIND: Record<Exclude<MessageKindName, 'owner-request'>, number> = {
  heartbeat: 1,
  'running-report': 2,
  benchmark: 3,
  'spec-announcement': 4,
};

const SIGNATURE_BYTES = 65;

/** A decoded message: its body, the bytes its signature covers, and the signature. */
export interface SignedMessage<T> {
  body: T;
  /** Every byte before the signature (what was signed). */
  signedBytes: Uint8Array;
  signature: Uint8Array;
}

/** Writes the frame around `writeBody`, signs it with `privateKey` and returns the whole message. */
type FramedKind = keyof typeof MESSAGE_KIND;

export function encodeSigned(
  kind: FramedKind,
  writeBody: (w: ByteWriter) => void,
  privateKey: Uint8Array,
): Uint8Array {
  const w = new ByteWriter(128);
  w.bytes(MESSAGE_MAGIC_BYTES).u8(MESSAGE_KIND[kind]).u8(MESSAGE_VERSION);
  writeBody(w);
  const signed = w.finish();
  const signature = signMessage(signed, privateKey);
  return new ByteWriter(signed.length + 70).bytes(signed).varBytes(signature).finish();
}

/** Reads the frame and the body; any malformation becomes a MessageDecodeError naming the field. */
export function decodeSigned<T>(
  kind: FramedKind,
  bytes: Uint8Array,
  readBody: (r: ByteReader) => T,
): SignedMessage<T> {
  if (!(bytes instanceof Uint8Array)) throw new MessageDecodeError(kind, 'bytes', typeof bytes, 'not bytes');
  const r = new ByteReader(bytes);
  try {
    readHeader(r, kind);
    const body = readBody(r);
    const signedBytes = bytes.slice(0, r.offset);
    const signature = r.varBytes('signature', 1024);
    if (signature.length !== SIGNATURE_BYTES) {
      throw new MessageDecodeError(
        kind,
        'signature',
        signature.length,
        `a signature is ${SIGNATURE_BYTES} bytes`,
      );
    }
    r.end('message');
    return { body, signedBytes, signature };
  } catch (err) {
    throw asDecodeError(kind, err);
  }
}

/** The kind a message says it is, without decoding the rest; undefined when it is not one of ours. */
export function peekKind(bytes: Uint8Array): FramedKind | undefined {
  if (bytes.length < 6) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[i] !== MESSAGE_MAGIC_BYTES[i]) return undefined;
  return (Object.keys(MESSAGE_KIND) as FramedKind[]).find((k) => MESSAGE_KIND[k] === bytes[4]);
}

/** Operator key (hex) of a registered node, or undefined when the node is not registered. */
export type OperatorKeyLookup = (node: string) => string | undefined;

/** The registered operator key of `node`; throws `unknown-node` when the registry has none (or a bad one). */
export function operatorKeyOf(kind: MessageKindName, node: string, lookup: OperatorKeyLookup): Uint8Array {
  const pub = lookup(node);
  if (pub === undefined) {
    throw new MessageVerifyError(kind, 'unknown-node', 'node', node, 'no registered fluxnode has this id', 0);
  }
  try {
    return fromHex(pub, 'operatorPubKey');
  } catch {
    throw new MessageVerifyError(kind, 'unknown-node', 'operatorPubKey', pub, 'registered key is not hex', 0);
  }
}

/** The error for a message whose signature is not its node's. */
export function badNodeSignature<T>(
  kind: MessageKindName,
  msg: SignedMessage<T>,
  node: string,
): MessageVerifyError {
  return new MessageVerifyError(
    kind,
    'bad-signature',
    'signature',
    toHex(msg.signature),
    `not signed by the operator key of ${node}`,
  );
}

/**
 * Throws unless `msg` was signed by the operator key the registry holds for `node`: `unknown-node`
 * when the registry has no such node, `bad-signature` when someone else signed or bytes were changed.
 */
export function verifyNodeSignature<T>(
  kind: MessageKindName,
  msg: SignedMessage<T>,
  node: string,
  lookup: OperatorKeyLookup,
): void {
  const key = operatorKeyOf(kind, node, lookup);
  if (!verifyMessage(msg.signedBytes, msg.signature, key)) throw badNodeSignature(kind, msg, node);
}

function readHeader(r: ByteReader, kind: FramedKind): void {
  const magic = r.bytesN(4, 'magic');
  for (let i = 0; i < 4; i++) {
    if (magic[i] !== MESSAGE_MAGIC_BYTES[i])
      throw new MessageDecodeError(kind, 'magic', toHex(magic), 'not a cloud message (expected "FXCM")');
  }
  const k = r.u8('kind');
  if (k !== MESSAGE_KIND[kind]) {
    throw new MessageDecodeError(kind, 'kind', k, `expected kind ${MESSAGE_KIND[kind]} (${kind})`);
  }
  const v = r.u8('version');
  if (v !== MESSAGE_VERSION)
    throw new MessageDecodeError(kind, 'version', v, `only version ${MESSAGE_VERSION} is known`);
}

function asDecodeError(kind: MessageKindName, err: unknown): Error {
  if (err instanceof MessageDecodeError) return err;
  if (err instanceof DecodeError)
    return new MessageDecodeError(kind, err.field ?? '?', err.offset, err.message);
  if (err instanceof MessageFieldError)
    return new MessageDecodeError(kind, err.field, err.value, err.message);
  return err as Error;
}

// ---- field codecs shared by the message kinds ----

const PRINTABLE = /^[\x21-\x7e]+$/;

/** Node ids (collateral outpoints "txid:n") and addresses: 1..max printable ASCII characters, no spaces. */
export function checkToken(field: string, value: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !PRINTABLE.test(value)) {
    throw new MessageFieldError(field, value, `must be 1..${max} printable ASCII characters without spaces`);
  }
  return value;
}

export function writeToken(w: ByteWriter, field: string, value: string, max: number): void {
  w.varString(checkToken(field, value, max));
}

export function readToken(r: ByteReader, field: string, max: number): string {
  return checkToken(field, r.varString(field, max), max);
}

/** A whole number 0..2^53-1 carried as u64. */
export function checkSafe(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new MessageFieldError(field, value, 'must be a whole number from 0 to 2^53-1');
  return value;
}

export function writeSafe(w: ByteWriter, field: string, value: number): void {
  w.u64(BigInt(checkSafe(field, value)));
}

export function readSafe(r: ByteReader, field: string): number {
  const v = r.u64(field);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MessageFieldError(field, v.toString(), 'exceeds 2^53-1');
  return Number(v);
}

export function checkU32(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new MessageFieldError(field, value, 'must be a whole number from 0 to 2^32-1');
  return value;
}

export function writeU16(w: ByteWriter, field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff)
    throw new MessageFieldError(field, value, 'must be a whole number from 0 to 65535');
  w.u16(value);
}

export function readU16(r: ByteReader, field: string): number {
  const b = r.bytesN(2, field);
  return new DataView(b.buffer, b.byteOffset, 2).getUint16(0, true);
}

/** 32 bytes shown as 64 lowercase hex digits (spec hashes, block hashes). */
export function writeHash32(w: ByteWriter, field: string, hex: string): void {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex))
    throw new MessageFieldError(field, hex, 'must be 64 hex digits');
  w.bytes(fromHex(hex, field));
}

export function readHash32(r: ByteReader, field: string): string {
  return toHex(r.bytesN(32, field));
}
