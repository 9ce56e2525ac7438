/**
 * Signed cloud gossip at network scale: every node checks every other node's heartbeats, so the
 * verification rate bounds how short the heartbeat period can be. At about 12,270 fluxnodes (2022)
 * a 2 s period means ~6,100 heartbeat verifications per second on every node; a 30 s period ~410.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ScriptVerifierPool } from '../src/chain/script-pool.ts';
import { encodeHeartbeat, verifyHeartbeat } from '../src/cloud/messages/heartbeat.ts';
import { verifyHeartbeats } from '../src/cloud/messages/heartbeat-batch.ts';
import { toHex } from '../src/consensus/bytes.ts';
import { publicKeyOf } from '../src/consensus/keys/keys.ts';
import type { Benchmark } from './harness.ts';
import { installEcdsaBackend } from '../src/chain/ecdsa-native.ts';
import { at } from '../test/support/at.ts';

// Signatures on the backend a node uses (native libsecp256k1 where it loads), as the node does.
installEcdsaBackend();

const COUNT = 200;
const keys = Array.from({ length: COUNT }, (_, i) => sha256(new TextEncoder().encode(`bench node ${i}`)));
const ids = keys.map((_, i) => `${toHex(sha256(Uint8Array.of(i)))}:0`);
const pubs = new Map(ids.map((id, i) => [id, toHex(publicKeyOf(at(keys, i)))]));
const heartbeat = (i: number, round = 0) => ({
  node: at(ids, i),
  seq: 1_700_000_000_000 + i + round * COUNT,
  time: 1_700_000_000_000 + i,
  height: 1_000_000,
  tipHash: 'ab'.repeat(32),
  ip: `10.0.${i >> 8}.${i & 255}:16125`,
});
let encoded: Uint8Array[] = [];
/** Gossip rounds of COUNT heartbeats each, handed to the pool one after the other without waiting. */
const ROUNDS = 8;
let rounds: Uint8Array[][] = [];
let pool: ScriptVerifierPool | undefined;

export const benchmarks: Benchmark[] = [
  {
    name: 'cloud heartbeat: sign + encode',
    unit: 'heartbeats/s',
    run: () => {
      for (let i = 0; i < COUNT; i++) encodeHeartbeat(heartbeat(i), at(keys, i));
      return COUNT;
    },
  },
  {
    name: 'cloud heartbeat: decode + verify against the registry key',
    unit: 'heartbeats/s',
    target: '> 6,100/s (12,270 nodes every 2 s)',
    setup: () => {
      encoded = ids.map((_, i) => encodeHeartbeat(heartbeat(i), at(keys, i)));
    },
    run: () => {
      for (const b of encoded) verifyHeartbeat(b, (node) => pubs.get(node));
      return encoded.length;
    },
  },
  {
    name: `cloud heartbeat: decode + verify, rounds of ${COUNT} through the verifier pool (2 threads)`,
    unit: 'heartbeats/s',
    target: 'issue 14: ≥ 20,000/s (2 cores)',
    setup: async () => {
      rounds = Array.from({ length: ROUNDS }, (_, r) =>
        ids.map((_, i) => encodeHeartbeat(heartbeat(i, r), at(keys, i))),
      );
      pool = new ScriptVerifierPool({ threads: 2 });
      // Started and warm, as in a running node: the first round is not the measured one.
      await verifyHeartbeats(at(rounds, 0), (node) => pubs.get(node), pool);
    },
    run: async () => {
      const verdicts = await Promise.all(
        rounds.map((round) => verifyHeartbeats(round, (node) => pubs.get(node), pool!)),
      );
      const good = verdicts.flat().filter((v) => !(v instanceof Error)).length;
      if (good !== ROUNDS * COUNT) throw new Error(`${ROUNDS * COUNT - good} heartbeats refused`);
      return good;
    },
    teardown: () => pool?.close(),
  },
];
