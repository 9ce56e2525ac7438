/**
 * The node's servers, fed what a client or peer might send: JSON-RPC requests (every method, any
 * parameters), REST paths and queries, stratum lines, and bytes on every p2p gossip topic and
 * request protocol. Findings: an internal RPC error, a 500, a stratum session that stops
 * answering, an engine error out of a p2p validator or handler.
 */
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { jsonReplacer } from '../../../src/api/json.ts';
import { isBug } from '../../../src/consensus/errors.ts';
import type { FuzzNode } from '../node-fixture.ts';
import type { FuzzTarget } from '../target.ts';
import { at } from '../../support/at.ts';

/** Methods that start long work or grow state with every call: covered by their own tests. */
const NOT_FUZZED = new Set(['setgenerate', 'getnewaddress']);

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', '0'.repeat(64), 'f'.repeat(64), 'x'.repeat(1001), '-1', 'cumulus', '%', '../..'),
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53, 1e300, Number.MIN_VALUE),
);

function rpcTarget(f: FuzzNode): FuzzTarget {
  const methods = f.node.rpc
    .list()
    .map((m) => m.name)
    .filter((m) => !NOT_FUZZED.has(m));
  return {
    name: 'rpc',
    input: fc.record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...methods) },
        { weight: 1, arbitrary: fc.string() },
      ),
      params: fc.oneof(
        { weight: 9, arbitrary: fc.array(hostileValue, { maxLength: 4 }) },
        { weight: 1, arbitrary: hostileValue },
      ),
    }),
    check: async (req) => {
      const r = await f.node.rpc.handleOne({ id: 1, ...(req as object) });
      JSON.stringify(r, jsonReplacer);
      return r.error?.code === -32603 ? `internal error: ${r.error.message}` : undefined;
    },
  };
}

const ROUTES = [
  '/chain/info',
  '/chain/blocks',
  '/chain/block/:x',
  '/chain/tx/:x',
  '/chain/address/:x',
  '/nodes',
  '/nodes/:x',
  '/node/status',
  '/apps',
  '/apps/:x',
  '/apps/:x/locations',
  '/network/totals',
  '/network/history',
  '/economy/supply',
];

function restTarget(f: FuzzNode): FuzzTarget {
  const segment = fc.oneof(
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom('%', '%E0%A4%A', '0', '-1', '99999999999', 'f'.repeat(64), '..', '%00'),
  );
  const query = fc
    .array(fc.tuple(fc.constantFrom('limit', 'before', 'tier', 'verbose', 'status', 'x'), segment), {
      maxLength: 3,
    })
    .map((q) => (q.length ? `?${q.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
  return {
    name: 'rest',
    input: fc.tuple(fc.constantFrom(...ROUTES), segment, query).map(([r, s, q]) => r.replace(':x', s) + q),
    check: async (path) => {
      const res = await fetch(`${f.apiUrl}${path as string}`);
      const text = await res.text();
      // 503 is the dashboard missing from an unbuilt tree (paths like /apps/.. resolve to /).
      return res.status >= 500 && res.status !== 503
        ? `${res.status} for GET ${path as string}: ${text.slice(0, 200)}`
        : undefined;
    },
  };
}

/** One stratum session; after each fuzzed line a numbered request must still be answered. */
class StratumProbe {
  readonly #socket: Socket;
  #buffer = '';
  #closed = false;
  #n = 0;
  #waiting: { id: string; resolve: (ok: boolean) => void } | undefined;

  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    this.#socket.setNoDelay(true);
    this.#socket.setEncoding('utf8');
    this.#socket.on('data', (chunk: string) => this.#onData(chunk));
    const end = () => {
      this.#closed = true;
      this.#waiting?.resolve(false);
    };
    this.#socket.on('close', end);
    this.#socket.on('error', end);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    const lines = this.#buffer.split('\n');
    this.#buffer = lines.pop() ?? '';
    const w = this.#waiting;
    if (w && lines.some((l) => l.includes(`"id":"${w.id}"`))) {
      this.#waiting = undefined;
      w.resolve(true);
    }
  }

  /** Sends `line`, then a sentinel request; true when the sentinel's answer came back. */
  send(line: string): Promise<boolean> {
    const id = `probe-${++this.#n}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      this.#waiting = {
        id,
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      this.#socket.write(
        `${line.replaceAll('\n', ' ')}\n{"id":"${id}","method":"mining.extranonce.subscribe"}\n`,
      );
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

function stratumTarget(f: FuzzNode): FuzzTarget & { close(): void } {
  let probe: StratumProbe | undefined;
  const method = fc.constantFrom(
    'mining.subscribe',
    'mining.authorize',
    'mining.submit',
    'mining.extranonce.subscribe',
  );
  return {
    name: 'stratum',
    input: fc.oneof(
      fc.json({ depthSize: 'small' }),
      fc.string({ maxLength: 300 }),
      fc
        .record({
          id: fc.jsonValue({ maxDepth: 2 }),
          method: fc.oneof(method, fc.jsonValue({ maxDepth: 1 })),
          params: fc.array(hostileValue, { maxLength: 5 }),
        })
        .map((r) => JSON.stringify(r)),
      fc.integer({ min: 1, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    ),
    check: async (line) => {
      if (!probe || probe.closed) probe = new StratumProbe(f.stratumPort);
      const answered = await probe.send(line as string);
      return answered
        ? undefined
        : `the stratum session stopped answering after ${JSON.stringify(line).slice(0, 200)}`;
    },
    close: () => probe?.close(),
  };
}

interface P2PInternals {
  validators: Map<string, { validator: (data: Uint8Array, from: string) => unknown }>;
  handlers: Map<string, (request: Uint8Array, from: string) => unknown>;
}

/**
 * Every gossip validator and request handler the node registered, called as libp2p would call
 * them (without the transport): the host's maps are read directly, so handlers added later are
 * fuzzed too without naming them here.
 */
function p2pTarget(f: FuzzNode): FuzzTarget {
  const host = f.node.p2p as unknown as P2PInternals;
  const channels = [
    ...[...host.validators].map(([name, v]) => ({ kind: 'gossip', name, call: v.validator })),
    ...[...host.handlers].map(([name, h]) => ({ kind: 'request', name, call: h })),
  ];
  return {
    name: 'p2p',
    input: fc.tuple(fc.nat({ max: channels.length - 1 }), fc.uint8Array({ maxLength: 2048 })),
    check: async (input) => {
      const [i, bytes] = input as [number, Uint8Array];
      const ch = at(channels, i);
      try {
        const out = await ch.call(bytes, 'fuzz-peer');
        const result = (out as { result?: unknown } | undefined)?.result;
        if (ch.kind === 'gossip' && !['accept', 'ignore', 'reject'].includes(result as string))
          return `gossip validator ${ch.name} answered ${JSON.stringify(out)}`;
        return undefined;
      } catch (err) {
        return isBug(err)
          ? `${ch.kind} ${ch.name}: ${(err as Error).name}: ${(err as Error).message}`
          : undefined;
      }
    },
  };
}

export function serverTargets(f: FuzzNode): { targets: FuzzTarget[]; close(): void } {
  const stratum = stratumTarget(f);
  return { targets: [rpcTarget(f), restTarget(f), stratum, p2pTarget(f)], close: () => stratum.close() };
}
