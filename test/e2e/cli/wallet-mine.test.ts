/**
 * `fluxnode wallet …` and `fluxnode mine` as separate processes against a real devnet node started
 * here (its cookie in a temp folder, found through --datadir). The node's own wallet and chain are
 * the oracle for what the CLI prints.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { register as registerMine } from '../../../src/cli/commands/mine.ts';
import { register as registerWallet } from '../../../src/cli/commands/wallet.ts';
import { CliError } from '../../../src/cli/output.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { addressForPublicKey, scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { COIN } from '../../../src/consensus/primitives/types.ts';
import { jsonOf, parseInProcess, runCli } from '../../support/cli-harness.ts';
import { mineBlocks, startTestNode, type TestNode } from './test-node.ts';
import { at } from '../../support/at.ts';

let t: TestNode;

before(async () => {
  t = await startTestNode('127.0.0.51');
  // The block-1 premine matures after coinbaseMaturity (10) blocks.
  await mineBlocks(t.node, 12);
});

after(async () => {
  await t?.stop();
});

/** An address nobody here holds: a fresh key outside the node's wallet. */
function outsideAddress(): string {
  return addressForPublicKey(publicKeyOf(generatePrivateKey()), t.node.params.base58);
}

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, host, done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

test('connection trouble is exit 1 with a message that says what to do', async () => {
  const nobody = `http://127.0.0.51:${await closedPort('127.0.0.51')}`;
  const [refused, noCreds, badCreds, badCookie] = await Promise.all([
    runCli(['wallet', 'balance', '--rpc-url', nobody]),
    runCli(['wallet', 'balance', '--rpc-url', t.url]),
    runCli(['wallet', 'balance', '--rpc-url', t.url, '--rpc-user', 'x', '--rpc-password', 'y']),
    runCli(['wallet', 'balance', '--rpc-url', t.url, '--datadir', `${t.dir}/nowhere`]),
  ]);
  assert.equal(refused.status, 1);
  assert.ok(refused.stderr.includes(`no node answers at ${nobody} (ECONNREFUSED)`), refused.stderr);
  assert.equal(noCreds.status, 1);
  assert.match(noCreds.stderr, /wants RPC credentials: pass --rpc-user and --rpc-password, or --datadir/);
  assert.equal(badCreds.status, 1);
  assert.match(badCreds.stderr, /refused the RPC credentials/);
  assert.equal(badCookie.status, 1);
  assert.match(badCookie.stderr, /cannot read the RPC cookie .*nowhere\/\.cookie/);
});

test('wallet address, list and balance read the node’s wallet', async () => {
  const [address, balance] = await Promise.all([
    runCli(['wallet', 'address', '--label', 'savings', ...t.conn]),
    runCli(['wallet', 'balance', '--json', ...t.conn]),
  ]);
  assert.equal(address.status, 0, address.stderr);
  const made = address.stdout.trim();
  assert.ok(t.node.wallet.isMine(made), `${made} is the node's`);
  assert.equal(t.node.wallet.listAddresses().find((a) => a.address === made)?.label, 'savings');

  assert.equal(balance.status, 0, balance.stderr);
  const b = jsonOf<{ balance: number; immature_balance: number; total_balance: number }>(balance);
  const own = t.node.wallet.balance();
  assert.equal(b.balance, Number(own.spendable) / Number(COIN));
  assert.equal(b.immature_balance, Number(own.immature) / Number(COIN));
  assert.equal(b.total_balance, Number(own.total) / Number(COIN));
  assert.ok(b.balance >= 13_000_000, 'the premine is spendable');

  const list = await runCli(['wallet', 'list', '--json', ...t.conn]);
  assert.equal(list.status, 0, list.stderr);
  const l = jsonOf<{
    addresses: { address: string; label: string }[];
    coins: { txid: string; vout: number }[];
  }>(list);
  assert.deepEqual(
    l.addresses.find((a) => a.address === made),
    { address: made, label: 'savings' },
  );
  assert.deepEqual(
    l.coins.map((c) => `${c.txid}:${c.vout}`).sort(),
    t.node.wallet
      .coins()
      .map((c) => `${reverseHex(c.outpoint.txid)}:${c.outpoint.index}`)
      .sort(),
  );
});

test('wallet send pays the address; bad input exits 2, too large an amount exits 1', async () => {
  const to = outsideAddress();
  const [sent, badAddress, tooMuch] = await Promise.all([
    runCli(['wallet', 'send', to, '12.5', '--json', ...t.conn]),
    runCli(['wallet', 'send', 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1', '1', ...t.conn]),
    runCli(['wallet', 'send', outsideAddress(), '99999999', ...t.conn]),
  ]);
  assert.equal(sent.status, 0, sent.stderr);
  const { txid } = jsonOf<{ txid: string }>(sent);
  const pooled = t.node.mempool.get(txid);
  assert.ok(pooled, 'the payment is in the node’s mempool');
  const script = Buffer.from(scriptForAddress(to, t.node.params.base58));
  const outs = pooled.tx.outputs.filter((o) => Buffer.from(o.scriptPubKey).equals(script));
  assert.deepEqual(
    outs.map((o) => o.value),
    [1_250_000_000n],
  );

  assert.equal(badAddress.status, 2);
  assert.match(
    badAddress.stderr,
    /ADDRESS "t1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1" is not an address of the node’s network/,
  );
  assert.equal(tooMuch.status, 1);
  assert.match(tooMuch.stderr, /sendtoaddress failed: .*insufficient/i);

  for (const amount of ['-1', '0', '1.123456789', 'ten', '0.00000000'])
    await assert.rejects(
      parseInProcess(registerWallet, ['wallet', 'send', to, amount, ...t.conn]),
      (err) => err instanceof CliError && err.exitCode === 2 && /AMOUNT must be/.test(err.message),
      amount,
    );
});

test('mine --blocks N mines exactly N blocks, then stops the miner', async () => {
  const before = t.node.chain.height();
  const r = await runCli(['mine', '--blocks', '5', '--json', ...t.conn]);
  assert.equal(r.status, 0, r.stderr);
  const out = jsonOf<{ from: number; to: number; blocks: number; generate: boolean }>(r);
  assert.equal(out.from, before);
  assert.equal(out.blocks, 5);
  // Only this node mines here: the chain grew by exactly the blocks asked for.
  assert.equal(out.to, out.from + 5, JSON.stringify(out));
  assert.equal(t.node.chain.height(), out.to);
  assert.equal(t.node.miner?.isRunning, false, 'stopped');
  // The payment sent above was mined.
  const pending = t.node.mempool.all().map((e) => e.txid);
  assert.deepEqual(pending, []);

  for (const [args, why] of [
    [['--stop', '--blocks', '2'], /--stop takes no --address or --blocks/],
    [['--blocks', '0'], /--blocks must be a whole number >= 1/],
    [['--blocks', 'many'], /--blocks must be a whole number >= 1/],
  ] as const)
    await assert.rejects(
      parseInProcess(registerMine, ['mine', ...args, ...t.conn]),
      (err) => err instanceof CliError && err.exitCode === 2 && why.test(err.message),
    );
});

test('mine starts the miner to a given address and mine --stop stops it', async () => {
  const to = t.node.wallet.newAddress('cli miner');
  const start = await runCli(['mine', '--address', to, ...t.conn]);
  assert.equal(start.status, 0, start.stderr);
  assert.match(start.stdout, /mining from height \d+ to /);
  const h = t.node.chain.height();
  for (let i = 0; i < 200 && t.node.chain.height() === h; i++) await sleep(20);
  const tip = t.node.chain.getBlock(t.node.chain.height())!;
  assert.deepEqual(
    Buffer.from(at(at(tip.txs, 0).outputs, 0).scriptPubKey),
    Buffer.from(scriptForAddress(to, t.node.params.base58)),
    'the miner pays the given address',
  );
  const stop = await runCli(['mine', '--stop', ...t.conn]);
  assert.equal(stop.status, 0, stop.stderr);
  for (let i = 0; i < 100 && t.node.miner?.isRunning; i++) await sleep(20);
  assert.equal(t.node.miner?.isRunning, false);
});
