import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GossipVerdict } from '../../../src/p2p/gossip-validation.ts';
import type { RequestHandler } from '../../../src/p2p/host.ts';
import { MempoolSync } from '../../../src/p2p/mempool-sync.ts';
import { at } from '../../support/at.ts';

const id = (n: number) => n.toString(16).padStart(64, '0');
const bytesOf = (n: number) => new Uint8Array([n]);

interface Twin {
  sync: MempoolSync;
  handlers: Map<string, RequestHandler>;
  held: Set<number>;
  asked: number[][];
  judged: number[];
  link(p: Twin): void;
}

/** A pool of fake transactions: txid n ↔ the one byte n. */
function node(
  name: string,
  pool: number[],
  verdictOf: (n: number) => GossipVerdict['result'] = () => 'accept',
): Twin {
  const handlers = new Map<string, RequestHandler>();
  const held = new Set(pool);
  const asked: number[][] = [];
  const judged: number[] = [];
  let peer: Twin | undefined;
  const sync = new MempoolSync({
    net: {
      handle: (n, h) => handlers.set(n, h),
      request: async (_p, n, req) => {
        if (n === 'mempool-txs') asked.push([...req].filter((_, i) => i % 32 === 31));
        return peer!.handlers.get(n)!(req, name);
      },
      penalize() {},
      judge: async (_t, data, from, validator) => (await validator(data, from)).result,
      onPeerConnect() {},
    },
    txids: () => [...held].map(id),
    has: (t) => held.has(Number.parseInt(t, 16)),
    get: (t) => (held.has(Number.parseInt(t, 16)) ? bytesOf(Number.parseInt(t, 16)) : undefined),
    accept: (b) => {
      judged.push(at(b, 0));
      const result = verdictOf(at(b, 0));
      if (result === 'accept') held.add(at(b, 0));
      return { result };
    },
  });
  sync.install();
  return {
    sync,
    handlers,
    held,
    asked,
    judged,
    link: (p: Twin) => {
      peer = p;
    },
  };
}

describe('mempool exchange', () => {
  it('fetches only the transactions it lacks and passes each through the intake', async () => {
    const a = node('a', [1, 2, 3, 4]);
    const b = node('b', [2, 4]);
    b.link(a);
    assert.equal(await b.sync.fetchFrom('a'), 2);
    assert.deepEqual(b.asked, [[1, 3]], 'one batch, the missing txids only');
    assert.deepEqual(b.judged, [1, 3]);
    assert.deepEqual([...b.held].sort(), [1, 2, 3, 4]);
  });

  it('stops taking a reply at the first transaction the intake rejects', async () => {
    const a = node('a', [1, 2, 3]);
    const b = node('b', [], (n) => (n === 2 ? 'reject' : 'accept'));
    b.link(a);
    assert.equal(await b.sync.fetchFrom('a'), 1);
    assert.deepEqual(b.judged, [1, 2], 'nothing after the rejected one is judged');
  });
});
