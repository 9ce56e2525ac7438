import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACCEPT,
  DEFAULT_REJECT_SCORE,
  GossipValidation,
  gossipTopic,
  ignore,
  refusal,
  reject,
  WRAPPER_RULES,
} from '../../../src/p2p/gossip-validation.ts';

const TXS = gossipTopic('txs', { maxBytes: 100, maxPending: 2 });
const BLOCKS = gossipTopic('blocks', { maxBytes: 100, maxPending: 2 });
const bytes = (n = 10) => new Uint8Array(n);

function wrapper() {
  const penalties: { peer: string; points: number; reason: string }[] = [];
  const g = new GossipValidation((peer, points, reason) => penalties.push({ peer, points, reason }));
  return { g, penalties };
}

test('accepted and ignored messages cost the sender nothing; a rejection costs exactly its score', async () => {
  const { g, penalties } = wrapper();
  assert.equal(await g.judge(TXS, bytes(), 'p1', () => ACCEPT), 'accept');
  assert.equal(await g.judge(TXS, bytes(), 'p1', () => ignore('txn-already-in-mempool')), 'ignore');
  assert.deepEqual(penalties, []);
  assert.equal(await g.judge(BLOCKS, bytes(), 'p2', async () => reject('bad-txnmrklroot', 100)), 'reject');
  assert.deepEqual(penalties, [
    { peer: 'p2', points: 100, reason: 'invalid message on blocks: bad-txnmrklroot' },
  ]);
});

test('a rejection without a score costs the default, and one with score 0 costs nothing', async () => {
  const { g, penalties } = wrapper();
  await g.judge(TXS, bytes(), 'p', () => ({ result: 'reject', rule: 'x' }));
  await g.judge(TXS, bytes(), 'p', () => reject('y', 0));
  assert.deepEqual(
    penalties.map((p) => p.points),
    [DEFAULT_REJECT_SCORE],
  );
});

test('refusal turns an error score of 0 into ignore and any other into a rejection with that score', () => {
  assert.deepEqual(refusal('bad-txns-inputs-missingorspent', 0), {
    result: 'ignore',
    rule: 'bad-txns-inputs-missingorspent',
  });
  assert.deepEqual(refusal('bad-txns-vout-negative', 100), {
    result: 'reject',
    rule: 'bad-txns-vout-negative',
    score: 100,
  });
});

test('verdicts are counted by topic and result', async () => {
  const { g } = wrapper();
  await g.judge(TXS, bytes(), 'p', () => ACCEPT);
  await g.judge(TXS, bytes(), 'p', () => ACCEPT);
  await g.judge(TXS, bytes(), 'p', () => ignore());
  await g.judge(BLOCKS, bytes(), 'p', () => reject('bad'));
  assert.deepEqual(Object.fromEntries(g.byTopic()), {
    txs: { accept: 2, ignore: 1, reject: 0 },
    blocks: { accept: 0, ignore: 0, reject: 1 },
  });
  assert.deepEqual(g.totals(), { accept: 2, ignore: 1, reject: 1 });
});

test('a message over the topic limit is rejected unread, and a handler that throws is a rejection', async () => {
  const { g, penalties } = wrapper();
  let called = false;
  const r = await g.judge(TXS, bytes(101), 'big', () => {
    called = true;
    return ACCEPT;
  });
  assert.equal(r, 'reject');
  assert.equal(called, false, 'the handler never saw the oversized message');
  assert.equal(
    await g.judge(TXS, bytes(), 'odd', () => {
      throw new Error('boom');
    }),
    'reject',
  );
  assert.deepEqual(
    penalties.map((p) => [p.peer, p.reason]),
    [
      ['big', `invalid message on txs: ${WRAPPER_RULES.tooLarge}`],
      ['odd', `invalid message on txs: ${WRAPPER_RULES.handlerFailed}`],
    ],
  );
});

test('past maxPending messages in judgement, new ones on that topic are dropped without blame until one finishes', async () => {
  const { g, penalties } = wrapper();
  const release: (() => void)[] = [];
  const slow = () =>
    new Promise<typeof ACCEPT>((resolve) => {
      release.push(() => resolve(ACCEPT));
    });
  const first = g.judge(TXS, bytes(), 'p', slow);
  const second = g.judge(TXS, bytes(), 'p', slow);
  assert.equal(g.pending('txs'), 2);
  assert.equal(await g.judge(TXS, bytes(), 'p', () => ACCEPT), 'ignore', 'the queue is full');
  assert.equal(
    await g.judge(BLOCKS, bytes(), 'p', () => ACCEPT),
    'accept',
    'other topics have their own queue',
  );
  for (const r of release) r();
  assert.deepEqual(await Promise.all([first, second]), ['accept', 'accept']);
  assert.equal(g.pending('txs'), 0);
  assert.equal(await g.judge(TXS, bytes(), 'p', () => ACCEPT), 'accept');
  assert.deepEqual(penalties, []);
});
