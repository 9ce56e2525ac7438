import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Chain } from '../../../src/chain/chain.ts';
import { ByteWriter, fromHex, toHex } from '../../../src/consensus/bytes.ts';
import { hashToBigInt } from '../../../src/consensus/difficulty/target.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { headerHash, powInput } from '../../../src/consensus/primitives/header.ts';
import type { BlockHeader } from '../../../src/consensus/primitives/types.ts';
import { cpuSolver } from '../../../src/mining/pow.ts';
import { StratumServer } from '../../../src/mining/stratum.ts';
import { feedStratum, type StratumFeed, stratumBackendFor } from '../../../src/mining/stratum-wiring.ts';
import { buildBlockTemplate } from '../../../src/mining/template.ts';
import { MINER_SCRIPT, openMiningChain, PAYEES, tempDir } from './mining-fixtures.ts';
import { type StratumNotification, StratumTestClient } from './stratum-client.ts';
import { at, tuple } from '../../support/at.ts';

const devnet = paramsFor('devnet');
const EVERY_SOLUTION = (1n << 256n) - 1n;

/** A job as the miner sees it: the header fields from mining.notify (little-endian hex, as serialized). */
interface Job {
  id: string;
  header: BlockHeader;
  timeHex: string;
}

function jobOf(note: StratumNotification): Job {
  const [id, version, prev, merkle, reserved, time, bits] = tuple(note.params as string[], 7);
  const le32 = (hex: string) => new DataView(fromHex(hex).buffer).getUint32(0, true);
  return {
    id,
    timeHex: time,
    header: {
      version: le32(version),
      prevHash: fromHex(prev),
      merkleRoot: fromHex(merkle),
      finalSaplingRoot: fromHex(reserved),
      time: le32(time),
      bits: le32(bits),
      nonce: new Uint8Array(32),
      solution: new Uint8Array(0),
    },
  };
}

interface Share {
  nonce2: string;
  solution: string;
  hash: bigint;
}

/** Solutions of the job for nonces NONCE_1 ‖ NONCE_2 (NONCE_2 counting up), until `want` accepts one. */
function solve(
  job: Job,
  nonce1: Uint8Array,
  want: (s: Share) => boolean,
  start = 0,
): Share & { next: number } {
  for (let n = start; n < start + 100_000; n++) {
    const nonce2 = new Uint8Array(32 - nonce1.length);
    new DataView(nonce2.buffer).setUint32(0, n, true);
    const header = { ...job.header, nonce: Uint8Array.from([...nonce1, ...nonce2]) };
    for (const solution of cpuSolver(powInput(header), at(devnet.equihashEpochs, 0).spec)) {
      const hash = hashToBigInt(headerHash({ ...header, solution }));
      const w = new ByteWriter(solution.length + 3);
      w.varBytes(solution);
      const share = { nonce2: toHex(nonce2), solution: toHex(w.finish()), hash };
      if (want(share)) return { ...share, next: n + 1 };
    }
  }
  throw new Error('no solution found in 100,000 nonces');
}

describe('stratum server on the node chain (real Equihash, TCP client)', () => {
  const t = tempDir();
  let chain: Chain;
  let server: StratumServer;
  let feed: StratumFeed;
  let client: StratumTestClient;
  let nonce1: Uint8Array;
  let target: bigint;
  let job: Job;
  let blockTarget: bigint;
  let port: number;
  const gossiped: string[] = [];

  before(async () => {
    chain = await openMiningChain(t.dir, devnet);
    server = new StratumServer({
      host: '127.0.0.1',
      port: 0,
      backend: stratumBackendFor(chain, devnet, {
        onBlock: (_b, r) => gossiped.push(r.id),
      }),
      shareTarget: EVERY_SOLUTION,
    });
    port = await server.listen();
    feed = feedStratum({
      server,
      chain,
      refreshMs: 0,
      build: () =>
        buildBlockTemplate({
          chain,
          params: devnet,
          payees: PAYEES,
          minerScript: MINER_SCRIPT,
          time: chain.tip().time + devnet.difficulty.targetSpacing,
        }),
    });
    client = await StratumTestClient.open(port);
  });
  after(async () => {
    client.close();
    feed.stop();
    await server.close();
    chain.close();
    t.cleanup();
  });

  it('subscribe gives NONCE_1; authorize is answered with set_target and a clean notify', async () => {
    const sub = await client.call('mining.subscribe', ['fluxnode-test', null, '127.0.0.1', 0]);
    assert.equal(sub.error, null);
    const [, n1] = sub.result as [unknown, string];
    nonce1 = fromHex(n1);
    assert.equal(nonce1.length, 4);
    const auth = await client.call('mining.authorize', ['worker.1', 'x']);
    assert.equal(auth.result, true);
    const st = await client.next('mining.set_target');
    target = BigInt(`0x${st.params[0] as string}`);
    assert.equal(target, EVERY_SOLUTION);
    const note = await client.next('mining.notify');
    assert.equal(note.params[7], true);
    job = jobOf(note);
    assert.equal(toHex(job.header.prevHash), toHex(chain.tip().hash));
    blockTarget = devnet.difficulty.powLimit;
  });

  it('a share that is not a block is accepted and leaves the tip alone; sent again it is a duplicate', async () => {
    const share = solve(job, nonce1, (s) => s.hash > blockTarget);
    const r = await client.call('mining.submit', [
      'worker.1',
      job.id,
      job.timeHex,
      share.nonce2,
      share.solution,
    ]);
    assert.equal(r.error, null, JSON.stringify(r.error));
    assert.equal(r.result, true);
    assert.equal(chain.height(), 0);
    const again = await client.call('mining.submit', [
      'worker.1',
      job.id,
      job.timeHex,
      share.nonce2,
      share.solution,
    ]);
    assert.equal(again.error?.[0], 22);
    assert.match(again.error?.[1] ?? '', /duplicate/);
  });

  it('a share with a corrupted solution is refused as invalid', async () => {
    const share = solve(job, nonce1, () => true, 5_000);
    const bad = fromHex(share.solution);
    bad[10]! ^= 0x01;
    const r = await client.call('mining.submit', ['worker.1', job.id, job.timeHex, share.nonce2, toHex(bad)]);
    assert.equal(r.result, null);
    assert.equal(r.error?.[0], 20);
    assert.match(r.error?.[1] ?? '', /invalid solution/);
    assert.equal(chain.height(), 0);
  });

  it('a share meeting the block target is a block: the chain connects it and miners get a clean job', async () => {
    client.drain('mining.notify');
    const share = solve(job, nonce1, (s) => s.hash <= blockTarget, 10_000);
    const r = await client.call('mining.submit', [
      'worker.1',
      job.id,
      job.timeHex,
      share.nonce2,
      share.solution,
    ]);
    assert.equal(r.error, null, JSON.stringify(r.error));
    assert.equal(r.result, true);
    assert.equal(chain.height(), 1);
    assert.equal(server.stats.blocksFound, 1);
    assert.deepEqual(gossiped, [chain.tip().id]);
    const block = chain.getBlock(1)!;
    assert.equal(toHex(block.header.nonce), toHex(nonce1) + share.nonce2);
    const note = await client.next('mining.notify');
    assert.equal(note.params[7], true);
    const fresh = jobOf(note);
    assert.equal(toHex(fresh.header.prevHash), toHex(chain.tip().hash));
    assert.notEqual(fresh.id, job.id);
  });

  it('a share for the job of the old tip is stale', async () => {
    const share = solve(job, nonce1, () => true, 20_000);
    const r = await client.call('mining.submit', [
      'worker.1',
      job.id,
      job.timeHex,
      share.nonce2,
      share.solution,
    ]);
    assert.equal(r.error?.[0], 21);
    assert.match(r.error?.[1] ?? '', /stale/);
    assert.equal(chain.height(), 1);
  });

  it('a submit before authorize is refused', async () => {
    const other = await StratumTestClient.open(port);
    try {
      const r = await other.call('mining.submit', ['w', job.id, job.timeHex, '00'.repeat(28), '00']);
      assert.equal(r.error?.[0], 24);
    } finally {
      other.close();
    }
  });
});
