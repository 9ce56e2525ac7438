import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { ScriptVerifierPool } from '../../../src/chain/index.ts';
import { HeadCache } from '../../../src/cloud/messages/head-cache.ts';
import { encodeHeartbeat, verifyHeartbeat } from '../../../src/cloud/messages/heartbeat.ts';
import { verifyHeartbeats } from '../../../src/cloud/messages/heartbeat-batch.ts';
import { HeartbeatBatcher } from '../../../src/cloud/agent/heartbeat-batcher.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { at } from '../../support/at.ts';

const keys = Array.from({ length: 6 }, (_, i) => sha256(new TextEncoder().encode(`batch node ${i}`)));
const ids = keys.map((_, i) => `${toHex(sha256(Uint8Array.of(i)))}:0`);
// Node 5 is not registered.
const pubs = new Map(ids.slice(0, 5).map((id, i) => [id, toHex(publicKeyOf(at(keys, i)))]));
const lookup = (node: string) => pubs.get(node);
const beat = (i: number, key = at(keys, i)) =>
  encodeHeartbeat(
    {
      node: at(ids, i),
      seq: 1_000 + i,
      time: 1_700_000_000_000,
      height: 7,
      tipHash: 'cd'.repeat(32),
      ip: '10.0.0.1:16125',
    },
    key,
  );

describe('heartbeats checked by the batch on the verifier pool', () => {
  const pool = new ScriptVerifierPool({ threads: 2 });
  after(() => pool.close());

  test('give each heartbeat the verdict verifyHeartbeat gives it, in order', async () => {
    const forged = beat(1, at(keys, 2));
    const flipped = beat(3);
    flipped[flipped.length - 40] = (flipped[flipped.length - 40] ?? 0) ^ 1;
    const batch = [beat(0), forged, beat(2), flipped, beat(5), Uint8Array.of(1, 2, 3), beat(4)];
    const serial = batch.map((b) => {
      try {
        return verifyHeartbeat(b, lookup);
      } catch (err) {
        return err as Error;
      }
    });
    const batched = await verifyHeartbeats(batch, lookup, pool);
    assert.equal(batched.length, batch.length);
    for (const [i, v] of batched.entries()) {
      const want = at(serial, i);
      if (want instanceof Error) {
        assert.ok(v instanceof Error, `heartbeat ${i} is refused`);
        assert.equal(v.name, want.name);
        assert.equal((v as { rule?: string }).rule, (want as { rule?: string }).rule);
      } else assert.deepEqual(v, want);
    }
    assert.equal(batched.filter((v) => !(v instanceof Error)).length, 3);
  });

  test('checks a head once: the head cache spares the pool the signatures it has seen', async () => {
    const heads = new HeadCache();
    const batch = [beat(0), beat(1)];
    await verifyHeartbeats(batch, lookup, pool, heads);
    assert.equal(heads.signatureChecks, 2);
    const again = await verifyHeartbeats(batch, lookup, pool, heads);
    assert.equal(heads.signatureChecks, 2);
    assert.ok(again.every((v) => !(v instanceof Error)));
  });

  test('heartbeats handed over in one turn of the event loop reach the pool as one batch', async () => {
    const calls: number[] = [];
    const counting = {
      verifyMessages: (checks: Parameters<ScriptVerifierPool['verifyMessages']>[0]) => {
        calls.push(checks.length);
        return pool.verifyMessages(checks);
      },
    };
    const batcher = new HeartbeatBatcher(counting, lookup, new HeadCache());
    const forged = beat(3, at(keys, 1));
    const results = await Promise.allSettled(
      [beat(0), beat(1), forged, beat(2)].map((b) => batcher.check(b)),
    );
    assert.deepEqual(calls, [4]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
  });
});
