/**
 * Issue 3's acceptance on real nodes: a miner and four fluxnode operators (each its own node, wallet
 * and operator key) on 127.0.0.41–45. Nodes of each tier register through START and CONFIRM; each
 * block then pays the miner and exactly one confirmed node per tier, in queue order; a node that
 * stops confirming expires; spending a collateral removes its node.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FluxNode } from '../../src/node/node.ts';
import { fromHex } from '../../src/consensus/bytes.ts';
import { addressForScript } from '../../src/consensus/keys/address.ts';
import { coinbaseSplit } from '../../src/consensus/money/rewards.ts';
import { parseOutpointKey } from '../../src/consensus/primitives/outpoint.ts';
import { COIN } from '../../src/consensus/primitives/types.ts';
import type { Tier } from '../../src/consensus/tiers.ts';
import { at } from '../support/at.ts';

const root = mkdtempSync(join(tmpdir(), 'fluxnode-e2e-fn-'));
const all: FluxNode[] = [];
let miner: FluxNode;
const ops: { node: FluxNode; tier: Tier; collateral?: string }[] = [];

async function start(i: number, bootstrap: string[]): Promise<FluxNode> {
  const node = await FluxNode.start({
    network: 'devnet',
    dataDir: join(root, `node${i}`),
    host: `127.0.0.${40 + i}`,
    p2pPort: 0,
    apiPort: 0,
    bootstrap,
    rpcUser: 't',
    rpcPassword: 't',
    logLevel: 'warn',
  });
  all.push(node);
  return node;
}

function networkState(): string {
  return all
    .map(
      (n) =>
        `${n.opts.host} h=${n.chain.height()} peers=${n.p2p.peers().length} pool=[${n.mempool.all().map((e) => e.txid.slice(0, 8) + (e.tx.fluxnode ? 'F' : ''))}]`,
    )
    .join('; ');
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${networkState()})`);
    await sleep(25);
  }
}

/** Same tip everywhere, and every transaction any node pools has reached the miner. */
const synced = () =>
  all.every(
    (n) =>
      n.chain.tip().id === miner.chain.tip().id && n.mempool.all().every((e) => miner.mempool.has(e.txid)),
  );

/** Mines exactly `n` blocks on the miner node and waits until every node has them. */
async function mine(n: number): Promise<void> {
  await until('the network to settle', synced, 20_000);
  for (let i = 0; i < n; i++) {
    const h = miner.chain.height();
    miner.startMiner(at(miner.wallet.listAddresses(), 0).address, { maxBlocks: 1 });
    await until(
      `block ${h + 1} (miner: ${JSON.stringify(miner.miner?.stats())})`,
      () => miner.chain.height() > h,
    );
    await miner.miner!.whenStopped();
    await until(
      `block ${h + 1} everywhere`,
      () => all.every((x) => x.chain.height() >= miner.chain.height()),
      20_000,
    );
    // Let CONFIRMs sent for this tip reach the miner's pool before the next block.
    await until('the network to settle', synced, 20_000);
  }
}

before(async () => {
  miner = await start(1, []);
  miner.wallet.newAddress('miner');
  const seed = at(miner.p2p.multiaddrs, 0);
  const tiers: Tier[] = ['cumulus', 'nimbus', 'stratus', 'cumulus'];
  for (const [i, tier] of tiers.entries()) ops.push({ node: await start(i + 2, [seed]), tier });
  await until('peers', () => all.every((n) => n.p2p.peers().length >= 1));
});

after(async () => {
  for (const n of all) await n.stop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

test('operators fund exact collaterals, START and CONFIRM, and appear in every node’s list', async () => {
  await mine(12); // the block-1 premine matures after 10 blocks
  const payment = miner.wallet.createPayment({
    to: ops.map((o) => ({ address: o.node.wallet.newAddress('funds'), amount: 50_000n * COIN })),
  });
  await miner.acceptTransaction(payment.tx);
  await mine(1);
  for (const o of ops) {
    const c = o.node.wallet.createCollateral(o.tier);
    await o.node.acceptTransaction(c.tx);
    o.collateral = `${c.txid}:${c.collateral.index}`;
  }
  await mine(11); // collateral needs 10 confirmations
  for (const o of ops) await o.node.operator.start(o.collateral!);
  await mine(3); // START, then the operator's CONFIRM, then room for it to be mined
  for (const n of all) {
    const list = n.chain.fluxnodes.confirmed();
    assert.deepEqual(
      list.map((r) => r.collateral).sort(),
      ops.map((o) => o.collateral!).sort(),
      'same list on every node',
    );
  }
  assert.deepEqual(
    ops.map((o) => miner.chain.fluxnodes.get(o.collateral!)?.tier),
    ops.map((o) => o.tier),
  );
});

test('each block pays the miner and exactly one node per tier, in queue order', async () => {
  const paidCumulus: string[] = [];
  for (let i = 0; i < 6; i++) {
    const payees = miner.chain.fluxnodes.payees(miner.chain.height() + 1);
    assert.deepEqual(
      payees.map((p) => p.tier),
      ['cumulus', 'nimbus', 'stratus'],
    );
    await mine(1);
    const block = miner.chain.getBlock(miner.chain.height())!;
    const coinbase = at(block.txs, 0);
    const split = coinbaseSplit(miner.chain.height(), miner.params, {
      fees: 0n,
      tiersPresent: ['cumulus', 'nimbus', 'stratus'],
    });
    for (const p of payees) {
      const outs = coinbase.outputs.filter((o) =>
        Buffer.from(o.scriptPubKey).equals(Buffer.from(fromHex(p.payoutScript))),
      );
      assert.equal(outs.length, 1, `one output to the ${p.tier} payee`);
      assert.equal(at(outs, 0).value, split[p.tier]);
    }
    assert.equal(at(coinbase.outputs, 0).value >= split.miner, true, 'the miner takes the rest');
    paidCumulus.push(at(payees, 0).collateral);
  }
  const cumulus = ops.filter((o) => o.tier === 'cumulus').map((o) => o.collateral!);
  // Two cumulus nodes: they alternate.
  for (let i = 2; i < paidCumulus.length; i++) assert.equal(paidCumulus[i], paidCumulus[i - 2]);
  assert.deepEqual([...new Set(paidCumulus)].sort(), [...cumulus].sort());
});

test('a node that stops confirming expires and is no longer paid; spending a collateral removes its node', async () => {
  const quitter = at(ops, 3);
  await quitter.node.stop();
  all.splice(all.indexOf(quitter.node), 1);
  assert.ok(miner.chain.fluxnodes.get(quitter.collateral!), 'still registered right after it stops');
  // expireAfter is 30 blocks on devnet: mine until it expires while the others keep confirming, and
  // fail if it is still registered 40 blocks on.
  const stoppedAt = miner.chain.height();
  while (miner.chain.fluxnodes.get(quitter.collateral!) !== undefined) {
    const mined = miner.chain.height() - stoppedAt;
    assert.ok(mined < 40, `the quitter expired within 40 blocks (still registered after ${mined})`);
    await mine(1);
  }
  const expiredAfter = miner.chain.height() - stoppedAt;
  assert.ok(
    expiredAfter > 10,
    `a missed confirmation is not an expiry (expired after ${expiredAfter} blocks)`,
  );
  assert.equal(miner.chain.fluxnodes.confirmed().length, 3, 'the others kept confirming');
  await mine(1);
  const payees = miner.chain.fluxnodes.payees(miner.chain.height() + 1);
  assert.ok(!payees.some((p) => p.collateral === quitter.collateral), 'not paid');

  const spender = at(ops, 0);
  spender.node.wallet.unlockCoin(parseOutpointKey(spender.collateral!));
  const back = spender.node.wallet.createPayment({
    to: [
      {
        address: addressForScript(
          miner.wallet.keyForScript(at(miner.wallet.coins(), 0).scriptPubKey)!.p2pkh,
          miner.params.base58,
        )!,
        amount: 999n * COIN,
      },
    ],
    inputs: [parseOutpointKey(spender.collateral!)],
  });
  await spender.node.acceptTransaction(back.tx);
  await mine(1);
  for (const n of all)
    assert.equal(n.chain.fluxnodes.get(spender.collateral!), undefined, 'removed everywhere');
});
