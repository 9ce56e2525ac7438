import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import {
  encodeSpecAnnouncement,
  signSpec,
  type VerifiedSpec,
} from '../../../src/cloud/messages/spec-announcement.ts';
import type { StoredSpec } from '../../../src/cloud/registry/spec-store.ts';
import { SpecSync, type SpecSyncNet, WRONG_SPEC_PENALTY } from '../../../src/cloud/registry/spec-sync.ts';
import { canonicalJson, specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import type { AppSpec } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { addressForPublicKey } from '../../../src/consensus/keys/address.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';
import { at } from '../../support/at.ts';

const ownerKey = sha256(new TextEncoder().encode('spec sync test owner'));
const owner = addressForPublicKey(publicKeyOf(ownerKey), devnet.base58);

function app(name: string): { spec: AppSpec; stored: StoredSpec; hash: string } {
  const spec = validateAppSpec(
    {
      version: 1,
      name,
      description: 'a page',
      owner,
      components: [
        {
          name: 'web',
          description: '',
          repotag: '127.0.0.1:5000/flux/hello:1',
          ports: [31000],
          containerPorts: [80],
          environmentParameters: [],
          commands: [],
          containerData: '/data',
          cpu: 0.2,
          ram: 100,
          hdd: 1,
        },
      ],
      instances: 3,
      expire: 100,
      geolocation: [],
    },
    DEVNET_APP_LIMITS,
  );
  const hash = specHash(spec);
  const signature = base64.encode(signSpec(spec, ownerKey));
  return { spec, hash, stored: { specHash: hash, spec: canonicalJson(spec), signature, received: 0 } };
}

/** Two nodes' worth of spec sync over a direct in-memory link; `serve` may replace the honest server. */
function pair(opts: { held: StoredSpec[]; paid: string[]; serve?: (req: Uint8Array) => Uint8Array[] }) {
  const served = new Map(opts.held.map((s) => [s.specHash, s]));
  const requests: Uint8Array[] = [];
  const penalties: { peer: string; points: number; reason: string }[] = [];
  const kept: VerifiedSpec[] = [];
  let serverHandler: ((req: Uint8Array, from: string) => Uint8Array[]) | undefined;
  const server = new SpecSync({
    net: { handle: (_n, h) => (serverHandler = h), request: async () => [], penalize() {}, peers: () => [] },
    get: (h) => served.get(h),
    paidHashes: () => [],
    keep() {},
    limits: DEVNET_APP_LIMITS,
  });
  server.install();
  const net: SpecSyncNet = {
    handle() {},
    async request(_peer, _name, req) {
      requests.push(req);
      return opts.serve ? opts.serve(req) : serverHandler!(req, 'client');
    },
    penalize: (peer, points, reason) => penalties.push({ peer, points, reason }),
    peers: () => [{ id: 'server' }],
  };
  const have = new Map<string, StoredSpec>();
  let now = 1_000_000;
  const client = new SpecSync({
    net,
    get: (h) => have.get(h),
    paidHashes: () => opts.paid,
    keep: (v) => {
      kept.push(v);
      have.set(v.specHash, { specHash: v.specHash, spec: v.text, signature: v.signature, received: 0 });
    },
    limits: DEVNET_APP_LIMITS,
    now: () => now,
  });
  return { client, requests, penalties, kept, advance: (ms: number) => (now += ms) };
}

describe('spec sync', () => {
  it('asks peers for exactly the paid hashes it lacks and keeps the verified specs', async () => {
    const a = app('alpha');
    const b = app('beta');
    const s = pair({ held: [a.stored, b.stored], paid: [a.hash, b.hash, a.hash] });
    assert.deepEqual(s.client.missing().sort(), [a.hash, b.hash].sort());
    assert.equal(await s.client.syncOnce(), 2);
    assert.equal(s.requests.length, 1);
    assert.equal(at(s.requests, 0).length, 64, 'two 32-byte hashes asked for, once each');
    assert.deepEqual(s.kept.map((v) => v.spec.name).sort(), ['alpha', 'beta']);
    assert.deepEqual(s.client.missing(), [], 'nothing is asked for again once held');
    assert.equal(await s.client.syncOnce(), 0);
    assert.equal(s.requests.length, 1);
    assert.deepEqual(s.penalties, []);
  });

  it('penalizes a peer that serves a valid spec whose hash was not asked for, and keeps nothing of it', async () => {
    const asked = app('alpha');
    const other = app('other');
    const s = pair({
      held: [],
      paid: [asked.hash],
      serve: () => [encodeSpecAnnouncement(other.spec, signSpec(other.spec, ownerKey))],
    });
    assert.equal(await s.client.syncOnce(), 0);
    assert.deepEqual(s.kept, []);
    assert.equal(s.penalties.length, 1);
    assert.equal(at(s.penalties, 0).points, WRONG_SPEC_PENALTY);
    assert.match(at(s.penalties, 0).reason, /not asked for/);
  });

  it('penalizes a peer that serves altered bytes (the signature no longer matches the spec)', async () => {
    const asked = app('alpha');
    const tampered = { ...asked.spec, instances: 5 };
    const s = pair({
      held: [],
      paid: [asked.hash],
      serve: () => [encodeSpecAnnouncement(tampered, signSpec(asked.spec, ownerKey))],
    });
    assert.equal(await s.client.syncOnce(), 0);
    assert.deepEqual(s.kept, []);
    assert.equal(s.penalties.length, 1);
    assert.match(at(s.penalties, 0).reason, /invalid spec served/);
  });

  it('runs one more round after a round that was poked while running (the new tip may pay a new spec)', async () => {
    const a = app('alpha');
    const b = app('beta');
    const paid = [a.hash];
    const gates: (() => void)[] = [];
    const asked: number[] = [];
    const client = new SpecSync({
      net: {
        handle() {},
        request: async (_p, _n, req) => {
          asked.push(req.length / 32);
          await new Promise<void>((resolve) => gates.push(resolve));
          return [];
        },
        penalize() {},
        peers: () => [{ id: 'server' }],
      },
      get: () => undefined,
      paidHashes: () => paid,
      keep() {},
      limits: DEVNET_APP_LIMITS,
    });
    client.poke();
    await new Promise((r) => setImmediate(r));
    paid.push(b.hash);
    client.poke();
    client.poke();
    gates.shift()?.();
    for (let i = 0; i < 20 && asked.length < 2; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      asked,
      [1, 1],
      'the second round asks for the newly paid spec only (the first backs off)',
    );
    gates.shift()?.();
  });

  it('asks again for a hash nobody has, less and less often', async () => {
    const ghost = app('ghost');
    const s = pair({ held: [], paid: [ghost.hash] });
    const asks: number[] = [];
    for (let t = 0; t < 16_000; t += 500) {
      const before = s.requests.length;
      await s.client.syncOnce();
      if (s.requests.length > before) asks.push(t);
      s.advance(500);
    }
    assert.deepEqual(asks, [0, 1000, 3000, 7000, 15000]);
    assert.deepEqual(s.penalties, [], 'not having a spec is no offence');
  });
});
