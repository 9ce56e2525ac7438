/**
 * Owner requests: an app's owner asks the nodes that host the app to do one operation on its
 * instances (read logs, inspect, restart, stop, start, redeploy). The request is plain text signed
 * with Flux message signing by the key of the spec's owner address, so any Flux wallet's
 * `signmessage` can make one:
 *
 *   fluxnode owner request
 *   op: restart
 *   app: <name>
 *   nodes: <node id>,<node id>,…
 *   nonce: <16..64 hex digits>
 *   issued: <ms since the epoch>
 *   args: <op arguments, see ownerArgsText>
 *
 * Each part closes one way to misuse a captured request: `nodes` keeps it from being used on any
 * other node, `issued` bounds how long it is usable, and the nonce (remembered by every node that
 * carried it out, until `issued` leaves the window) keeps it from being used twice on the same one.
 */
import { base64 } from '@scure/base';
import { base58CheckDecode, signMessage, verifyMessage } from '../../consensus/index.ts';
import { checkSafe, checkToken } from './envelope.ts';
import { MessageFieldError, MessageVerifyError } from './errors.ts';
import { NODE_ID_MAX } from './heartbeat.ts';

export const OWNER_OPS = ['logs', 'inspect', 'restart', 'stop', 'start', 'redeploy'] as const;
export type OwnerOp = (typeof OWNER_OPS)[number];
/** One request names at most this many nodes (an app has at most 100 instances). */
export const MAX_REQUEST_NODES = 100;
export const MAX_LOG_TAIL = 1000;

export interface OwnerRequestFields {
  op: OwnerOp;
  app: string;
  /** The node ids (collateral outpoints) that may carry it out, sorted, without duplicates. */
  nodes: string[];
  /** 16..64 lowercase hex digits, fresh for every request. */
  nonce: string;
  /** ms since the epoch, by the owner's clock. */
  issuedAt: number;
  /** logs: last lines per container (1..1000, default 100). */
  tail?: number;
  /** logs: only lines written at or after this time (ms since the epoch; 0 or absent: all). */
  since?: number;
  /** redeploy: wipe the app's data on the node too. */
  hard?: boolean;
}

export interface OwnerRequest extends OwnerRequestFields {
  /** Base64 message signature, as `signmessage` prints it. */
  signature: string;
}

/** The op's arguments as they are signed: empty for ops without any. */
export function ownerArgsText(f: OwnerRequestFields): string {
  if (f.op === 'logs') return `tail=${f.tail ?? 100} since=${f.since ?? 0}`;
  if (f.op === 'redeploy') return f.hard ? 'hard' : 'soft';
  return '';
}

export function ownerRequestText(f: OwnerRequestFields): string {
  return [
    'fluxnode owner request',
    `op: ${f.op}`,
    `app: ${f.app}`,
    `nodes: ${f.nodes.join(',')}`,
    `nonce: ${f.nonce}`,
    `issued: ${f.issuedAt}`,
    `args: ${ownerArgsText(f)}`,
  ].join('\n');
}

export function signOwnerRequest(f: OwnerRequestFields, ownerPrivateKey: Uint8Array): OwnerRequest {
  const fields = { ...f, nodes: [...new Set(f.nodes)].sort() };
  checkFields(fields);
  return { ...fields, signature: base64.encode(signMessage(ownerRequestText(fields), ownerPrivateKey)) };
}

function optionalNumber(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw new MessageFieldError(k, v, 'must be a number');
  return v;
}

/** Reads a request from untrusted JSON (an API body, a peer); throws MessageFieldError naming the bad field. */
export function parseOwnerRequest(raw: unknown): OwnerRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new MessageFieldError('request', raw, 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of ['op', 'app', 'nonce', 'signature'])
    if (typeof o[k] !== 'string') throw new MessageFieldError(k, o[k], 'must be a string');
  if (typeof o.issuedAt !== 'number') throw new MessageFieldError('issuedAt', o.issuedAt, 'must be a number');
  if (!Array.isArray(o.nodes) || o.nodes.some((n) => typeof n !== 'string'))
    throw new MessageFieldError('nodes', o.nodes, 'must be a list of node ids');
  if (o.hard !== undefined && typeof o.hard !== 'boolean')
    throw new MessageFieldError('hard', o.hard, 'must be true or false');
  const req: OwnerRequest = {
    op: o.op as OwnerOp,
    app: o.app as string,
    nodes: o.nodes as string[],
    nonce: o.nonce as string,
    issuedAt: o.issuedAt,
    signature: o.signature as string,
  };
  const tail = optionalNumber(o, 'tail');
  const since = optionalNumber(o, 'since');
  if (tail !== undefined) req.tail = tail;
  if (since !== undefined) req.since = since;
  if (o.hard !== undefined) req.hard = o.hard;
  checkFields(req);
  if (typeof req.signature !== 'string' || req.signature.length > 200)
    throw new MessageFieldError('signature', req.signature, 'must be at most 200 characters');
  return req;
}

export interface OwnerCheck {
  /** The app's owner address (from the active app list). */
  owner: string;
  /** This node's id: requests that do not name it are refused. */
  node: string;
  now: number;
  /** How far the request's time may be from `now`, either way. */
  windowMs: number;
}

/**
 * Throws MessageVerifyError (`wrong-node`, `stale-request`, `bad-signature`) unless the owner
 * signed it, for us among others, recently. The nonce is the caller's (OwnerNonces).
 */
export function verifyOwnerRequest(req: OwnerRequest, check: OwnerCheck): void {
  const kind = 'owner-request';
  if (!req.nodes.includes(check.node))
    throw new MessageVerifyError(
      kind,
      'wrong-node',
      'nodes',
      req.nodes,
      `does not name this node ${check.node}`,
      0,
    );
  if (Math.abs(check.now - req.issuedAt) > check.windowMs) {
    throw new MessageVerifyError(
      kind,
      'stale-request',
      'issuedAt',
      req.issuedAt,
      `more than ${check.windowMs} ms from this node's clock (${check.now})`,
      0,
    );
  }
  let sig: Uint8Array;
  try {
    sig = base64.decode(req.signature);
  } catch {
    throw new MessageVerifyError(kind, 'bad-signature', 'signature', req.signature, 'not base64', 0);
  }
  const keyHash = base58CheckDecode(check.owner, 'owner').subarray(2);
  if (sig.length !== 65 || !verifyMessage(ownerRequestText(req), sig, keyHash)) {
    throw new MessageVerifyError(
      kind,
      'bad-signature',
      'signature',
      req.signature,
      `not signed by the app's owner ${check.owner}`,
      0,
    );
  }
}

/** Whether the owner's key signed `req` (what a relaying node checks before it spends any effort). */
export function ownerSignedIt(req: OwnerRequest, owner: string): boolean {
  try {
    const sig = base64.decode(req.signature);
    const keyHash = base58CheckDecode(owner, 'owner').subarray(2);
    return sig.length === 65 && verifyMessage(ownerRequestText(req), sig, keyHash);
  } catch {
    return false;
  }
}

function checkFields(f: OwnerRequestFields): void {
  if (!(OWNER_OPS as readonly string[]).includes(f.op))
    throw new MessageFieldError('op', f.op, `must be one of ${OWNER_OPS.join(', ')}`);
  checkToken('app', f.app, 64);
  if (f.nodes.length === 0 || f.nodes.length > MAX_REQUEST_NODES)
    throw new MessageFieldError('nodes', f.nodes.length, `must name 1..${MAX_REQUEST_NODES} nodes`);
  for (const n of f.nodes) {
    checkToken('nodes', n, NODE_ID_MAX);
    if (n.includes(',')) throw new MessageFieldError('nodes', n, 'a node id has no comma');
  }
  if (!/^[0-9a-f]{16,64}$/.test(f.nonce))
    throw new MessageFieldError('nonce', f.nonce, 'must be 16..64 lowercase hex digits');
  checkSafe('issuedAt', f.issuedAt);
  if (f.tail !== undefined && (!Number.isInteger(f.tail) || f.tail < 1 || f.tail > MAX_LOG_TAIL))
    throw new MessageFieldError('tail', f.tail, `must be a whole number from 1 to ${MAX_LOG_TAIL}`);
  if (f.since !== undefined) checkSafe('since', f.since);
}
