import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { StateSync, type StateSyncNet } from '../../../src/cloud/agent/state-sync.ts';
import { GOSSIP_TOPICS, type GossipVerdict } from '../../../src/cloud/agent/types.ts';
import { encodeHeartbeat, type Heartbeat, verifyHeartbeat } from '../../../src/cloud/messages/heartbeat.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { ACCEPT, GossipValidation, reject } from '../../../src/p2p/gossip-validation.ts';
import { at } from '../../support/at.ts';

const key = sha256(new TextEncoder().encode('state sync test operator'));
const NODE = `${'ab'.repeat(32)}:0`;
const lookup = (node: string) => (node === NODE ? toHex(publicKeyOf(key)) : undefined);
const hb = (seq: number, time: number): Heartbeat => ({
  node: NODE,
  seq,
  time,
  height: 1,
  tipHash: '00'.repeat(32),
  ip: '10.0.0.1',
});

/** Two StateSyncs joined by an in-memory link: `a` serves, `b` fetches. */
function link(now: number) {
  const handlers = new Map<string, (req: Uint8Array, from: string) => Uint8Array[]>();
  const penalties: string[] = [];
  const penalize = (peer: string, points: number, reason: string) =>
    penalties.push(`${peer} ${points} ${reason}`);
  const wrapper = new GossipValidation(penalize);
  const netOf = (self: string): StateSyncNet => ({
    judge: (topic, data, from, validator) => wrapper.judge(topic, data, from, validator),
    publish: async () => {},
    subscribe() {},
    handle: (name, h) => handlers.set(`${self}/${name}`, h),
    request: async (peer, name, req) => handlers.get(`${peer}/${name}`)!(req, self),
    penalize,
    peers: () => [],
    onPeerConnect() {},
  });
  const a = new StateSync(netOf('a'), { now: () => now });
  const b = new StateSync(netOf('b'), { now: () => now });
  a.install();
  b.install();
  return { a, b, penalties };
}

describe('cloud state sync', () => {
  it('feeds fetched heartbeats through the same validator and handler as gossiped ones', async () => {
    const now = 1_800_000_000_000;
    const { a, b, penalties } = link(now);
    await a.publish(GOSSIP_TOPICS.heartbeat, encodeHeartbeat(hb(1, now - 2000), key));
    await a.publish(GOSSIP_TOPICS.heartbeat, encodeHeartbeat(hb(2, now - 1000), key));
    const verdicts: GossipVerdict['result'][] = [];
    const handled: Heartbeat[] = [];
    b.subscribe(
      GOSSIP_TOPICS.heartbeat,
      (data) => {
        const v = verifyHeartbeat(data, lookup) ? ACCEPT : reject('bad-signature');
        verdicts.push(v.result);
        return v;
      },
      (data) => handled.push(verifyHeartbeat(data, lookup)),
    );
    assert.equal(await b.fetch('a'), 1);
    assert.deepEqual(verdicts, ['accept'], 'one message per node: only the newest is served');
    assert.equal(handled[0]?.seq, 2);
    assert.deepEqual(penalties, []);
  });

  it('does not serve state older than its limit, and penalizes a peer whose state the validator rejects', async () => {
    const now = 1_800_000_000_000;
    const { a, b, penalties } = link(now);
    await a.publish(GOSSIP_TOPICS.heartbeat, encodeHeartbeat(hb(1, now - 11 * 60_000), key));
    b.subscribe(
      GOSSIP_TOPICS.heartbeat,
      () => reject('bad-signature'),
      () => assert.fail('a rejected message was handled'),
    );
    assert.equal(await b.fetch('a'), 0);
    assert.deepEqual(penalties, [], 'nothing served, nothing judged');
    await a.publish(GOSSIP_TOPICS.heartbeat, encodeHeartbeat(hb(2, now), key));
    assert.equal(await b.fetch('a'), 0);
    assert.equal(penalties.length, 1);
    assert.match(at(penalties, 0), /^a 25 invalid message on cloud\/heartbeat: bad-signature/);
  });
});
