import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { base64 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  decodeBenchmarkResult,
  encodeBenchmarkResult,
  verifyBenchmarkResult,
} from '../../../src/cloud/messages/benchmark-result.ts';
import { peekKind } from '../../../src/cloud/messages/envelope.ts';
import {
  MessageDecodeError,
  MessageFieldError,
  MessageVerifyError,
} from '../../../src/cloud/messages/errors.ts';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  type Heartbeat,
  verifyHeartbeat,
} from '../../../src/cloud/messages/heartbeat.ts';
import {
  ownerRequestText,
  parseOwnerRequest,
  signOwnerRequest,
  verifyOwnerRequest,
} from '../../../src/cloud/messages/owner-request.ts';
import {
  decodeRunningReport,
  encodeRunningReport,
  type RunningReport,
  verifyRunningReport,
} from '../../../src/cloud/messages/running-report.ts';
import {
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  signSpec,
  verifySpecAnnouncement,
} from '../../../src/cloud/messages/spec-announcement.ts';
import { canonicalJson, specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import type { AppSpec } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { addressForPublicKey } from '../../../src/consensus/keys/address.ts';
import { publicKeyOf, signMessageBase64, verifyMessage } from '../../../src/consensus/keys/keys.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';
import { at } from '../../support/at.ts';

// Fixed keys (any scalar below the curve order is a key) so failures reproduce.
const key = (n: number) => sha256(new TextEncoder().encode(`messages test key ${n}`));
const operator = key(1);
const intruder = key(2);
const NODE = `${'ab'.repeat(32)}:1`;
const lookup = (node: string) => (node === NODE ? toHex(publicKeyOf(operator)) : undefined);

const heartbeat: Heartbeat = {
  node: NODE,
  seq: 1_700_000_000_123,
  time: 1_700_000_000_456,
  height: 12_345,
  tipHash: '00'.repeat(31) + 'ff',
  ip: '127.0.0.11:16125',
};

const report: RunningReport = {
  node: NODE,
  seq: 42,
  time: 1_700_000_001_000,
  apps: [
    { name: 'hello', specHash: '11'.repeat(32), component: 'web', state: 'running', ports: [31000, 31001] },
    { name: 'db', specHash: '22'.repeat(32), component: 'store', state: 'exited', ports: [] },
  ],
};

const bench = {
  node: NODE,
  time: 1_700_000_002_000,
  cores: 4,
  ramMB: 7_900,
  diskGB: 230,
  eps: 812,
  diskWriteMBps: 350,
};

/** Every single-bit change inside the signed part must make verification fail, never pass. */
function assertTamperProof(bytes: Uint8Array, verify: (b: Uint8Array) => unknown, signedLength: number) {
  for (let i = 0; i < signedLength; i++) {
    const bad = Uint8Array.from(bytes);
    bad[i]! ^= 0x01;
    assert.throws(
      () => verify(bad),
      (e: unknown) => e instanceof MessageDecodeError || e instanceof MessageVerifyError,
      `flipping byte ${i} was not noticed`,
    );
  }
}

describe('heartbeat', () => {
  test('has the documented layout', () => {
    const bytes = encodeHeartbeat(heartbeat, operator);
    const enc = new TextEncoder();
    const u64 = (v: number) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(v));
      return b;
    };
    const u32 = Buffer.alloc(4);
    u32.writeUInt32LE(heartbeat.height);
    const expected = Buffer.concat([
      enc.encode('FXCM'),
      Buffer.from([1, 1, NODE.length]),
      enc.encode(NODE),
      u64(heartbeat.seq),
      u64(heartbeat.time),
      u32,
      Buffer.from(heartbeat.tipHash, 'hex'),
      Buffer.from([heartbeat.ip.length]),
      enc.encode(heartbeat.ip),
      Buffer.alloc(4 + 2 + 32), // a lone heartbeat: period 0, run length 0, commit 0…0
      Buffer.from([65]),
    ]);
    assert.equal(toHex(bytes.subarray(0, expected.length)), toHex(expected));
    // Then the signature, and the tail: index 0 and the reveal (the commit itself).
    assert.equal(bytes.length, expected.length + 65 + 2 + 32);
    assert.equal(toHex(bytes.subarray(expected.length + 65)), '00'.repeat(34));
    // The signature is an ordinary Flux message signature over the bytes before it.
    assert.ok(
      verifyMessage(
        bytes.subarray(0, expected.length - 1),
        bytes.subarray(expected.length, expected.length + 65),
        publicKeyOf(operator),
      ),
    );
    assert.equal(peekKind(bytes), 'heartbeat');
  });

  test('round trips and verifies against the registered operator key', () => {
    const bytes = encodeHeartbeat(heartbeat, operator);
    assert.deepEqual(decodeHeartbeat(bytes).body, heartbeat);
    assert.deepEqual(verifyHeartbeat(bytes, lookup), heartbeat);
  });

  test('any changed byte, a wrong signer or an unknown node fails', () => {
    const bytes = encodeHeartbeat(heartbeat, operator);
    // Every byte: the head's, its signature's and the tail's (index and reveal).
    assertTamperProof(bytes, (b) => verifyHeartbeat(b, lookup), bytes.length);
    assert.throws(
      () => verifyHeartbeat(encodeHeartbeat(heartbeat, intruder), lookup),
      (e: unknown) => e instanceof MessageVerifyError && e.rule === 'bad-signature',
    );
    assert.throws(
      () =>
        verifyHeartbeat(encodeHeartbeat({ ...heartbeat, node: 'cd'.repeat(32) + ':0' }, operator), lookup),
      (e: unknown) => e instanceof MessageVerifyError && e.rule === 'unknown-node' && e.field === 'node',
    );
    // A signature lifted from one heartbeat onto another (higher seq) does not carry over.
    const later = encodeHeartbeat({ ...heartbeat, seq: heartbeat.seq + 1 }, intruder);
    const spliced = Uint8Array.from([
      ...later.subarray(0, later.length - 65),
      ...bytes.subarray(bytes.length - 65),
    ]);
    assert.throws(() => verifyHeartbeat(spliced, lookup), MessageVerifyError);
  });

  test('garbage is refused with a typed error naming the field', () => {
    const bytes = encodeHeartbeat(heartbeat, operator);
    const fails = (b: Uint8Array, field: string) =>
      assert.throws(
        () => decodeHeartbeat(b),
        (e: unknown) => e instanceof MessageDecodeError && e.kind === 'heartbeat' && e.field === field,
        `expected a decode error on ${field}`,
      );
    fails(new Uint8Array(0), 'magic');
    fails(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 'magic');
    fails(Uint8Array.from([...bytes.subarray(0, 6 + 1 + NODE.length + 4), ...new Uint8Array(34)]), 'seq');
    fails(bytes.subarray(0, 20), 'node');
    fails(Uint8Array.from([...bytes, 0]), 'message');
    fails(encodeRunningReport(report, operator), 'kind');
    const v2 = Uint8Array.from(bytes);
    v2[5] = 2;
    fails(v2, 'version');
    const spaced = Uint8Array.from(bytes);
    spaced[7] = 0x20; // a space inside the node id
    fails(spaced, 'node');
    const head = bytes.subarray(0, bytes.length - 34);
    const shortSig = Uint8Array.from([
      ...head.subarray(0, head.length - 66),
      64,
      ...head.subarray(head.length - 64),
      ...bytes.subarray(bytes.length - 34),
    ]);
    fails(shortSig, 'signature');
  });

  test('values the format cannot carry are refused before signing', () => {
    const bad = (over: Partial<Heartbeat>, field: string) =>
      assert.throws(
        () => encodeHeartbeat({ ...heartbeat, ...over }, operator),
        (e: unknown) => e instanceof MessageFieldError && e.field === field,
      );
    bad({ tipHash: 'xyz' }, 'tipHash');
    bad({ seq: -1 }, 'seq');
    bad({ seq: 2 ** 53 }, 'seq');
    bad({ height: 2 ** 32 }, 'height');
    bad({ node: '' }, 'node');
    bad({ ip: 'a b' }, 'ip');
  });
});

describe('running report', () => {
  test('round trips and verifies; tampering and wrong signers fail', () => {
    const bytes = encodeRunningReport(report, operator);
    assert.deepEqual(decodeRunningReport(bytes).body, report);
    assert.deepEqual(verifyRunningReport(bytes, lookup), report);
    assertTamperProof(bytes, (b) => verifyRunningReport(b, lookup), bytes.length - 66);
    assert.throws(
      () => verifyRunningReport(encodeRunningReport(report, intruder), lookup),
      (e: unknown) => e instanceof MessageVerifyError && e.rule === 'bad-signature',
    );
  });

  test('carries a component whose hdd is not enforced, and refuses flag bits it does not know', () => {
    const plain = { ...report, apps: [{ ...at(report.apps, 0), hddUnenforced: true }] };
    const bytes = encodeRunningReport(plain, operator);
    assert.deepEqual(verifyRunningReport(bytes, lookup), plain);
    // The entry's flags byte comes right before the has-sync byte and the signature (66 bytes).
    const flags = bytes.length - 66 - 2;
    assert.equal(bytes[flags], 1);
    const bad = Uint8Array.from(bytes);
    bad[flags] = 3;
    assert.throws(
      () => decodeRunningReport(bad),
      (e: unknown) => e instanceof MessageDecodeError && e.field === 'apps[0].flags',
    );
  });

  test('carries a standby entry, bytes behind and the node’s Syncthing endpoint', () => {
    const withSync: RunningReport = {
      ...report,
      apps: [
        {
          name: 'db',
          specHash: '22'.repeat(32),
          component: 'store',
          state: 'standby',
          ports: [],
          needBytes: 4096,
        },
      ],
      sync: { device: `${'ABCDEFG-'.repeat(7)}ABCDEFG`, address: 'tcp://127.0.0.11:16129' },
    };
    const bytes = encodeRunningReport(withSync, operator);
    assert.deepEqual(verifyRunningReport(bytes, lookup), withSync);
    assert.throws(
      () => encodeRunningReport({ ...withSync, sync: { device: '', address: 'tcp://x:1' } }, operator),
      (e: unknown) => e instanceof MessageFieldError && e.field === 'sync.device',
    );
  });

  test('an unknown state number or an oversized list is a decode error', () => {
    const bytes = encodeRunningReport({ ...report, apps: [at(report.apps, 0)] }, operator);
    // Layout: header 6, node 1+67, seq 8, time 8, count 1, name 1+5, hash 32, component 1+3 → state.
    const state = 6 + 1 + NODE.length + 8 + 8 + 1 + 1 + 5 + 32 + 1 + 3;
    assert.equal(bytes[state], 1, 'state byte of "running"');
    const bad = Uint8Array.from(bytes);
    bad[state] = 9;
    assert.throws(
      () => decodeRunningReport(bad),
      (e: unknown) => e instanceof MessageDecodeError && e.field === 'apps[0].state',
    );
    const many = { ...report, apps: Array.from({ length: 1001 }, () => at(report.apps, 1)) };
    assert.throws(() => encodeRunningReport(many, operator), MessageFieldError);
    assert.throws(
      () => encodeRunningReport({ ...report, apps: [{ ...at(report.apps, 0), ports: [70000] }] }, operator),
      (e: unknown) => e instanceof MessageFieldError && e.field === 'apps[0].ports[0]',
    );
  });
});

describe('benchmark result', () => {
  test('round trips and verifies; a changed figure or signer fails', () => {
    const bytes = encodeBenchmarkResult(bench, operator);
    assert.deepEqual(decodeBenchmarkResult(bytes).body, bench);
    assert.deepEqual(verifyBenchmarkResult(bytes, lookup), bench);
    assertTamperProof(bytes, (b) => verifyBenchmarkResult(b, lookup), bytes.length - 66);
    assert.throws(
      () => verifyBenchmarkResult(encodeBenchmarkResult(bench, intruder), lookup),
      (e: unknown) => e instanceof MessageVerifyError && e.rule === 'bad-signature',
    );
    assert.throws(() => encodeBenchmarkResult({ ...bench, eps: 812.5 }, operator), MessageFieldError);
  });

  test('carries the node’s declared location signed, and refuses a malformed one', () => {
    const located = { ...bench, location: 'EU_DE_Hesse' };
    const bytes = encodeBenchmarkResult(located, operator);
    assert.deepEqual(verifyBenchmarkResult(bytes, lookup), located);
    assert.equal(verifyBenchmarkResult(encodeBenchmarkResult(bench, operator), lookup).location, undefined);
    assert.throws(
      () => encodeBenchmarkResult({ ...bench, location: 'Europe' }, operator),
      (e: unknown) => e instanceof MessageFieldError && e.field === 'location',
    );
    assertTamperProof(bytes, (b) => verifyBenchmarkResult(b, lookup), bytes.length - 66);
  });
});

describe('spec announcement', () => {
  const ownerKey = key(3);
  const owner = addressForPublicKey(publicKeyOf(ownerKey), devnet.base58);
  const spec: AppSpec = validateAppSpec(
    {
      version: 1,
      name: 'hello',
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

  test('the owner signs the spec hash as any wallet signmessage would, and it verifies', () => {
    const sig = signSpec(spec, ownerKey);
    // The same signature a wallet makes with signmessage over the hash's hex text.
    assert.equal(base64.encode(sig), signMessageBase64(specHash(spec), ownerKey));
    const decoded = decodeSpecAnnouncement(encodeSpecAnnouncement(spec, sig));
    assert.equal(decoded.spec, canonicalJson(spec));
    const v = verifySpecAnnouncement(decoded, DEVNET_APP_LIMITS);
    assert.deepEqual(v.spec, spec);
    assert.equal(v.specHash, specHash(spec));
    assert.equal(v.signature, base64.encode(sig));
  });

  test('a signature by someone else, a changed spec, or a non-canonical text fails', () => {
    const verify = (text: string, sig: Uint8Array) =>
      verifySpecAnnouncement({ spec: text, ownerSignature: sig }, DEVNET_APP_LIMITS);
    const rule = (r: string) => (e: unknown) => e instanceof MessageVerifyError && e.rule === r;
    const sig = signSpec(spec, ownerKey);
    assert.throws(() => verify(canonicalJson(spec), signSpec(spec, key(4))), rule('bad-signature'));
    const more = { ...spec, instances: 4 };
    assert.throws(() => verify(canonicalJson(more), sig), rule('bad-signature'));
    assert.throws(() => verify(JSON.stringify(spec, null, 1), sig), rule('not-canonical'));
    assert.throws(() => verify(canonicalJson({ ...spec, instances: 1 }), sig), rule('invalid-spec'));
    assert.throws(() => verify('{"name":', sig), rule('invalid-spec'));
  });

  test('garbage is a decode error', () => {
    const bytes = encodeSpecAnnouncement(spec, signSpec(spec, ownerKey));
    assert.throws(() => decodeSpecAnnouncement(bytes.subarray(0, 50)), MessageDecodeError);
    assert.throws(
      () => decodeSpecAnnouncement(encodeHeartbeat(heartbeat, operator)),
      (e: unknown) => e instanceof MessageDecodeError && e.field === 'kind',
    );
    const bad = Uint8Array.from(bytes);
    bad[bytes.length - 66] = 64;
    assert.throws(() => decodeSpecAnnouncement(bad), MessageDecodeError);
  });
});

describe('owner request', () => {
  const ownerKey = key(5);
  const owner = addressForPublicKey(publicKeyOf(ownerKey), devnet.base58);
  const now = 1_700_000_000_000;
  const OTHER = `${'cd'.repeat(32)}:0`;
  const fields = {
    op: 'restart' as const,
    app: 'hello',
    nodes: [OTHER, NODE],
    nonce: '0123456789abcdef',
    issuedAt: now - 1000,
  };
  const check = { owner, node: NODE, now, windowMs: 60_000 };
  const rule = (r: string) => (e: unknown) => e instanceof MessageVerifyError && e.rule === r;

  test('a request signed by the owner naming this node, recently, verifies; its text is what signmessage signs', () => {
    const req = signOwnerRequest(fields, ownerKey);
    assert.deepEqual(req.nodes, [NODE, OTHER].sort(), 'nodes are signed sorted');
    assert.equal(
      ownerRequestText(req),
      `fluxnode owner request\nop: restart\napp: hello\nnodes: ${req.nodes.join(',')}\nnonce: 0123456789abcdef\nissued: ${now - 1000}\nargs: `,
    );
    assert.equal(req.signature, signMessageBase64(ownerRequestText(req), ownerKey));
    verifyOwnerRequest(req, check);
    verifyOwnerRequest(req, { ...check, node: OTHER });
    verifyOwnerRequest(parseOwnerRequest(JSON.parse(JSON.stringify(req))), check);
  });

  test('the op arguments are signed: a soft redeploy cannot be turned into a hard one, nor a log tail changed', () => {
    const soft = signOwnerRequest({ ...fields, op: 'redeploy' }, ownerKey);
    assert.match(ownerRequestText(soft), /args: soft$/);
    assert.throws(() => verifyOwnerRequest({ ...soft, hard: true }, check), rule('bad-signature'));
    const logs = signOwnerRequest({ ...fields, op: 'logs', tail: 5, since: now - 60_000 }, ownerKey);
    assert.match(ownerRequestText(logs), new RegExp(`args: tail=5 since=${now - 60_000}$`));
    assert.throws(() => verifyOwnerRequest({ ...logs, tail: 1000 }, check), rule('bad-signature'));
  });

  test('changed fields, other signers, unnamed nodes and stale requests fail, each with its rule', () => {
    const req = signOwnerRequest(fields, ownerKey);
    assert.throws(() => verifyOwnerRequest({ ...req, app: 'other' }, check), rule('bad-signature'));
    assert.throws(() => verifyOwnerRequest({ ...req, op: 'stop' }, check), rule('bad-signature'));
    assert.throws(
      () => verifyOwnerRequest({ ...req, nonce: 'ffffffffffffffff' }, check),
      rule('bad-signature'),
    );
    assert.throws(() => verifyOwnerRequest({ ...req, issuedAt: now }, check), rule('bad-signature'));
    assert.throws(() => verifyOwnerRequest(signOwnerRequest(fields, key(6)), check), rule('bad-signature'));
    assert.throws(() => verifyOwnerRequest({ ...req, signature: '!!' }, check), rule('bad-signature'));
    // Adding a node to a captured request breaks its signature; a node it does not name refuses it.
    assert.throws(
      () => verifyOwnerRequest({ ...req, nodes: [...req.nodes, `${'ef'.repeat(32)}:0`] }, check),
      rule('bad-signature'),
    );
    assert.throws(
      () => verifyOwnerRequest(req, { ...check, node: `${'ef'.repeat(32)}:0` }),
      rule('wrong-node'),
    );
    assert.throws(() => verifyOwnerRequest(req, { ...check, now: now + 120_000 }), rule('stale-request'));
    assert.throws(() => verifyOwnerRequest(req, { ...check, now: now - 120_000 }), rule('stale-request'));
  });

  test('malformed requests are refused naming the field', () => {
    const field = (f: string) => (e: unknown) => e instanceof MessageFieldError && e.field === f;
    const req = signOwnerRequest(fields, ownerKey);
    assert.throws(() => parseOwnerRequest(null), field('request'));
    assert.throws(() => parseOwnerRequest({ ...req, op: 'delete' }), field('op'));
    assert.throws(() => parseOwnerRequest({ ...req, issuedAt: '1' }), field('issuedAt'));
    assert.throws(() => parseOwnerRequest({ ...req, app: 'a b' }), field('app'));
    assert.throws(() => parseOwnerRequest({ ...req, signature: 5 }), field('signature'));
    assert.throws(() => parseOwnerRequest({ ...req, nodes: [] }), field('nodes'));
    assert.throws(() => parseOwnerRequest({ ...req, nodes: 'x' }), field('nodes'));
    assert.throws(() => parseOwnerRequest({ ...req, nonce: 'short' }), field('nonce'));
    assert.throws(() => parseOwnerRequest({ ...req, tail: 0 }), field('tail'));
    assert.throws(() => parseOwnerRequest({ ...req, hard: 'yes' }), field('hard'));
  });
});
