import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { ACCEPT, GossipValidation, gossipTopic, ignore, reject } from '../../../src/p2p/gossip-validation.ts';
import { createP2PMetrics } from '../../../src/p2p/metrics.ts';

test('gossip verdicts are exposed by topic and verdict, as the validation wrapper counted them', async () => {
  const registry = new Registry();
  const metrics = createP2PMetrics(registry);
  const gossip = new GossipValidation(() => {});
  metrics.watchGossip(() => gossip.byTopic());
  const blocks = gossipTopic('blocks', { maxBytes: 100, maxPending: 4 });
  const beats = gossipTopic('cloud/heartbeat', { maxBytes: 100, maxPending: 4 });
  const msg = new Uint8Array(10);
  await gossip.judge(blocks, msg, 'peer-a', () => ACCEPT);
  await gossip.judge(blocks, msg, 'peer-a', () => ACCEPT);
  await gossip.judge(blocks, msg, 'peer-b', () => reject('bad-blk'));
  await gossip.judge(beats, msg, 'peer-b', () => ignore('unknown-node'));
  // Too large for the topic: the wrapper rejects it without asking the validator.
  await gossip.judge(beats, new Uint8Array(101), 'peer-c', () => ACCEPT);
  const text = await registry.metrics();
  const line = (topic: string, verdict: string) =>
    new RegExp(
      `^fluxnode_p2p_gossip_messages_total\\{topic="${topic}",verdict="${verdict}"\\} (\\d+)$`,
      'm',
    ).exec(text)?.[1];
  assert.equal(line('blocks', 'accept'), '2');
  assert.equal(line('blocks', 'reject'), '1');
  assert.equal(line('blocks', 'ignore'), '0');
  assert.equal(line('cloud/heartbeat', 'ignore'), '1');
  assert.equal(line('cloud/heartbeat', 'reject'), '1');
  // A second scrape shows the same totals, not twice them.
  assert.equal(await registry.metrics(), text);
});
