/**
 * Parallel-asset claims on chain (devnet params, real Equihash blocks, real fluxnodes paid by the
 * coinbase). A claim is a transaction from the payout address: every node that is fed the same
 * blocks records the same claims and seals the same Merkle snapshots at the same heights; a second
 * claim of the same allocation is refused by the pool and, carried in a block anyway, by the
 * block rules; a reorg takes claims and snapshots away with their blocks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { registerEconomyMethods } from '../../../src/api/rpc/economy-methods.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import type { Transaction } from '../../../src/consensus/primitives/types.ts';
import { PARALLEL_ASSETS } from '../../../src/economy/parallel/assets.ts';
import { CLAIM_MARKER, decodeClaimData, encodeClaimData } from '../../../src/economy/parallel/claim-data.ts';
import { claimPayment } from '../../../src/economy/parallel/claim-payment.ts';
import { verifyClaimProof } from '../../../src/economy/parallel/ledger.ts';
import { EconomyTestNode, type Operator, registerOperators, tempDir } from './chain-support.ts';
import { at } from '../../support/at.ts';

const Y2022 = Date.UTC(2022, 0, 1) / 1000;
const blockTime = (h: number) => Y2022 + 3 * h;
const INTERVAL = 5;
const KDA_TARGET = 'k:ac07e9862bf04fe680c879286f273413d35b87667cce4a76d355fa319a51d82e';
const ETH_TARGET = '0x720CD16b011b987Da3518fbf38c3071d4F0D1495';

const dirs: { cleanup: () => void }[] = [];
const nodes: EconomyTestNode[] = [];
let a: EconomyTestNode;
let b: EconomyTestNode;
let miner: string;
let ops: Operator[];
let claimHeight: number;

async function open(): Promise<EconomyTestNode> {
  const t = tempDir('fluxnode-claims-');
  dirs.push(t);
  const n = await EconomyTestNode.open(t.dir, {
    blockTime,
    economy: { snapshotInterval: INTERVAL },
    wallet: nodes[0]?.wallet,
  });
  nodes.push(n);
  return n;
}

async function feed(to: EconomyTestNode, from: EconomyTestNode, fromHeight = 1): Promise<void> {
  for (const block of from.blocks().slice(fromHeight - 1)) await to.chain.acceptBlock(block);
  assert.equal(to.chain.tip().id, from.chain.tip().id);
}

function claimTx(source: string, assetId: string, targetAddress: string, amount: bigint, nonce: number) {
  return claimPayment(
    a.wallet,
    { assetId, sourceAddress: source, targetAddress, amount, nonce },
    PARALLEL_ASSETS,
  ).tx;
}

function claimable(n: EconomyTestNode, address: string, assetId: string): bigint {
  return n.economy.balance(address).assets.find((x) => x.assetId === assetId)!.claimable;
}

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConsensusError) return err.rule;
    throw err;
  }
  return 'accepted';
}

async function refusedBlockRule(n: EconomyTestNode, tx: Transaction): Promise<string | undefined> {
  const { result } = await n.tryMineBlock(miner, { extraTxs: [tx] });
  assert.equal(result.status, 'invalid');
  return result.rule;
}

before(async () => {
  a = await open();
  miner = a.wallet.newAddress('miner');
  ops = await registerOperators(a, miner, ['nimbus', 'cumulus']);
  // Paid from the next block on; the 10-block coinbase maturity makes the first payments count from 33.
  while (a.chain.height() < 36) await a.mineBlock(miner);
  b = await open();
  await feed(b, a);
});

after(() => {
  for (const n of nodes) n.close();
  for (const d of dirs) d.cleanup();
});

test('claim data round-trips in at most 80 bytes for every chain family', () => {
  const targets: Record<string, string> = {
    'FLUX-KDA': KDA_TARGET,
    'FLUX-ETH': ETH_TARGET,
    'FLUX-SOL': 'So11111111111111111111111111111111111111112',
    'FLUX-TRX': 'TWr6yzukRwZ53HDe3bzcC8RCTbiKa4Zzb6',
    'FLUX-ERG': '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA',
  };
  for (const [assetId, targetAddress] of Object.entries(targets)) {
    const claim = { assetId, targetAddress, amount: 123_456_789n, nonce: 300 };
    const data = encodeClaimData(claim, PARALLEL_ASSETS);
    assert.ok(data.length <= 80, `${assetId}: ${data.length} bytes`);
    assert.deepEqual(data.subarray(0, 4), CLAIM_MARKER);
    assert.deepEqual(decodeClaimData(data, PARALLEL_ASSETS), claim);
  }
  const data = encodeClaimData(
    { assetId: 'FLUX-ETH', targetAddress: ETH_TARGET, amount: 1n, nonce: 0 },
    PARALLEL_ASSETS,
  );
  assert.throws(() => decodeClaimData(Uint8Array.from([...data, 0]), PARALLEL_ASSETS), /bad-claim-data/);
  assert.throws(() => decodeClaimData(data.subarray(0, 20), PARALLEL_ASSETS), /bad-claim-data/);
});

test('a claim transaction is pooled once per source and asset, and recorded alike by every node', async () => {
  const [nimbus, cumulus] = [at(ops, 0), at(ops, 1)];
  const kda = claimable(a, nimbus.address, 'FLUX-KDA');
  assert.ok(kda > 0n, 'the nimbus node has matured accrual');
  a.submit(claimTx(nimbus.address, 'FLUX-KDA', KDA_TARGET, kda / 3n, 0));
  // The same allocation again (another coin, same nonce) conflicts in the pool.
  assert.equal(
    ruleOf(() => a.submit(claimTx(nimbus.address, 'FLUX-KDA', KDA_TARGET, kda / 3n, 0))),
    'txn-mempool-conflict',
  );
  assert.equal(
    ruleOf(() =>
      a.submit(
        claimTx(cumulus.address, 'FLUX-ETH', ETH_TARGET, claimable(a, cumulus.address, 'FLUX-ETH') + 1n, 0),
      ),
    ),
    'claim-exceeds-balance',
  );
  assert.equal(
    ruleOf(() => a.submit(claimTx(cumulus.address, 'FLUX-ETH', ETH_TARGET, 7n, 1))),
    'bad-claim-nonce',
  );
  a.submit(claimTx(cumulus.address, 'FLUX-ETH', ETH_TARGET, 7n, 0));
  await a.mineBlock(miner);
  claimHeight = a.chain.height();
  await feed(b, a, claimHeight);
  for (const n of [a, b]) {
    const claims = n.economy.claims('FLUX-KDA');
    assert.equal(claims.length, 1);
    assert.equal(at(claims, 0).sourceAddress, nimbus.address);
    assert.equal(at(claims, 0).amount, kda / 3n);
    assert.equal(n.economy.claimPlace(at(claims, 0).id)?.height, claimHeight);
    const pos = n.economy.balance(nimbus.address).assets.find((x) => x.assetId === 'FLUX-KDA')!;
    assert.equal(pos.claimed, kda / 3n);
    assert.equal(pos.nextNonce, 1);
  }
  assert.deepEqual(a.economy.claims('FLUX-ETH'), b.economy.claims('FLUX-ETH'));
  assert.equal(a.mempool.size, 0);
});

test('a block carrying a second claim of the same allocation is refused by every node', async () => {
  const nimbus = at(ops, 0);
  const height = a.chain.height();
  const replay = claimTx(nimbus.address, 'FLUX-KDA', KDA_TARGET, 1n, 0);
  assert.equal(await refusedBlockRule(a, replay), 'claim-replayed');
  const tooMuch = claimTx(
    nimbus.address,
    'FLUX-KDA',
    KDA_TARGET,
    // The next block matures one more payment: twice the claimable is over it whatever it is.
    claimable(a, nimbus.address, 'FLUX-KDA') * 2n,
    1,
  );
  assert.equal(await refusedBlockRule(a, tooMuch), 'claim-exceeds-balance');
  const erg = claimTx(
    nimbus.address,
    'FLUX-ERG',
    '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA',
    1n,
    0,
  );
  assert.equal(await refusedBlockRule(a, erg), 'asset-not-launched');
  // A claim from a coin of another address claims that address's accrual (the miner's), not the node's.
  const nodeAmount = claimable(a, nimbus.address, 'FLUX-KDA');
  const minerAmount = claimable(a, miner, 'FLUX-KDA');
  const minerClaim = claimTx(miner, 'FLUX-KDA', KDA_TARGET, (nodeAmount + minerAmount) * 2n, 0);
  assert.equal(await refusedBlockRule(a, minerClaim), 'claim-exceeds-balance');
  assert.equal(a.chain.height(), height);
  assert.deepEqual(a.chain.checkConsistency(), []);
});

test('snapshots are sealed at fixed heights: the same roots on every node, with proofs that verify', async () => {
  while (a.chain.height() % INTERVAL !== 0) await a.mineBlock(miner);
  await feed(b, a, claimHeight + 1);
  for (const assetId of ['FLUX-KDA', 'FLUX-ETH']) {
    const snaps = a.economy.snapshots(assetId);
    assert.equal(snaps.length, 1, `${assetId} sealed once`);
    assert.deepEqual(b.economy.snapshots(assetId), snaps);
    for (const id of at(snaps, 0).claimIds) {
      const proof = a.economy.proof(id)!;
      assert.equal(verifyClaimProof(proof), true);
      assert.deepEqual(b.economy.proof(id), proof);
    }
  }
  assert.deepEqual(a.economy.snapshots('FLUX-SOL'), [], 'no claims, no snapshot');
  // A fresh node fed the chain from genesis ends with the same claims and roots.
  const c = await open();
  await feed(c, a);
  assert.deepEqual(c.economy.snapshots('FLUX-KDA'), a.economy.snapshots('FLUX-KDA'));
  assert.deepEqual(c.economy.claims('FLUX-ETH'), a.economy.claims('FLUX-ETH'));
});

test('a reorg below the claim takes the claim and its snapshot away; the new branch can claim again', async () => {
  const nimbus = at(ops, 0);
  // D follows A up to the block before the claim, then mines a longer branch without it.
  const d = await open();
  for (const block of a.blocks().slice(0, claimHeight - 1)) await d.chain.acceptBlock(block);
  const other = d.wallet.newAddress('fork miner');
  while (d.chain.height() <= a.chain.height()) await d.mineBlock(other);
  await feed(a, d, claimHeight);
  await feed(b, d, claimHeight);
  for (const n of [a, b]) {
    assert.deepEqual(n.economy.claims('FLUX-KDA'), []);
    assert.deepEqual(n.economy.snapshots('FLUX-KDA'), []);
    assert.equal(
      n.economy.balance(nimbus.address).assets.find((x) => x.assetId === 'FLUX-KDA')!.nextNonce,
      0,
    );
    assert.deepEqual(n.chain.checkConsistency(), []);
  }
  // The same allocation is claimable on the new branch, and recorded there by both nodes.
  a.submit(claimTx(nimbus.address, 'FLUX-KDA', KDA_TARGET, 5n, 0));
  await a.mineBlock(miner);
  await feed(b, a, a.chain.height());
  assert.deepEqual(b.economy.claims('FLUX-KDA'), a.economy.claims('FLUX-KDA'));
  assert.equal(a.economy.claims('FLUX-KDA').length, 1);
});

test('JSON-RPC claimasset makes the claim transaction from the node’s wallet; the next block records it', async () => {
  const rpc = new RpcDispatcher();
  registerEconomyMethods(rpc, a.economy, { wallet: a.wallet, accept: async (tx) => a.submit(tx) });
  const cumulus = at(ops, 1);
  const before = a.economy.claims('FLUX-SOL').length;
  const r = await rpc.handleOne({
    id: 1,
    method: 'claimasset',
    params: [
      {
        assetId: 'FLUX-SOL',
        sourceAddress: cumulus.address,
        targetAddress: 'So11111111111111111111111111111111111111112',
        amount: '9',
      },
    ],
  });
  assert.equal(r.error, null, JSON.stringify(r.error));
  const sent = r.result as { txid: string; nonce: number; status: string };
  assert.equal(sent.status, 'in-mempool');
  assert.equal(sent.nonce, 0);
  await a.mineBlock(miner);
  const claims = a.economy.claims('FLUX-SOL');
  assert.equal(claims.length, before + 1);
  assert.equal(a.economy.claimPlace(at(claims, before).id)?.txid, sent.txid);
  const again = await rpc.handleOne({
    id: 2,
    method: 'getassetclaim',
    params: ['FLUX-SOL', at(claims, before).id],
  });
  assert.equal((again.result as { txid: string }).txid, sent.txid);
});

test('reopening a node restores its claims and snapshot roots from the tables', async () => {
  while (a.chain.height() % INTERVAL !== 0) await a.mineBlock(miner);
  const claims = a.economy.claims('FLUX-KDA');
  const snaps = a.economy.snapshots('FLUX-KDA');
  assert.equal(snaps.length, 1);
  const blocks = a.blocks();
  const t = tempDir('fluxnode-claims-');
  dirs.push(t);
  const first = await EconomyTestNode.open(t.dir, { blockTime, economy: { snapshotInterval: INTERVAL } });
  for (const block of blocks) await first.chain.acceptBlock(block);
  first.close();
  const again = await EconomyTestNode.open(t.dir, { blockTime, economy: { snapshotInterval: INTERVAL } });
  nodes.push(again);
  assert.deepEqual(again.economy.claims('FLUX-KDA'), claims);
  assert.deepEqual(again.economy.snapshots('FLUX-KDA'), snaps);
  assert.deepEqual(again.chain.checkConsistency(), []);
});
