/**
 * Heartbeat runs: one signed head per run, each beat proven by its hash-chain link. A receiver
 * checks one signature per run; a beat nobody but the node could have made is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { HeartbeatRuns } from '../../../src/cloud/agent/heartbeat-runs.ts';
import { MessageVerifyError } from '../../../src/cloud/messages/errors.ts';
import { HeadCache } from '../../../src/cloud/messages/head-cache.ts';
import {
  decodeHeartbeat,
  encodeBeat,
  encodeHeartbeatHead,
  type Heartbeat,
  verifyHeartbeat,
} from '../../../src/cloud/messages/heartbeat.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';

const key = (n: number) => sha256(new TextEncoder().encode(`heartbeat runs test key ${n}`));
const operator = key(1);
const intruder = key(2);
const NODE = `${'cd'.repeat(32)}:0`;
const lookup = (node: string) => (node === NODE ? toHex(publicKeyOf(operator)) : undefined);
const P = 5000;

function beats(count: number, start = 1_000_000): { hb: Heartbeat; bytes: Uint8Array }[] {
  const runs = new HeartbeatRuns(12);
  let seq = start;
  const first = (time: number) => () => ({
    node: NODE,
    seq: ++seq,
    time,
    height: 7,
    tipHash: '11'.repeat(32),
    ip: '10.0.0.1',
  });
  return Array.from({ length: count }, (_, k) => runs.next(start + k * P, P, first(start + k * P), operator));
}

const refused = (rule: string) => (e: unknown) => e instanceof MessageVerifyError && e.rule === rule;

test('a run of 12 beats costs a receiver one signature check; the 13th opens a new run', () => {
  const heads = new HeadCache();
  const out = beats(14);
  for (const { hb, bytes } of out) assert.deepEqual(verifyHeartbeat(bytes, lookup, heads), hb);
  assert.equal(heads.signatureChecks, 2);
  // Each beat stands for its slot: seq and time advance by one and by a period.
  assert.deepEqual(
    out.slice(0, 3).map(({ hb }) => [hb.seq - (out[0]?.hb.seq ?? 0), hb.time - (out[0]?.hb.time ?? 0)]),
    [
      [0, 0],
      [1, P],
      [2, 2 * P],
    ],
  );
  assert.equal(decodeHeartbeat(out[11]?.bytes as Uint8Array).index, 11);
  assert.equal(decodeHeartbeat(out[12]?.bytes as Uint8Array).index, 0);
});

test('a beat ahead of what the node revealed, or with a made-up reveal, is refused', () => {
  const [b0, b1] = beats(2);
  const msg = decodeHeartbeat(b1?.bytes as Uint8Array);
  // Claims index 2 with the reveal of index 1: only the node knows the preimage.
  assert.throws(
    () => verifyHeartbeat(encodeBeat(msg.headBytes, 2, msg.reveal), lookup),
    refused('bad-chain'),
  );
  assert.throws(
    () => verifyHeartbeat(encodeBeat(msg.headBytes, 1, new Uint8Array(32).fill(7)), lookup),
    refused('bad-chain'),
  );
  assert.ok(b0);
});

test('a head checked once does not vouch for a different head of the same node', () => {
  const heads = new HeadCache();
  const [good] = beats(1);
  verifyHeartbeat(good?.bytes as Uint8Array, lookup, heads);
  const hb = { ...(good?.hb as Heartbeat), seq: (good?.hb.seq ?? 0) + 100 };
  const commit = new Uint8Array(32);
  const forged = encodeBeat(
    encodeHeartbeatHead(hb, { periodMs: P, length: 12, commit }, intruder),
    0,
    commit,
  );
  assert.throws(() => verifyHeartbeat(forged, lookup, heads), refused('bad-signature'));
});

test('a beat that would land far off its slot opens a new run instead of claiming the slot', () => {
  const runs = new HeartbeatRuns(12);
  let seq = 0;
  const first = (time: number) => () => ({
    node: NODE,
    seq: ++seq,
    time,
    height: 1,
    tipHash: '00'.repeat(32),
    ip: 'x',
  });
  runs.next(0, P, first(0), operator);
  const late = runs.next(P + P / 2, P, first(P + P / 2), operator); // stalled for half a period
  assert.equal(late.hb.time, P + P / 2);
  assert.equal(decodeHeartbeat(late.bytes).index, 0);
  assert.equal(runs.nextIn(P + P / 2, P), P);
});
