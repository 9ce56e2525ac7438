/**
 * Carrying an owner's signed request from the node it was handed to (any node) to the nodes it
 * names, over the p2p request/response protocol `owner-op`, and gathering their answers within a
 * deadline. The relay trusts nothing it carries: each named node checks the request itself
 * (agent/owner-ops.ts). Every named node gets an outcome, labelled: `ok` with its result, `refused`
 * with the rule it broke, `unreachable`, `failed`, or `timeout` (no answer in time; the operation
 * may still be carried out there). The caller never waits longer than the deadline.
 */
import type { RequestOptions } from '../../p2p/index.ts';
import { MessageVerifyError } from '../messages/errors.ts';
import { type OwnerRequest, parseOwnerRequest } from '../messages/owner-request.ts';
import type { OwnerOpResult } from '../agent/owner-ops.ts';

export const OWNER_PROTOCOL = 'owner-op';
const MAX_REQUEST_BYTES = 32_000;
const MAX_REPLY_BYTES = 8_000_000;

export type NodeOutcome =
  | { node: string; status: 'ok'; result: OwnerOpResult }
  | { node: string; status: 'refused'; rule: string; reason: string }
  | { node: string; status: 'unreachable' | 'failed' | 'timeout'; reason: string };

/** The network as the relay needs it (p2p/P2PHost fits). */
export interface OwnerRelayNet {
  handle(name: string, handler: (req: Uint8Array, from: string) => Promise<Uint8Array[]>): void;
  request(peer: string, name: string, req: Uint8Array, opts?: RequestOptions): Promise<Uint8Array[]>;
}

/** This node's side: its id and how it carries a request out (the cloud agent's ownerOp). */
export interface OwnerExecutor {
  node: string;
  run(req: OwnerRequest): Promise<OwnerOpResult>;
}

export interface OwnerRelayDeps {
  net: OwnerRelayNet;
  /** This node as an executor, when it runs the cloud agent. */
  local: () => OwnerExecutor | undefined;
  /** The peer id that speaks for a node id (connecting to it if needed), or undefined. */
  peerOf: (node: string, timeoutMs: number) => Promise<string | undefined>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class OwnerRelay {
  readonly #d: OwnerRelayDeps;

  constructor(deps: OwnerRelayDeps) {
    this.#d = deps;
  }

  /** Answers requests relayed by peers. Only unreadable bytes are the relaying peer's fault. */
  install(): void {
    this.#d.net.handle(OWNER_PROTOCOL, async (bytes) => {
      if (bytes.length > MAX_REQUEST_BYTES) throw new Error(`request of ${bytes.length} bytes`);
      const req = parseOwnerRequest(JSON.parse(decoder.decode(bytes)));
      return [encoder.encode(JSON.stringify(await this.#runHere(req)))];
    });
  }

  /** Sends `req` to every node it names (this one included) and gathers the outcomes within `timeoutMs`. */
  async dispatch(req: OwnerRequest, timeoutMs: number): Promise<NodeOutcome[]> {
    const deadline = Date.now() + timeoutMs;
    return Promise.all(
      req.nodes.map((node) => this.#withDeadline(node, deadline, this.#one(node, req, deadline))),
    );
  }

  async #one(node: string, req: OwnerRequest, deadline: number): Promise<NodeOutcome> {
    if (this.#d.local()?.node === node) return this.#runHere(req);
    const peer = await this.#d.peerOf(node, Math.max(1, deadline - Date.now())).catch(() => undefined);
    if (!peer) return { node, status: 'unreachable', reason: 'no connection to this node' };
    let items: Uint8Array[];
    try {
      items = await this.#d.net.request(peer, OWNER_PROTOCOL, encoder.encode(JSON.stringify(req)), {
        timeoutMs: Math.max(1, deadline - Date.now()),
        maxItems: 1,
        maxBytes: MAX_REPLY_BYTES,
      });
    } catch (err) {
      return { node, status: 'failed', reason: (err as Error).message };
    }
    return readOutcome(node, items[0]);
  }

  async #runHere(req: OwnerRequest): Promise<NodeOutcome> {
    const local = this.#d.local();
    const node = local?.node ?? '';
    if (!local) return { node, status: 'refused', rule: 'no-agent', reason: 'this node runs no apps' };
    try {
      return { node, status: 'ok', result: await local.run(req) };
    } catch (err) {
      if (err instanceof MessageVerifyError)
        return { node, status: 'refused', rule: err.rule, reason: err.message };
      return { node, status: 'failed', reason: (err as Error).message };
    }
  }

  #withDeadline(node: string, deadline: number, work: Promise<NodeOutcome>): Promise<NodeOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<NodeOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ node, status: 'timeout', reason: 'no answer in time; it may still be carried out' }),
        Math.max(0, deadline - Date.now()),
      );
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }
}

/** A peer's answer, checked for shape: it must speak for the node it was asked about. */
function readOutcome(node: string, item: Uint8Array | undefined): NodeOutcome {
  let o: NodeOutcome;
  try {
    o = JSON.parse(decoder.decode(item ?? new Uint8Array())) as NodeOutcome;
  } catch {
    return { node, status: 'failed', reason: 'unreadable answer' };
  }
  if (typeof o !== 'object' || o === null || typeof o.status !== 'string')
    return { node, status: 'failed', reason: 'unreadable answer' };
  if (o.status === 'ok' && o.result?.node !== node)
    return { node, status: 'failed', reason: `the peer answered as ${String(o.result?.node)}` };
  return { ...o, node };
}
