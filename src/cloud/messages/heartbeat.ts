/**
 * Heartbeat: "node N is alive, at tip H". Gossiped every few seconds, signed by the node's operator
 * key. `seq` must grow from one heartbeat to the next (also across restarts: the agent derives it
 * from the clock), so a replayed heartbeat cannot keep a dead node alive.
 *
 * Body: node (string ≤ 128) | seq (u64) | time (u64, ms since the epoch) | height (u32) |
 *       tipHash (32 bytes) | ip (string ≤ 64)
 */
import type { ByteReader, ByteWriter } from '../../consensus/index.ts';
import {
  checkU32,
  decodeSigned,
  encodeSigned,
  type OperatorKeyLookup,
  readHash32,
  readSafe,
  readToken,
  type SignedMessage,
  verifyNodeSignature,
  writeHash32,
  writeSafe,
  writeToken,
} from './envelope.ts';

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

export const NODE_ID_MAX = 128;
export const IP_MAX = 64;

function writeBody(w: ByteWriter, hb: Heartbeat): void {
  writeToken(w, 'node', hb.node, NODE_ID_MAX);
  writeSafe(w, 'seq', hb.seq);
  writeSafe(w, 'time', hb.time);
  w.u32(checkU32('height', hb.height));
  writeHash32(w, 'tipHash', hb.tipHash);
  writeToken(w, 'ip', hb.ip, IP_MAX);
}

function readBody(r: ByteReader): Heartbeat {
  return {
    node: readToken(r, 'node', NODE_ID_MAX),
    seq: readSafe(r, 'seq'),
    time: readSafe(r, 'time'),
    height: r.u32('height'),
    tipHash: readHash32(r, 'tipHash'),
    ip: readToken(r, 'ip', IP_MAX),
  };
}

export function encodeHeartbeat(hb: Heartbeat, operatorPrivateKey: Uint8Array): Uint8Array {
  return encodeSigned('heartbeat', (w) => writeBody(w, hb), operatorPrivateKey);
}

export function decodeHeartbeat(bytes: Uint8Array): SignedMessage<Heartbeat> {
  return decodeSigned('heartbeat', bytes, readBody);
}

/** Decodes and checks the signature against the node's registered operator key; returns the heartbeat. */
export function verifyHeartbeat(bytes: Uint8Array, lookup: OperatorKeyLookup): Heartbeat {
  const msg = decodeHeartbeat(bytes);
  verifyNodeSignature('heartbeat', msg, msg.body.node, lookup);
  return msg.body;
}
