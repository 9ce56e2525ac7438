/**
 * The node's JSON-RPC as client software written for bitcoind and zcashd sees it: the
 * `bitcoin-core` npm client makes the calls (its own HTTP handling, Content-Type check and error
 * mapping decide what a reply means), and the `zcash-block` decoder reads the raw blocks. Nothing
 * here adapts to fluxnode's answers: the expectations are the libraries' behaviour and fluxd's
 * documented fields; the node's own chain is the oracle for values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Client from 'bitcoin-core';
import { FluxNode } from '../../../src/node/node.ts';

interface ZcashTxJson {
  version: number;
  overwintered?: boolean;
  locktime?: number;
  expiryheight?: number;
  vin: { coinbase?: string; sequence: number }[];
  vout: { value: number; valueZat: number; scriptPubKey: string }[];
  hash: string;
}
interface ZcashBlockJson {
  hash: string;
  version: number;
  merkleroot: string;
  finalsaplingroot: string;
  time: number;
  nonce: string;
  solution: string;
  bits: string;
  tx: string[];
  previousblockhash?: string;
}
interface ZcashBlock {
  toJSON(): ZcashBlockJson;
  transactions: { toJSON(): ZcashTxJson }[];
}
const zcashBlock = createRequire(import.meta.url)('zcash-block') as { decode(bytes: Buffer): ZcashBlock };

const HOST = '127.0.0.64';
let node: FluxNode;
let dir: string;
let client: Client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxnode-rpcclients-'));
  node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host: HOST,
    p2pPort: 0,
    apiPort: 0,
    bootstrap: [],
    rpcUser: 'alice',
    rpcPassword: 'secret',
    mineIntervalMs: 0,
    logLevel: 'error',
  });
  await node.miner?.stop();
  node.startMiner(node.wallet.newAddress('miner'), { maxBlocks: 12 });
  await node.miner!.whenStopped();
  client = new Client({ host: node.rpcUrl, username: 'alice', password: 'secret', timeout: 20_000 });
});

after(async () => {
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('bitcoin-core reads results, and fluxd’s error codes reach it intact (not an HTTP status in their place)', async () => {
  assert.equal(await client.command('getblockcount'), node.chain.height());
  await assert.rejects(client.command('getblockhash', 1_000_000), { code: -8 });
  await assert.rejects(client.command('nosuchmethod'), { code: -32601 });
  await assert.rejects(client.command('getblock', 'zz'), { code: -8 });
  const batch = (await client.command([
    { method: 'getbestblockhash' },
    { method: 'nosuchmethod' },
  ])) as unknown[];
  assert.equal(batch[0], node.chain.tip().id);
  assert.equal((batch[1] as { code: number }).code, -32601);
  const stranger = new Client({ host: node.rpcUrl, username: 'alice', password: 'wrong', timeout: 20_000 });
  await assert.rejects(stranger.command('getblockcount'), { code: 401 });
});

test('fluxd’s field types: integer version, numeric relayfee, consensus branch ids, string-or-int heights', async () => {
  const net = (await client.command('getnetworkinfo')) as Record<string, unknown>;
  assert.equal(typeof net.version, 'number');
  assert.ok(Number.isInteger(net.version));
  assert.equal(typeof net.relayfee, 'number');
  const info = (await client.command('getblockchaininfo')) as {
    consensus: { chaintip: string; nextblock: string };
    upgrades: Record<string, { name: string; activationheight: number; status: string }>;
  };
  assert.match(info.consensus.nextblock, /^[0-9a-f]{8}$/);
  for (const [key, u] of Object.entries(info.upgrades)) {
    assert.match(key, /^[0-9a-f]{8}$/);
    assert.ok(['active', 'pending', 'disabled'].includes(u.status));
  }
  const byText = await client.command('getblock', '5');
  const byNumber = await client.command('getblock', 5);
  assert.deepEqual(byText, byNumber);
  assert.equal(typeof (await client.command('estimatefee', 2)), 'number');
  assert.equal(typeof (await client.command('getdifficulty')), 'number');
  const tips = (await client.command('getchaintips')) as { status: string; hash: string }[];
  assert.ok(tips.some((t) => t.status === 'active' && t.hash === node.chain.tip().id));
});

test('raw blocks decode with the zcash-block decoder to the header and txids that getblock reports', async () => {
  for (const height of [1, node.chain.height()]) {
    const hash = (await client.command('getblockhash', height)) as string;
    const hex = (await client.command('getblock', hash, 0)) as string;
    const decoded = zcashBlock.decode(Buffer.from(hex, 'hex'));
    const d = decoded.toJSON();
    const verbose = (await client.command('getblock', hash, 1)) as Record<string, unknown>;
    assert.equal(d.hash, hash);
    for (const f of [
      'version',
      'merkleroot',
      'finalsaplingroot',
      'time',
      'nonce',
      'solution',
      'previousblockhash',
    ] as const)
      assert.deepEqual(d[f], verbose[f], f);
    assert.equal(Number.parseInt(d.bits, 16), Number.parseInt(verbose.bits as string, 16));
    assert.deepEqual(d.tx, verbose.tx);
    for (const tx of decoded.transactions) {
      // The library's JSON form (its toJSON all the way down), as zcash-cli would print it.
      const z = JSON.parse(JSON.stringify(tx.toJSON())) as ZcashTxJson;
      const ours = (await client.command('getrawtransaction', z.hash, 1)) as {
        version: number;
        locktime: number;
        vin: { sequence: number }[];
        vout: { value: number; valueZat: number; valueSat: number; scriptPubKey: { hex: string } }[];
        vJoinSplit: unknown[];
      };
      assert.equal(ours.version, z.version);
      assert.deepEqual(
        ours.vin.map((i) => i.sequence),
        z.vin.map((i) => i.sequence),
      );
      // bitcoin-core parses numbers of 16+ digits to exact strings: compare values, not JSON types.
      assert.deepEqual(
        ours.vout.map((o) => [o.value, Number(o.valueZat), Number(o.valueSat), o.scriptPubKey.hex]),
        z.vout.map((o) => [o.value, o.valueZat, o.valueZat, o.scriptPubKey]),
      );
      assert.deepEqual(ours.vJoinSplit, []);
    }
  }
});

test('listunspent filters as fluxd: no immature coinbase, minconf/maxconf honoured, amounts as numbers', async () => {
  const maturity = node.params.coinbaseMaturity;
  const all = (await client.command('listunspent', 0)) as {
    confirmations: number;
    generated: boolean;
    amount: unknown;
  }[];
  assert.ok(all.length > 0);
  for (const c of all) {
    assert.equal(typeof c.amount, 'number');
    assert.equal(typeof c.generated, 'boolean', 'fluxd says whether a coin is a coinbase output');
    if (c.generated)
      assert.ok(c.confirmations >= maturity, `a coinbase with ${c.confirmations} confirmations is immature`);
  }
  const recent = (await client.command('listunspent', 1, 1)) as unknown[];
  assert.equal(recent.length, all.filter((c) => c.confirmations === 1).length);
});

test('a transaction already in the mempool is answered with its txid by sendrawtransaction', async () => {
  const to = node.wallet.newAddress('self');
  const txid = (await client.command('sendtoaddress', to, 1)) as string;
  const hex = (await client.command('getrawtransaction', txid)) as string;
  assert.equal(await client.command('sendrawtransaction', hex), txid);
  const out = (await client.command('gettxout', txid, 0)) as { confirmations: number; value: number } | null;
  assert.ok(out);
  assert.equal(out.confirmations, 0);
});
