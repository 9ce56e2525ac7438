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
import { Vardiff } from '../../../src/mining/vardiff.ts';
import { at, tuple } from '../../support/at.ts';
import { MINER_SCRIPT, openMiningChain, PAYEES, tempDir } from './mining-fixtures.ts';
import { type StratumNotification, StratumTestClient } from './stratum-client.ts';

const devnet = paramsFor('devnet');
const BASE = (1n << 256n) - 1n;

describe('vardiff on its own', () => {
  const opts = {
    targetSeconds: 10,
    retargetShares: 4,
    retargetSeconds: 60,
    variance: 0.3,
    maxTarget: 1n << 200n,
    minTarget: 1n << 180n,
  };

  it('shares four times too fast make the target 4x harder; on time leave it; a quiet spell eases it', () => {
    const v = new Vardiff(opts, 0);
    for (let i = 1; i < 4; i++) assert.equal(v.onShare(i * 2_500), undefined);
    assert.equal(v.onShare(10_000), (1n << 200n) / 4n, 'four shares in 10 s where 40 s were due');
    assert.equal(v.difficulty, 4);
    for (let i = 1; i <= 4; i++) v.onShare(10_000 + i * 10_000);
    assert.equal(v.target, (1n << 200n) / 4n, 'on schedule: unchanged');
    assert.equal(v.onTick(50_000 + 59_000), undefined, 'not quiet long enough yet');
    assert.equal(v.onTick(50_000 + 120_000), 1n << 200n, 'eased back, never past maxTarget');
  });

  it('never goes harder than minTarget', () => {
    const v = new Vardiff({ ...opts, minTarget: (1n << 200n) / 2n }, 0);
    for (let i = 1; i <= 4; i++) v.onShare(i);
    assert.equal(v.target, (1n << 200n) / 2n);
  });
});

interface Job {
  id: string;
  header: BlockHeader;
  timeHex: string;
}

function jobOf(note: StratumNotification): Job {
  const [id, version, prev, merkle, reserved, time, bits] = tuple(note.params as string[], 7);
  const le32 = (hex: string) => new DataView(fromHex(hex).buffer).getUint32(0, true);
  const header = {
    version: le32(version),
    prevHash: fromHex(prev),
    merkleRoot: fromHex(merkle),
    finalSaplingRoot: fromHex(reserved),
    time: le32(time),
    bits: le32(bits),
    nonce: new Uint8Array(32),
    solution: new Uint8Array(0),
  };
  return { id, timeHex: time, header };
}

/** The next share of `job` from nonce `start` on whose hash `want` accepts. */
function solve(job: Job, nonce1: Uint8Array, want: (hash: bigint) => boolean, start: number) {
  for (let n = start; n < start + 100_000; n++) {
    const nonce2 = new Uint8Array(32 - nonce1.length);
    new DataView(nonce2.buffer).setUint32(0, n, true);
    const header = { ...job.header, nonce: Uint8Array.from([...nonce1, ...nonce2]) };
    for (const solution of cpuSolver(powInput(header), at(devnet.equihashEpochs, 0).spec)) {
      const hash = hashToBigInt(headerHash({ ...header, solution }));
      if (!want(hash)) continue;
      const w = new ByteWriter(solution.length + 3);
      w.varBytes(solution);
      return { nonce2: toHex(nonce2), solution: toHex(w.finish()), hash, next: n + 1 };
    }
  }
  throw new Error('no share found in 100,000 nonces');
}

describe('stratum vardiff and per-worker accounting (real Equihash, two TCP connections)', () => {
  const t = tempDir();
  let chain: Chain;
  let server: StratumServer;
  let feed: StratumFeed;
  let clock = 1_000_000;
  const rigs: { client: StratumTestClient; nonce1: Uint8Array; job: Job; nonce: number }[] = [];

  before(async () => {
    chain = await openMiningChain(t.dir, devnet);
    server = new StratumServer({
      host: '127.0.0.1',
      port: 0,
      // Blocks are out of the way: no share below the block target is ever looked for.
      backend: stratumBackendFor(chain, devnet, {}),
      shareTarget: BASE,
      vardiff: { targetSeconds: 15, retargetShares: 4, retargetSeconds: 90, variance: 0.3 },
      now: () => clock,
    });
    const port = await server.listen();
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
    for (const worker of ['fast.rig', 'slow.rig']) {
      const client = await StratumTestClient.open(port);
      const sub = await client.call('mining.subscribe', ['test', null, '127.0.0.1', 0]);
      const nonce1 = fromHex((sub.result as [unknown, string])[1]);
      assert.equal((await client.call('mining.authorize', [worker, 'x'])).result, true);
      assert.equal(BigInt(`0x${(await client.next('mining.set_target')).params[0] as string}`), BASE);
      rigs.push({ client, nonce1, job: jobOf(await client.next('mining.notify')), nonce: 0 });
    }
  });
  after(async () => {
    for (const r of rigs) r.client.close();
    feed.stop();
    await server.close();
    chain.close();
    t.cleanup();
  });

  const blockTarget = () => devnet.difficulty.powLimit;
  async function submit(i: number, want: (hash: bigint) => boolean) {
    const rig = rigs[i]!;
    const share = solve(rig.job, rig.nonce1, (h) => h > blockTarget() && want(h), rig.nonce);
    rig.nonce = share.next;
    return rig.client.call('mining.submit', ['w', rig.job.id, rig.job.timeHex, share.nonce2, share.solution]);
  }

  it('a rig sending shares every second gets its own harder mining.set_target and a re-sent job; the other rig keeps the base target', async () => {
    const fast = rigs[0]!;
    for (let i = 0; i < 4; i++) {
      clock += 1_000;
      const r = await submit(0, () => true);
      assert.equal(r.result, true, JSON.stringify(r.error));
    }
    const set = await fast.client.next('mining.set_target');
    assert.equal(
      BigInt(`0x${set.params[0] as string}`),
      BASE / 4n,
      'one share a second where one in 15 s is due: 4x harder, the most one step moves',
    );
    const again = await fast.client.next('mining.notify');
    assert.equal(again.params[7], false, 'the current job again, not a clean one');
    assert.equal(server.targetOf('fast.rig')! < BASE, true);
    assert.equal(server.targetOf('slow.rig'), BASE);
  });

  it('after the next job, a share easier than the new target is refused as low difficulty; one meeting it counts 4x', async () => {
    const fast = rigs[0]!;
    fast.client.drain('mining.notify');
    feed.push(false);
    fast.job = jobOf(await fast.client.next('mining.notify'));
    const target = server.targetOf('fast.rig')!;
    const low = await submit(0, (h) => h > target);
    assert.equal(low.error?.[0], 23);
    const ok = await submit(0, (h) => h <= target);
    assert.equal(ok.result, true, JSON.stringify(ok.error));
  });

  it('shares are accounted per worker, with the difficulty each was worth', async () => {
    clock += 1_000;
    const r = await submit(1, () => true);
    assert.equal(r.result, true);
    const byName = new Map(server.workerStats().map((w) => [w.worker, w]));
    const fast = byName.get('fast.rig')!;
    const slow = byName.get('slow.rig')!;
    assert.equal(fast.sharesAccepted, 5);
    assert.equal(fast.sharesRejected, 1);
    assert.ok(
      Math.abs(fast.difficultyAccepted - (4 + 4)) < 1e-6,
      `4 shares at 1 and one at 4, got ${fast.difficultyAccepted}`,
    );
    assert.equal(fast.difficulty, 4);
    assert.equal(slow.sharesAccepted, 1);
    assert.equal(slow.sharesRejected, 0);
    assert.equal(slow.difficultyAccepted, 1);
    assert.equal(slow.lastShareAt, clock);
  });
});
