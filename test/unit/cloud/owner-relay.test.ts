/**
 * The relay (cloud/owner/relay.ts) between nodes wired in memory: every node a request names gets
 * an outcome, labelled, within the deadline, whether it answers, refuses, cannot be reached, is
 * too slow, or answers for a node it is not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OwnerOpResult } from '../../../src/cloud/agent/owner-ops.ts';
import { MessageVerifyError } from '../../../src/cloud/messages/errors.ts';
import type { OwnerRequest } from '../../../src/cloud/messages/owner-request.ts';
import { type OwnerExecutor, OwnerRelay } from '../../../src/cloud/owner/relay.ts';

type Handler = (req: Uint8Array, from: string) => Promise<Uint8Array[]>;

const id = (c: string) => `${c.repeat(64)}:0`;
const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map(id) as [string, string, string, string, string];

function result(node: string, req: OwnerRequest): OwnerOpResult {
  return { node, app: req.app, op: req.op, placedHere: true, stopped: false, containers: [], done: [] };
}

/** Nodes by id, each with a relay; peer ids are "peer-<node>". */
function network(executors: Record<string, (req: OwnerRequest) => Promise<OwnerOpResult>>) {
  const handlers = new Map<string, Handler>();
  const relays = new Map<string, OwnerRelay>();
  for (const [node, run] of Object.entries(executors)) {
    const local: OwnerExecutor = { node, run };
    const relay = new OwnerRelay({
      net: {
        handle: (_name, h) => void handlers.set(`peer-${node}`, h),
        request: async (peer, _name, bytes) => {
          const h = handlers.get(peer);
          if (!h) throw new Error(`not connected to ${peer}`);
          return h(bytes, `peer-${node}`);
        },
      },
      local: () => local,
      peerOf: async (target) => (target in executors ? `peer-${target}` : undefined),
    });
    relay.install();
    relays.set(node, relay);
  }
  return relays;
}

test('each named node answers for itself, labelled, and the slow one is reported as a timeout in time', async () => {
  const relays = network({
    [A]: async (req) => result(A, req),
    [B]: async (req) => result(B, req),
    [C]: async () => {
      throw new MessageVerifyError('owner-request', 'replayed', 'nonce', 'x', 'already carried out', 0);
    },
    [D]: () => new Promise(() => {}),
    // E answers as if it were A: not believed.
    [E]: async (req) => result(A, req),
  });
  const req = {
    op: 'inspect',
    app: 'hello',
    nodes: [A, B, C, D, E, id('f')],
    nonce: '00'.repeat(16),
    issuedAt: 1,
    signature: 'sig',
  } as OwnerRequest;
  const started = Date.now();
  const outcomes = await relays.get(A)!.dispatch(req, 300);
  const took = Date.now() - started;
  assert.ok(took < 1000, `gathered within the deadline (${took} ms)`);
  assert.deepEqual(
    outcomes.map((o) => [o.node, o.status]),
    [
      [A, 'ok'],
      [B, 'ok'],
      [C, 'refused'],
      [D, 'timeout'],
      [E, 'failed'],
      [id('f'), 'unreachable'],
    ],
  );
  const refused = outcomes[2];
  assert.ok(refused?.status === 'refused' && refused.rule === 'replayed');
});

test('a peer sending bytes that are no request is refused (its fault), a node without agent says so', async () => {
  const handlers = new Map<string, Handler>();
  const relay = new OwnerRelay({
    net: { handle: (_n, h) => void handlers.set('me', h), request: async () => [] },
    local: () => undefined,
    peerOf: async () => undefined,
  });
  relay.install();
  await assert.rejects(handlers.get('me')!(new TextEncoder().encode('{"op":1}'), 'peer'));
  const req = { op: 'logs', app: 'hello', nodes: [A], nonce: '00'.repeat(8), issuedAt: 1, signature: 's' };
  const [answer] = await handlers.get('me')!(new TextEncoder().encode(JSON.stringify(req)), 'peer');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(answer)), {
    node: '',
    status: 'refused',
    rule: 'no-agent',
    reason: 'this node runs no apps',
  });
});
