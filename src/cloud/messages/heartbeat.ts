/**
 * Heartbeat: "node N is alive, at tip H", every period. A run of heartbeats shares one signed head
 * and each carries the next link of a hash chain (cloud/liveness/hash-chain.ts), so a receiver
 * checks one signature per run and hashes for the rest. `seq` grows from one heartbeat to the next
 * (also across restarts: the agent derives the head's from the clock), so a replayed heartbeat
 * cannot keep a dead node alive.
 *
 * Wire: head | index (u16) | reveal (32 bytes)
 * head: a signed frame (envelope.ts) of kind heartbeat whose body is
 *       node (string ≤ 128) | seq (u64) | time (u64, ms since the epoch) | height (u32) |
 *       tipHash (32 bytes) | ip (string ≤ 64) | periodMs (u32) | length (u16) | commit (32 bytes)
 * The heartbeat of index i stands for seq + i, sent at time + i × periodMs, and is genuine when
 * i ≤ length and SHA-256 applied i times to `reveal` gives `commit`. A lone heartbeat is a run of
 * length 0 (index 0, reveal = commit).
 */
import { type ByteReader, type ByteWriter, toHex } from '../../consensus/index.ts';
import { CHAIN_HASH_BYTES, chainReaches } from '../liveness/hash-chain.ts';
import {
  checkU32,
  decodeSigned,
  encodeSigned,
  type OperatorKeyLookup,
  readHash32,
  readSafe,
  readToken,
  readU16,
  type SignedMessage,
  verifyNodeSignature,
  writeHash32,
  writeSafe,
  writeToken,
  writeU16,
} from './envelope.ts';
import { MessageDecodeError, MessageFieldError, MessageVerifyError } from './errors.ts';
import type { HeadCache } from './head-cache.ts';

export interface Heartbeat {
  /** The node's collateral outpoint, "txid:n". */
  node: string;
  seq: number;
  /** Sender's clock, ms since the epoch. */
  time: number;
  height: number;
  /** The sender's tip block hash (64 hex digits, display order). */
  tipHash: string;
  /** The address the node serves on. */
  ip: string;
}

/** The run a head opens: how far apart its heartbeats are, how many follow, and the chain's commit. */
export interface HeartbeatRun {
  periodMs: number;
  length: number;
  commit: Uint8Array;
}

interface Head extends Heartbeat, HeartbeatRun {}

export interface DecodedHeartbeat {
  /** The heartbeat this message stands for (seq and time of its place in the run). */
  body: Heartbeat;
  head: SignedMessage<Head>;
  /** The head's bytes as sent (signature included): what a receiver remembers having checked. */
  headBytes: Uint8Array;
  index: number;
  reveal: Uint8Array;
}

export const NODE_ID_MAX = 128;
export const IP_MAX = 64;
const TAIL_BYTES = 2 + CHAIN_HASH_BYTES;
const LONE: HeartbeatRun = { periodMs: 0, length: 0, commit: new Uint8Array(CHAIN_HASH_BYTES) };

function writeBody(w: ByteWriter, h: Head): void {
  writeToken(w, 'node', h.node, NODE_ID_MAX);
  writeSafe(w, 'seq', h.seq);
  writeSafe(w, 'time', h.time);
  w.u32(checkU32('height', h.height));
  writeHash32(w, 'tipHash', h.tipHash);
  writeToken(w, 'ip', h.ip, IP_MAX);
  w.u32(checkU32('periodMs', h.periodMs));
  writeU16(w, 'length', h.length);
  if (h.commit.length !== CHAIN_HASH_BYTES)
    throw new MessageFieldError('commit', h.commit.length, 'is 32 bytes');
  w.bytes(h.commit);
}

function readBody(r: ByteReader): Head {
  return {
    node: readToken(r, 'node', NODE_ID_MAX),
    seq: readSafe(r, 'seq'),
    time: readSafe(r, 'time'),
    height: r.u32('height'),
    tipHash: readHash32(r, 'tipHash'),
    ip: readToken(r, 'ip', IP_MAX),
    periodMs: r.u32('periodMs'),
    length: readU16(r, 'length'),
    commit: r.bytesN(CHAIN_HASH_BYTES, 'commit'),
  };
}

/** Signs the head of a run: `hb` is its first heartbeat (index 0). */
export function encodeHeartbeatHead(
  hb: Heartbeat,
  run: HeartbeatRun,
  operatorPrivateKey: Uint8Array,
): Uint8Array {
  return encodeSigned('heartbeat', (w) => writeBody(w, { ...hb, ...run }), operatorPrivateKey);
}

/** The heartbeat of place `index` in the run `head` opened, proven by `reveal`. */
export function encodeBeat(head: Uint8Array, index: number, reveal: Uint8Array): Uint8Array {
  if (reveal.length !== CHAIN_HASH_BYTES) throw new MessageFieldError('reveal', reveal.length, 'is 32 bytes');
  const out = new Uint8Array(head.length + TAIL_BYTES);
  out.set(head);
  new DataView(out.buffer).setUint16(head.length, index, true);
  out.set(reveal, head.length + 2);
  return out;
}

/** A lone heartbeat (a run of length 0): one signature for one heartbeat. */
export function encodeHeartbeat(hb: Heartbeat, operatorPrivateKey: Uint8Array): Uint8Array {
  return encodeBeat(encodeHeartbeatHead(hb, LONE, operatorPrivateKey), 0, LONE.commit);
}

export function decodeHeartbeat(bytes: Uint8Array): DecodedHeartbeat {
  if (!(bytes instanceof Uint8Array))
    throw new MessageDecodeError('heartbeat', 'bytes', typeof bytes, 'not bytes');
  // Too short to hold a head and a tail: say what is wrong with it as a head.
  if (bytes.length < TAIL_BYTES + 6) decodeSigned('heartbeat', bytes, readBody);
  const split = bytes.length - TAIL_BYTES;
  const headBytes = bytes.subarray(0, split);
  const head = decodeSigned('heartbeat', headBytes, readBody);
  const index = (bytes[split] ?? 0) | ((bytes[split + 1] ?? 0) << 8);
  const reveal = bytes.subarray(split + 2);
  const h = head.body;
  if (index > h.length) throw new MessageDecodeError('heartbeat', 'index', index, `the run has ${h.length}`);
  const body: Heartbeat = {
    node: h.node,
    seq: h.seq + index,
    time: h.time + index * h.periodMs,
    height: h.height,
    tipHash: h.tipHash,
    ip: h.ip,
  };
  return { body, head, headBytes, index, reveal };
}

/** Decodes a heartbeat and checks its reveal against the head's commit (a few hashes, no signature). */
export function decodeLinkedHeartbeat(bytes: Uint8Array): DecodedHeartbeat {
  const msg = decodeHeartbeat(bytes);
  if (!chainReaches(msg.reveal, msg.index, msg.head.body.commit)) {
    throw new MessageVerifyError(
      'heartbeat',
      'bad-chain',
      'reveal',
      toHex(msg.reveal),
      'does not hash to the commit',
    );
  }
  return msg;
}

/**
 * Decodes and checks a heartbeat: its reveal against the head's commit (a few hashes), then the
 * head's signature against the node's registered operator key — unless `heads` says these very
 * head bytes were checked already. Returns the heartbeat it stands for.
 */
export function verifyHeartbeat(bytes: Uint8Array, lookup: OperatorKeyLookup, heads?: HeadCache): Heartbeat {
  const msg = decodeLinkedHeartbeat(bytes);
  const { node } = msg.head.body;
  if (heads?.known(node, msg.headBytes)) {
    if (lookup(node) !== undefined) return msg.body;
  }
  verifyNodeSignature('heartbeat', msg.head, node, lookup);
  heads?.remember(node, msg.headBytes);
  return msg.body;
}
