/**
 * Issue 4 on real nodes: three honest devnet nodes on 127.0.0.71–73 (one mining) and hostile libp2p
 * peers that flood garbage, gossip invalid blocks, send oversized and malformed frames, and flood
 * requests. Each hostile peer ends up banned, the honest nodes keep mining and agreeing, nothing
 * crashes, and the heap stays bounded while more than ten thousand hostile messages arrive.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FluxNode } from '../../../src/node/node.ts';
import { ByteWriter, reverseHex } from '../../../src/consensus/bytes.ts';
import { encodeAddress } from '../../../src/consensus/keys/address.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { blockHash, encodeBlock } from '../../../src/consensus/primitives/block.ts';
import { encodeHeader } from '../../../src/consensus/primitives/header.ts';
import { encodeTransaction } from '../../../src/consensus/primitives/transaction.ts';
import { COIN } from '../../../src/consensus/primitives/types.ts';
import { buildBlockTemplate, type BlockTemplate } from '../../../src/mining/template.ts';
import { badPowBlock, mineForged, overpayingCoinbase, phantomSpend, unconnectedBlock } from './forge.ts';
import { HostilePeer, lengthPrefixed, replyFrames, varint } from './hostile-peer.ts';
import { at } from '../../support/at.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
const MB = 1024 * 1024;

const params = paramsFor('devnet');
const minerAddress = encodeAddress('p2pkh', new Uint8Array(20).fill(7), params.base58);
const root = mkdtempSync(join(tmpdir(), 'fluxnode-abuse-'));
const honest: FluxNode[] = [];
const hostiles: HostilePeer[] = [];
let a: FluxNode;
let b: FluxNode;
let baselineHeap = 0;

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${state()})`);
    await sleep(25);
  }
}

function state(): string {
  const nodes = honest.map((n) => `${n.opts.host} h=${n.chain.height()} peers=${n.p2p.peers().length}`);
  const scores = hostiles.map((h) =>
    honest
      .map(
        (n) =>
          `${n.opts.host}: ${n.p2p.scores.score(h.peerId).toFixed(0)} ${n.p2p.scores.reasons(h.peerId).join(' | ')}`,
      )
      .join('; '),
  );
  return `${nodes.join('; ')}\n${scores.map((x, i) => `hostile ${i}: ${x}`).join('\n')}`;
}

async function startHonest(i: number, bootstrap: string[], mine = false): Promise<FluxNode> {
  const node = await FluxNode.start({
    network: 'devnet',
    dataDir: join(root, `node${i}`),
    host: `127.0.0.${70 + i}`,
    p2pPort: 0,
    apiPort: 0,
    bootstrap,
    rpcUser: 't',
    rpcPassword: 't',
    logLevel: 'silent',
    ...(mine ? { mineIntervalMs: 150 } : {}),
  });
  honest.push(node);
  return node;
}

/** A fresh hostile identity connected to `targets`, subscribed to the block and tx topics. */
async function hostile(i: number, targets: FluxNode[]): Promise<HostilePeer> {
  const h = await HostilePeer.start('devnet', `127.0.0.${80 + i}`);
  hostiles.push(h);
  for (const t of targets) await h.dial(at(t.p2p.multiaddrs, 0));
  h.join('blocks');
  h.join('txs');
  await until('the hostile peer to see the honest topics', () =>
    targets.every(
      (t) => h.subscribers('blocks').includes(t.p2p.peerId) && h.subscribers('txs').includes(t.p2p.peerId),
    ),
  );
  return h;
}

const tips = () => new Set(honest.map((n) => n.chain.tip().id));

/** The honest nodes mine at least `blocks` more and all end on the same tip. */
async function keepsMiningAndAgreeing(blocks: number): Promise<void> {
  const target = Math.max(...honest.map((n) => n.chain.height())) + blocks;
  await until(
    `${blocks} more blocks everywhere`,
    () => honest.every((n) => n.chain.height() >= target),
    30_000,
  );
  await until('one tip', () => tips().size === 1 && honest.every((n) => n.chain.height() >= target), 15_000);
}

function template(node: FluxNode): BlockTemplate {
  return buildBlockTemplate({
    chain: node.chain,
    params,
    minerScript: Uint8Array.of(0x51),
    time: Math.floor(Date.now() / 1000),
  });
}

const banned = (n: FluxNode, h: HostilePeer) => n.p2p.scores.isBanned(h.peerId);
/** Hostile index for a replacement identity when one gets banned part-way (127.0.0.110 on). */
let nextFresh = 30;
const cutOff = (n: FluxNode, h: HostilePeer) => !n.p2p.peers().some((p) => p.id === h.peerId);

before(async () => {
  a = await startHonest(1, [], true);
  b = await startHonest(2, [at(a.p2p.multiaddrs, 0)]);
  await startHonest(3, [at(a.p2p.multiaddrs, 0), at(b.p2p.multiaddrs, 0)]);
  await until('a connected network', () => honest.every((n) => n.p2p.peers().length >= 2));
  a.startMiner(minerAddress);
  await keepsMiningAndAgreeing(5);
  baselineHeap = heapAfterGc();
});

after(async () => {
  for (const h of hostiles) await h.stop().catch(() => {});
  for (const n of honest) await n.stop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

test('garbage on the block and tx topics gets the sender banned and cut off', async () => {
  const h = await hostile(1, [a, b]);
  const rejectedBefore = a.p2p.counters.gossipRejected;
  for (let i = 0; i < 200; i++) {
    await h.publish(i % 2 ? 'txs' : 'blocks', randomBytes(64 + (i % 500)));
  }
  await until('both targets to ban the garbage sender', () => banned(a, h) && banned(b, h));
  await until('both targets to hang up on it', () => cutOff(a, h) && cutOff(b, h));
  assert.ok(a.p2p.counters.gossipRejected > rejectedBefore, 'the garbage was judged and rejected');
  assert.ok(a.p2p.scores.reasons(h.peerId).some((r) => /^invalid message on (blocks|txs): /.test(r)));
  // Banned means refused: a new connection is hung up on during its handshake.
  await h.dial(at(a.p2p.multiaddrs, 0)).catch(() => {});
  await sleep(1000);
  assert.ok(cutOff(a, h) && !h.connected(a.p2p.peerId), 'a banned peer cannot reconnect');
  await keepsMiningAndAgreeing(3);
});

test('more than 10,000 well-formed but useless messages cost no unbounded memory', async () => {
  const h = await hostile(2, [a]);
  const t = template(a);
  const seenBefore = a.p2p.counters.gossipIgnored + a.p2p.counters.gossipRejected;
  const heightBefore = Math.max(...honest.map((n) => n.chain.height()));
  let peak = 0;
  const N = 10_500;
  for (let i = 0; i < N; i++) {
    // Transactions spending outputs that do not exist, and blocks on parents nobody has.
    const msg = i % 3 === 0 ? encodeBlock(unconnectedBlock(t, i % 30)) : encodeTransaction(phantomSpend());
    await h.publish(i % 3 === 0 ? 'blocks' : 'txs', msg);
    // Back to the event loop now and then, as a peer in its own process would leave it: without
    // this the flood would run in one microtask chain and starve everything else in this process.
    if (i % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (i % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  await until(
    'the flood to be judged',
    () => a.p2p.counters.gossipIgnored + a.p2p.counters.gossipRejected - seenBefore >= 10_000,
    60_000,
  );
  assert.ok(
    honest.every((n) => n.chain.height() > heightBefore),
    `every honest node kept getting new blocks during the flood (from ${heightBefore}: ${state()}; miner ${JSON.stringify(a.miner?.stats())})`,
  );
  const judged = a.p2p.counters.gossipIgnored + a.p2p.counters.gossipRejected - seenBefore;
  assert.ok(judged >= 10_000, `${judged} hostile messages reached validation on one node`);
  assert.equal(a.mempool.size, 0, 'nothing pooled');
  const orphans = a.chain.orphanCount;
  assert.ok(orphans <= 100, `orphan pool holds ${orphans} blocks, at most maxOrphans`);
  const growth = heapAfterGc() - baselineHeap;
  process.stderr.write(
    `flood: ${judged} messages judged on one node while it mined ${a.chain.height() - heightBefore} blocks; heap peak ${((peak - baselineHeap) / MB).toFixed(1)} MB over baseline, ${(growth / MB).toFixed(1)} MB after GC\n`,
  );
  assert.ok(growth < 64 * MB, `heap grew ${(growth / MB).toFixed(1)} MB`);
  await keepsMiningAndAgreeing(3);
});

test('each invalid block is refused by every node and gets its sender banned', async () => {
  await a.miner!.stop();
  try {
    await until('one tip', () => tips().size === 1);
    const tip = a.chain.tip().id;
    const t = template(a);
    const forged = [
      { what: 'bad proof of work', block: badPowBlock(t), rule: undefined },
      { what: 'bad merkle root', block: mineForged(t, { merkleRoot: randomBytes(32) }), rule: undefined },
      {
        what: 'a coinbase paying the miner more than the split allows',
        block: mineForged(t, { txs: overpayingCoinbase(t, COIN) }),
        rule: 'bad-cb-amount',
      },
      {
        what: 'a time before the median time past',
        block: mineForged(t, { header: { time: t.minTime - 1 } }),
        rule: undefined,
      },
    ];
    for (const [i, { what, block, rule }] of forged.entries()) {
      const h = await hostile(10 + i, [a, b]);
      const before = [a, b].map((n) => n.p2p.counters.gossipRejected);
      await h.publish('blocks', encodeBlock(block));
      await until(`${what} to be refused`, () =>
        [a, b].every((n, j) => n.p2p.counters.gossipRejected > at(before, j)),
      );
      for (const n of [a, b]) {
        assert.equal(n.chain.tip().id, tip, `${what}: the tip did not move`);
        const e = n.chain.getEntry(blockHash(block));
        if (rule) assert.equal(e?.invalidRule, rule, `${what}: marked invalid`);
        else assert.ok(!e || e.status === 'header', `${what}: no body stored (${e?.status})`);
      }
      await until(`both targets to ban the sender of ${what}`, () => banned(a, h) && banned(b, h));
      await until('both targets to hang up on it', () => cutOff(a, h) && cutOff(b, h));
    }
  } finally {
    a.startMiner(minerAddress);
  }
  await keepsMiningAndAgreeing(3);
});

test('a peer that announces a heavier chain and then serves bad bodies is banned; mining goes on', async () => {
  await a.miner!.stop();
  try {
    await until('one tip', () => tips().size === 1);
    const h = await hostile(4, [a]);
    const withheld = mineForged(template(a));
    await h.serveRaw('headers', () => replyFrames(0, [encodeHeader(withheld.header)]));
    let body: Uint8Array = randomBytes(300);
    await h.serveRaw('blocks', () => replyFrames(0, [body]));

    a.sync.requestSync(h.peerId);
    await until('the undecodable body to cost points', () => a.p2p.scores.score(h.peerId) >= 45);
    assert.equal(
      a.chain.bestHeader().id,
      reverseHex(blockHash(withheld)),
      'the valid header itself was taken',
    );
    assert.ok(a.p2p.scores.reasons(h.peerId).some((r) => r.startsWith('undecodable block')));

    body = encodeBlock(unconnectedBlock(template(a)));
    a.sync.requestSync(h.peerId);
    await until('the unrequested body to cost points', () =>
      a.p2p.scores.reasons(h.peerId).some((r) => r.includes('it was not asked for')),
    );
    // Points decay (10 a minute), so two offences may fall just short: a third settles it.
    if (!banned(a, h)) a.sync.requestSync(h.peerId);
    await until('the bad bodies to get it banned', () => banned(a, h));
    await until('a to hang up on it', () => cutOff(a, h));
  } finally {
    a.startMiner(minerAddress);
  }
  await keepsMiningAndAgreeing(3);
});

test('malformed replies to our requests cost the replier points until it is banned', async () => {
  const h = await hostile(5, [a]);
  let reply: Uint8Array[] = [];
  await h.serveRaw('headers', () => reply);
  const cases: [string, Uint8Array[]][] = [
    ['a 3-byte status', [lengthPrefixed(Uint8Array.of(0, 1, 0))]],
    ['50,000 items announced', replyFrames(0, [], 50_000)],
    ['an item whose length prefix says 100 MB', [...replyFrames(0, [], 1), varint(100_000_000)]],
    ['an undecodable header', replyFrames(0, [randomBytes(10)])],
  ];
  const judged = async (s: HostilePeer, [what, frames]: (typeof cases)[number]) => {
    const before = a.p2p.scores.score(s.peerId);
    reply = frames;
    a.sync.requestSync(s.peerId);
    await until(`${what} to cost points`, () => a.p2p.scores.score(s.peerId) > before || banned(a, s), 5000);
  };
  // Every case is judged: once the replier is banned, a fresh one serves the cases left.
  let server = h;
  for (const c of cases) {
    if (banned(a, server)) {
      server = await hostile(nextFresh++, [a]);
      await server.serveRaw('headers', () => reply);
    }
    await judged(server, c);
  }
  // Served again, they get the first replier banned if the first pass did not.
  for (let i = 0; i < cases.length && !banned(a, h); i++) await judged(h, at(cases, i));
  await until('a to ban the replier', () => banned(a, h));
  await until('a to hang up on it', () => cutOff(a, h));
  await keepsMiningAndAgreeing(2);
});

test('oversized messages and malformed request frames get the sender banned', async () => {
  const h = await hostile(6, [a]);
  const frames: [string, string, Uint8Array][] = [
    ['headers', 'a length prefix of 100 MB', varint(100_000_000)],
    ['headers', 'a length prefix that is no number', new Uint8Array(10).fill(0xff)],
    ['headers', 'a truncated frame', Uint8Array.from([...varint(100), ...randomBytes(10)])],
    ['headers', 'a framed request that is garbage', lengthPrefixed(randomBytes(40))],
    ['blocks', 'a request for 129 blocks', lengthPrefixed(new Uint8Array(129 * 32))],
    ['headers', 'a locator of 65,535 hashes', lengthPrefixed(Uint8Array.of(0xfd, 0xff, 0xff, 0, 0))],
  ];
  // One gossip message over our 4 MB limit (but within the gossip frame limit): judged and refused.
  const rejected = a.p2p.counters.gossipRejected;
  await h.publish('blocks', new Uint8Array(4_000_100).fill(7));
  await until('the oversized message to be refused', () => a.p2p.counters.gossipRejected > rejected);
  const judged = async (s: HostilePeer, [protocol, what, bytes]: (typeof frames)[number]) => {
    const before = a.p2p.scores.score(s.peerId);
    const { reply, ended } = await s.rawRequest(a.p2p.peerId, protocol, bytes, 3000);
    assert.notEqual(ended, 'timeout', `${what}: answered or hung up at once`);
    if (reply.length) assert.equal(reply[1], 1, `${what}: answered with the error status`);
    await until(`${what} to cost points`, () => a.p2p.scores.score(s.peerId) > before || banned(a, s), 3000);
  };
  // Every frame is judged: once the sender is banned, a fresh one sends the frames left.
  let sender = h;
  for (const frame of frames) {
    if (banned(a, sender)) sender = await hostile(nextFresh++, [a]);
    await judged(sender, frame);
  }
  // Sent again, they get the first sender banned if the first pass did not.
  for (let i = 0; i < frames.length && !banned(a, h); i++) await judged(h, at(frames, i));
  await until('a to ban the sender', () => banned(a, h));
  await until('a to hang up on it', () => cutOff(a, h));

  // Beyond the gossip frame limit the message never reaches validation: nothing is delivered or stored.
  const big = await hostile(7, [a]);
  const accepted = a.p2p.counters.gossipAccepted;
  const height = a.chain.height();
  await big.publish('blocks', new Uint8Array(6_000_000).fill(9));
  await keepsMiningAndAgreeing(2);
  assert.ok(
    a.p2p.counters.gossipAccepted - accepted <= a.chain.height() - height,
    'only real blocks accepted',
  );
});

test('a request flood past the rate limit gets the sender banned while honest peers keep syncing', async () => {
  const h = await hostile(8, [a]);
  const w = new ByteWriter();
  w.compactSize(1);
  w.bytes(a.chain.genesis().hash);
  w.u32(1);
  const request = lengthPrefixed(w.finish());
  const servedBefore = a.p2p.counters.requestsServed;
  const refusedBefore = a.p2p.counters.requestsRefused;
  let limited = 0;
  let sent = 0;
  // Waves of 30 requests at once (libp2p allows 32 open streams per protocol and connection).
  const started = Date.now();
  while (sent < 3000 && h.connected(a.p2p.peerId)) {
    const wave = await Promise.all(
      Array.from({ length: 30 }, () =>
        h.rawRequest(a.p2p.peerId, 'headers', request, 2000).then(
          ({ reply }) => new TextDecoder().decode(reply).includes('rate limited'),
          () => false,
        ),
      ),
    );
    sent += wave.length;
    limited += wave.filter(Boolean).length;
  }
  const seconds = (Date.now() - started) / 1000;
  await until('a to ban the flooder', () => banned(a, h));
  await until('a to hang up on it', () => cutOff(a, h));
  const served = a.p2p.counters.requestsServed - servedBefore;
  process.stderr.write(
    `request flood: ${sent} attempted in ${seconds.toFixed(1)} s; the node served ${served} and refused ${a.p2p.counters.requestsRefused - refusedBefore} (${limited} refusals reached the flooder)\n`,
  );
  // (The flooder may not see its last refusals: we hang up on it right after sending them.)
  assert.ok(a.p2p.counters.requestsRefused > refusedBefore, 'requests past the burst were refused');
  assert.ok(a.p2p.scores.reasons(h.peerId).includes('rate limit on headers'), 'banned for flooding');
  // The burst of 200, plus 50 a second of refill.
  assert.ok(served <= 200 + 50 * (seconds + 1), `${served} served`);
  await keepsMiningAndAgreeing(3);
});

test('after all of it the honest nodes agree on one chain and one UTXO set, with the heap bounded', async () => {
  await keepsMiningAndAgreeing(3);
  await a.miner!.stop();
  await until('one tip', () => tips().size === 1);
  assert.equal(new Set(honest.map((n) => n.chain.utxoSetHash())).size, 1, 'identical UTXO sets');
  for (const n of honest) assert.deepEqual(n.chain.checkConsistency(), [], `${n.opts.host} consistent`);
  for (const n of honest)
    for (const m of honest)
      if (n !== m) assert.ok(!n.p2p.scores.isBanned(m.p2p.peerId), 'no honest peer banned');
  const growth = heapAfterGc() - baselineHeap;
  assert.ok(growth < 96 * MB, `heap grew ${(growth / MB).toFixed(1)} MB over the whole run`);
});
