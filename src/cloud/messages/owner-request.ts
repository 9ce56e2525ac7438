/**
 * Owner requests: an app's owner asks one node for the status or logs of the app's containers there,
 * or to restart them. The request is plain text signed with Flux message signing by the key of the
 * spec's owner address, so any Flux wallet's `signmessage` can make one:
 *
 *   fluxnode app <action>
 *   app: <name>
 *   node: <node id>
 *   time: <ms since the epoch>
 *
 * Naming the node stops a request made for one node from being used on another; the time bounds how
 * long a captured request stays usable (and the agent refuses a restart it has already carried out).
 */
import { base64 } from '@scure/base';
import { base58CheckDecode, signMessage, verifyMessage } from '../../consensus/index.ts';
import { checkSafe, checkToken } from './envelope.ts';
import { MessageFieldError, MessageVerifyError } from './errors.ts';
import { NODE_ID_MAX } from './heartbeat.ts';

export const OWNER_ACTIONS = ['status', 'logs', 'restart'] as const;
export type OwnerAction = (typeof OWNER_ACTIONS)[number];

export interface OwnerRequestFields {
  action: OwnerAction;
  app: string;
  node: string;
  time: number;
}

export interface OwnerRequest extends OwnerRequestFields {
  /** Base64 message signature, as `signmessage` prints it. */
  signature: string;
}

export function ownerRequestText(f: OwnerRequestFields): string {
  return `fluxnode app ${f.action}\napp: ${f.app}\nnode: ${f.node}\ntime: ${f.time}`;
}

export function signOwnerRequest(f: OwnerRequestFields, ownerPrivateKey: Uint8Array): OwnerRequest {
  checkFields(f);
  return { ...f, signature: base64.encode(signMessage(ownerRequestText(f), ownerPrivateKey)) };
}

/** Reads a request from untrusted JSON (an API body); throws MessageFieldError naming the bad field. */
export function parseOwnerRequest(raw: unknown): OwnerRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new MessageFieldError('request', raw, 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of ['action', 'app', 'node', 'signature'])
    if (typeof o[k] !== 'string') throw new MessageFieldError(k, o[k], 'must be a string');
  if (typeof o.time !== 'number') throw new MessageFieldError('time', o.time, 'must be a number');
  const req = {
    action: o.action as OwnerAction,
    app: o.app as string,
    node: o.node as string,
    time: o.time,
    signature: o.signature as string,
  };
  checkFields(req);
  return req;
}

export interface OwnerCheck {
  /** The app's owner address (from the active app list). */
  owner: string;
  /** This node's id: requests for other nodes are refused. */
  node: string;
  now: number;
  /** How far the request's time may be from `now`, either way. */
  maxAgeMs: number;
}

/** Throws MessageVerifyError (`wrong-node`, `stale-request`, `bad-signature`) unless the owner signed it for us, recently. */
export function verifyOwnerRequest(req: OwnerRequest, check: OwnerCheck): void {
  const kind = 'owner-request';
  if (req.node !== check.node)
    throw new MessageVerifyError(kind, 'wrong-node', 'node', req.node, `this node is ${check.node}`);
  if (Math.abs(check.now - req.time) > check.maxAgeMs) {
    throw new MessageVerifyError(
      kind,
      'stale-request',
      'time',
      req.time,
      `more than ${check.maxAgeMs} ms from this node's clock (${check.now})`,
    );
  }
  let sig: Uint8Array;
  try {
    sig = base64.decode(req.signature);
  } catch {
    throw new MessageVerifyError(kind, 'bad-signature', 'signature', req.signature, 'not base64');
  }
  const keyHash = base58CheckDecode(check.owner, 'owner').subarray(2);
  if (sig.length !== 65 || !verifyMessage(ownerRequestText(req), sig, keyHash)) {
    throw new MessageVerifyError(
      kind,
      'bad-signature',
      'signature',
      req.signature,
      `not signed by the app's owner ${check.owner}`,
    );
  }
}

function checkFields(f: OwnerRequestFields): void {
  if (!(OWNER_ACTIONS as readonly string[]).includes(f.action))
    throw new MessageFieldError('action', f.action, `must be one of ${OWNER_ACTIONS.join(', ')}`);
  checkToken('app', f.app, 64);
  checkToken('node', f.node, NODE_ID_MAX);
  checkSafe('time', f.time);
}
