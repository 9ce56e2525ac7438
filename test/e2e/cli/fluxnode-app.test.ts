/**
 * `fluxnode node start|status` and `fluxnode app register|status` as separate processes against a
 * real devnet node started here: the node becomes a confirmed cumulus fluxnode through the CLI, and
 * an app whose owner is the node's wallet is registered, paid and found active. The node's
 * registry, mempool and chain are the oracle.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { register as registerApp } from '../../../src/cli/commands/app.ts';
import { register as registerNode } from '../../../src/cli/commands/node.ts';
import { CliError } from '../../../src/cli/output.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { addressForPublicKey } from '../../../src/consensus/keys/address.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { jsonOf, parseInProcess, runCli } from '../../support/cli-harness.ts';
import { mineBlocks, startTestNode, type TestNode } from './test-node.ts';

const HELLO = new URL('../../../examples/hello-app.yaml', import.meta.url).pathname;

let t: TestNode;

before(async () => {
  t = await startTestNode('127.0.0.52');
  await mineBlocks(t.node, 12);
});

after(async () => {
  await t?.node.miner?.stop();
  await t?.stop();
});

interface Status {
  status: string;
  collateral: string | null;
  tier: string | null;
  operatorPubKey: string;
}

test('node status before anything: not a fluxnode, with this node’s operator key', async () => {
  const r = await runCli(['node', 'status', '--json', ...t.conn]);
  assert.equal(r.status, 0, r.stderr);
  const s = jsonOf<Status>(r);
  assert.equal(s.status, 'not-a-fluxnode');
  assert.equal(s.collateral, null);
  assert.equal(s.operatorPubKey, toHex(t.node.operator.operatorPubKey));
  await assert.rejects(
    parseInProcess(registerNode, ['node', 'start', '--tier', 'cirrus', ...t.conn]),
    (err) => err instanceof CliError && err.exitCode === 2 && /--tier must be one of/.test(err.message),
  );
});

test('node start --tier cumulus --wait: collateral, its confirmations, START, and a confirmed node', async () => {
  // Blocks keep coming while the CLI waits, as on a live network.
  t.node.startMiner(t.node.wallet.newAddress('background miner'));
  const r = await runCli([
    'node',
    'start',
    '--tier',
    'cumulus',
    '--wait',
    '--json',
    '--interval-ms',
    '100',
    '--timeout',
    '60',
    ...t.conn,
  ]);
  await t.node.miner!.stop();
  assert.equal(r.status, 0, r.stderr);
  const out = jsonOf<{ tier: string; collateral: string; status: string; startTxid: string }>(r);
  assert.equal(out.tier, 'cumulus');
  assert.equal(out.status, 'confirmed');
  assert.equal(t.node.operator.collateral, out.collateral);
  const record = t.node.chain.fluxnodes.get(out.collateral);
  assert.equal(record?.tier, 'cumulus');
  assert.equal(record?.status, 'confirmed');
  const [txid] = out.collateral.split(':');
  assert.equal(out.startTxid, txid);
  // Progress went to stderr: the confirmations counted up to the network's requirement.
  const needed = t.node.params.fluxnodes.collateralMinConfirmations;
  assert.match(r.stderr, new RegExp(`collateral confirmations: ${needed}/${needed}`));
  assert.match(r.stderr, /START sent/);

  const again = await runCli(['node', 'status', ...t.conn]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^status\s+confirmed$/m);
  assert.match(again.stdout, /^tier\s+cumulus$/m);
  assert.ok(again.stdout.includes(out.collateral));
});

test('app register: the node signs and pays for a spec its wallet owns; app status finds it active', async () => {
  const spec = parseYaml(readFileSync(HELLO, 'utf8'));
  spec.owner = t.node.wallet.newAddress('app owner');
  const file = join(t.dir, 'hello.json');
  writeFileSync(file, JSON.stringify(spec));
  const stranger = {
    ...spec,
    name: 'strangers',
    owner: addressForPublicKey(publicKeyOf(generatePrivateKey()), t.node.params.base58),
  };
  const strangerFile = join(t.dir, 'strangers.json');
  writeFileSync(strangerFile, JSON.stringify(stranger));

  const [reg, refused] = await Promise.all([
    runCli(['app', 'register', file, '--json', ...t.conn]),
    runCli(['app', 'register', strangerFile, ...t.conn]),
  ]);
  assert.equal(reg.status, 0, reg.stderr);
  const r = jsonOf<{ name: string; specHash: string; txid: string; price: number }>(reg);
  assert.equal(r.name, 'hello');
  assert.equal(r.specHash, specHash(validateAppSpec(spec, DEVNET_APP_LIMITS)));
  assert.ok(t.node.mempool.get(r.txid), 'the payment is in the mempool');
  assert.ok(r.price > 0);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /registerapp failed: the owner .* is not an address of this node’s wallet/);

  await mineBlocks(t.node, 2);
  const [status, human, unknown] = await Promise.all([
    runCli(['app', 'status', 'hello', '--json', ...t.conn]),
    runCli(['app', 'status', 'hello', ...t.conn]),
    runCli(['app', 'status', 'nosuchapp', ...t.conn]),
  ]);
  assert.equal(status.status, 0, status.stderr);
  const s = jsonOf<{
    name: string;
    owner: string;
    specHash: string;
    txid: string;
    instances: number;
    expiresAt: number;
    registeredHeight: number;
    chainHeight: number;
    locations: unknown[];
  }>(status);
  assert.deepEqual(
    [s.name, s.owner, s.specHash, s.txid, s.instances],
    ['hello', spec.owner, r.specHash, r.txid, spec.instances],
  );
  const block = t.node.txIndex.locate(r.txid);
  assert.equal(s.registeredHeight, block?.height);
  assert.ok(s.expiresAt > s.chainHeight);
  assert.deepEqual(s.locations, [], 'no cloud agent here, so nowhere placed');

  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^hello  owner ${spec.owner}$`, 'm'));
  assert.match(human.stdout, /instances: 0 of 3 placed/);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /getapp failed: no active app named "nosuchapp"/);
});

test('owner wallet: registers, quotes and renews an app through a node that never holds its key', async () => {
  const api = `http://127.0.0.52:${(t.node.api.server!.address() as AddressInfo).port}`;
  const walletFile = join(t.dir, 'owner-wallet.json');
  const env = { FLUXNODE_OWNER_PASSPHRASE: 'owner secret' };
  const created = await runCli(['owner', 'create', '--wallet-file', walletFile, '--node', api, '--json'], {
    env,
  });
  assert.equal(created.status, 0, created.stderr);
  const { address, network } = jsonOf<{ address: string; network: string }>(created);
  assert.equal(network, 'devnet', 'the network is the node’s');
  assert.equal(t.node.wallet.isMine(address), false, 'the node does not hold the owner key');
  const stored = readFileSync(walletFile, 'utf8');
  assert.match(stored, /"format": "fluxnode-wallet"/);
  assert.doesNotMatch(stored, new RegExp(address), 'the wallet file is encrypted');

  // Fund the owner from the node's wallet (as anyone would pay them), and mine it.
  const fund = t.node.wallet.createPayment({ to: [{ address, amount: 20n * 100_000_000n }] });
  await t.node.acceptTransaction(fund.tx);
  await mineBlocks(t.node, 1);
  const balance = await runCli(['owner', 'balance', '--wallet-file', walletFile, '--node', api, '--json'], {
    env,
  });
  assert.equal(balance.status, 0, balance.stderr);
  assert.deepEqual(
    jsonOf<{ address: string; spendableSat: number }[]>(balance).map((b) => [b.address, b.spendableSat]),
    [[address, 20 * 100_000_000]],
  );

  const spec = { ...parseYaml(readFileSync(HELLO, 'utf8')), name: 'ownedapp', owner: address };
  const file = join(t.dir, 'ownedapp.json');
  writeFileSync(file, JSON.stringify(spec));
  const quote = await runCli(['app', 'quote', file, '--node', api, '--json']);
  assert.equal(quote.status, 0, quote.stderr);
  const q = jsonOf<{ kind: string; satoshis: { amount: number } }>(quote);
  assert.equal(q.kind, 'register');

  const reg = await runCli(['app', 'register', file, '--wallet-file', walletFile, '--node', api, '--json'], {
    env,
  });
  assert.equal(reg.status, 0, reg.stderr);
  const r = jsonOf<{ kind: string; specHash: string; txid: string; amount: number }>(reg);
  assert.equal(r.kind, 'register');
  assert.equal(r.amount, q.satoshis.amount);
  assert.ok(t.node.mempool.get(r.txid), 'the owner-signed payment is in the node’s pool');
  await mineBlocks(t.node, 1);
  const active = t.node.cloud.activeApps().find((a) => a.name === 'ownedapp');
  assert.equal(active?.specHash, r.specHash);
  assert.equal(active?.owner, address);

  // The same spec again is a renewal: refused as a registration, quoted and paid as a renewal.
  const again = await runCli(['app', 'register', file, '--wallet-file', walletFile, '--node', api], { env });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /would be a renew, not a register/);
  const renew = await runCli(['app', 'renew', file, '--wallet-file', walletFile, '--node', api, '--json'], {
    env,
  });
  assert.equal(renew.status, 0, renew.stderr);
  await mineBlocks(t.node, 1);
  const renewed = t.node.cloud.activeApps().find((a) => a.name === 'ownedapp');
  assert.equal(renewed?.expiresAt, active!.expiresAt + spec.expire, 'a full price buys a full lifetime more');
});

test('app register: a spec file that cannot be read or parsed exits 2', async () => {
  const broken = join(t.dir, 'broken.yaml');
  writeFileSync(broken, 'name: [unclosed\n');
  for (const [file, why] of [
    [join(t.dir, 'none.yaml'), /cannot read/],
    [broken, /cannot parse .*not valid YAML/],
  ] as const)
    await assert.rejects(
      parseInProcess(registerApp, ['app', 'register', file, ...t.conn]),
      (err) => err instanceof CliError && err.exitCode === 2 && why.test(err.message),
    );
});
