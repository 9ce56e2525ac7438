import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCEPT, gossipTopic, reject } from '../../../src/p2p/gossip-validation.ts';
import { P2PHost } from '../../../src/p2p/host.ts';
import { at } from '../../support/at.ts';

const BLOCKS = gossipTopic('blocks', { maxBytes: 1000, maxPending: 16 });

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

const hosts: P2PHost[] = [];
let a: P2PHost;
let b: P2PHost;
let c: P2PHost;

before(async () => {
  a = new P2PHost({ network: 'test', host: '127.0.0.11', port: 0, bootstrap: [], requestRate: 5 });
  await a.start();
  const aAddr = at(a.multiaddrs, 0);
  b = new P2PHost({ network: 'test', host: '127.0.0.12', port: 0, bootstrap: [aAddr] });
  c = new P2PHost({ network: 'test', host: '127.0.0.13', port: 0, bootstrap: [aAddr] });
  hosts.push(a, b, c);
  await Promise.all([b.start(), c.start()]);
  await until(() => a.peers().length === 2);
});

after(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

test('gossip reaches every subscriber through the mesh, and only validated messages are delivered', async () => {
  const got = new Map<string, string[]>();
  for (const [name, h] of [
    ['a', a],
    ['b', b],
    ['c', c],
  ] as const) {
    got.set(name, []);
    h.subscribe(
      BLOCKS,
      (data) => (new TextDecoder().decode(data).startsWith('good') ? ACCEPT : reject('not-good')),
      (data) => got.get(name)!.push(new TextDecoder().decode(data)),
    );
  }
  await sleep(1500); // let the mesh form
  await b.publish(BLOCKS, new TextEncoder().encode('good block 1'));
  await until(() => got.get('a')!.length === 1 && got.get('c')!.length === 1);
  assert.deepEqual(got.get('c'), ['good block 1'], 'c received b’s message relayed by a');
  assert.deepEqual(got.get('b'), [], 'no echo to the publisher');
});

test('a peer that keeps sending invalid gossip is disconnected and banned', async () => {
  const bId = b.peerId;
  for (let i = 0; i < 6 && !a.scores.isBanned(bId); i++) {
    await b.publish(BLOCKS, new TextEncoder().encode(`garbage ${i}`));
    await sleep(200);
  }
  await until(() => a.scores.isBanned(bId));
  assert.ok(a.scores.reasons(bId).some((r) => r.includes('invalid message')));
  await until(() => !a.peers().some((p) => p.id === bId));
});

test('request/response returns every item, names refusals, and rate-limits floods', async () => {
  a.handle('echo', (req) => {
    const text = new TextDecoder().decode(req);
    if (text === 'fail') throw new Error('cannot echo that');
    return [...text].map((ch) => new TextEncoder().encode(ch));
  });
  const aId = a.peerId;
  const items = await c.request(aId, 'echo', new TextEncoder().encode('xyz'));
  assert.deepEqual(
    items.map((i) => new TextDecoder().decode(i)),
    ['x', 'y', 'z'],
  );
  await assert.rejects(c.request(aId, 'echo', new TextEncoder().encode('fail')), /cannot echo that/);
  let limited = false;
  for (let i = 0; i < 40 && !limited; i++) {
    try {
      await c.request(aId, 'echo', new TextEncoder().encode('q'));
    } catch (err) {
      limited = /rate limited/.test((err as Error).message);
    }
  }
  assert.ok(limited, 'a burst beyond the limit is refused');
});
