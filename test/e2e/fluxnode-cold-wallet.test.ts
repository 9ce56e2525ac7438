/**
 * The cold-wallet operator flow on a real devnet node: the collateral is funded and the START
 * signed in the owner's wallet (a wallet object of its own, never given to the node, reading coins
 * from the node's address index as a wallet client would), sent through the node's JSON-RPC. The
 * node holds only its operator key, takes the START naming that key as its own and CONFIRMs it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { toHex } from '../../src/consensus/bytes.ts';
import { encodeTransaction } from '../../src/consensus/primitives/transaction.ts';
import { FluxNode } from '../../src/node/node.ts';
import { startFromWallet, Wallet } from '../../src/wallet/index.ts';

let node: FluxNode;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxnode-cold-'));
  node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host: '127.0.0.65',
    p2pPort: 0,
    apiPort: 0,
    bootstrap: [],
    mineIntervalMs: 0,
    logLevel: 'error',
  });
});

after(async () => {
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function mine(n: number, address: string): Promise<void> {
  await node.miner?.stop();
  node.startMiner(address, { maxBlocks: n });
  await node.miner!.whenStopped();
}

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const r = await node.rpc.handleOne({ id: 1, method, params });
  if (r.error) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result;
}

test('a collateral funded and START-signed in the owner’s wallet is confirmed by a node that holds only its operator key', async () => {
  const owner = new Wallet(node.params);
  owner.setSource(node.addressIndex!);
  const ownerAddress = owner.newAddress('owner');
  await mine(node.params.coinbaseMaturity + 3, ownerAddress);

  const payment = owner.createCollateral('cumulus');
  const collateral = `${payment.txid}:${payment.collateral.index}`;
  assert.equal(await rpc('sendrawtransaction', [toHex(encodeTransaction(payment.tx))]), payment.txid);
  // Mined to an address of nobody here: the node's wallet gains nothing.
  const elsewhere = new Wallet(node.params).newAddress('');
  await mine(node.params.fluxnodes.collateralMinConfirmations + 1, elsewhere);

  const status = (await rpc('getfluxnodestatus')) as { status: string; operatorPubKey: string };
  assert.equal(status.status, 'not-a-fluxnode');
  const start = startFromWallet(owner, {
    collateral: payment.collateral,
    operatorPubKey: Buffer.from(status.operatorPubKey, 'hex'),
    sigTime: Math.floor(Date.now() / 1000),
  });
  await rpc('sendrawtransaction', [toHex(encodeTransaction(start))]);
  await mine(1, elsewhere);
  const coin = node.chain.getUtxo(payment.collateral)!;
  assert.equal(
    node.wallet.keyForScript(coin.scriptPubKey),
    undefined,
    'the node never holds the collateral key',
  );

  // The node adopts the START on the next tip and sends its CONFIRM; a few blocks mine it.
  for (let i = 0; i < 6 && node.chain.fluxnodes.get(collateral)?.status !== 'confirmed'; i++)
    await mine(1, elsewhere);
  const record = node.chain.fluxnodes.get(collateral);
  assert.equal(record?.status, 'confirmed');
  assert.equal(record?.operatorPubKey, status.operatorPubKey);
  const after = (await rpc('getfluxnodestatus')) as { status: string; collateral: string };
  assert.equal(after.collateral, collateral);
  assert.equal(after.status, 'confirmed');
});
