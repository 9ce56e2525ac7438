/**
 * `fluxnode app logs|stop|… NAME` against the real REST routes (the API tests' fixture network,
 * whose app "hello" runs on three nodes that check owner requests as hosting nodes do): the CLI
 * signs one request naming every node the app is placed on, with a key from an owner wallet file
 * or a WIF; a key that is not the owner's is refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OwnerOpAnswer } from '../../../src/api/rest/owner-op-routes.ts';
import { register as registerApp } from '../../../src/cli/commands/app.ts';
import { CliError } from '../../../src/cli/output.ts';
import { encodeWif } from '../../../src/consensus/keys/wif.ts';
import { DashboardFixture, OWNER_ADDRESS, OWNER_KEY, params } from '../../support/rest-fixture.ts';
import { BIN, jsonOf, parseInProcess, runCli } from '../../support/cli-harness.ts';

let net: DashboardFixture;
let dir: string;
const ownerWif = encodeWif(OWNER_KEY, params.base58.secretKey);

before(async () => {
  net = await DashboardFixture.start();
  dir = mkdtempSync(join(tmpdir(), 'app-ops-'));
});

after(async () => {
  await net?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('app logs with the owner’s key prints every instance’s lines, labelled with node and container', async () => {
  const [asJson, forPeople] = await Promise.all([
    runCli(['app', 'logs', 'hello', '--node', net.url, '--owner-key', ownerWif, '--json']),
    runCli(['app', 'logs', 'hello', '--node', net.url], { env: { FLUXNODE_OWNER_KEY: ownerWif } }),
  ]);
  assert.equal(asJson.status, 0, asJson.stderr);
  const out = jsonOf<OwnerOpAnswer>(asJson);
  const placed = (await net.apps.list()).find((a) => a.name === 'hello')!.locations;
  assert.deepEqual(out.nodes.map((n) => n.node).sort(), placed.map((l) => l.node).sort());
  assert.equal(out.lines?.length, 3);
  assert.deepEqual(new Set(out.lines?.map((l) => l.node)), new Set(placed.map((l) => l.node)));

  assert.equal(forPeople.status, 0, forPeople.stderr);
  const lines = forPeople.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const l of placed)
    assert.ok(
      lines.some((x) => x.includes(l.ip) && x.includes('fluxweb_hello')),
      l.ip,
    );
});

test('app stop with an owner wallet file: one signed request naming every hosting node, each carries it out', async () => {
  const wallet = join(dir, 'owner.wallet');
  const pass = join(dir, 'pass');
  writeFileSync(pass, 'correct horse\n');
  const imported = await runCli([
    'owner',
    'import',
    ownerWif,
    '--wallet-file',
    wallet,
    '--passphrase-file',
    pass,
    '--network',
    'devnet',
  ]);
  assert.equal(imported.status, 0, imported.stderr);
  const before = net.apps.requests.length;
  const r = await runCli([
    'app',
    'stop',
    'hello',
    '--wallet-file',
    wallet,
    '--passphrase-file',
    pass,
    '--node',
    net.url,
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const out = jsonOf<OwnerOpAnswer>(r);
  assert.deepEqual(
    out.nodes.map((n) => (n.status === 'ok' ? n.stopped : n.status)),
    [true, true, true],
  );
  const sent = net.apps.requests.slice(before);
  assert.equal(sent.length, 3, 'carried out once on each node');
  assert.equal(new Set(sent.map((q) => q.nonce)).size, 1, 'one request, one nonce');
  assert.equal(sent[0]?.op, 'stop');
});

test('app logs: the wrong key or an unknown app exits 2; no key at all too', async () => {
  const minerWif = encodeWif(net.minerKey, params.base58.secretKey);
  const [wrongKey, unknown] = await Promise.all([
    runCli(['app', 'logs', 'hello', '--node', net.url, '--owner-key', minerWif]),
    runCli(['app', 'restart', 'nosuchapp', '--node', net.url, '--owner-key', ownerWif]),
  ]);
  assert.equal(wrongKey.status, 2);
  assert.ok(
    wrongKey.stderr.includes(
      `the owner key is for ${net.minerAddress}, but the app is owned by ${OWNER_ADDRESS}`,
    ),
    wrongKey.stderr,
  );
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no app named nosuchapp/);

  const saved = process.env.FLUXNODE_OWNER_KEY;
  delete process.env.FLUXNODE_OWNER_KEY;
  try {
    await assert.rejects(
      parseInProcess(registerApp, ['app', 'logs', 'hello', '--node', net.url]),
      (err) => err instanceof CliError && err.exitCode === 2 && /--owner-key WIF/.test(err.message),
    );
    await assert.rejects(
      parseInProcess(registerApp, ['app', 'inspect', 'hello', '--node', net.url, '--owner-key', 'not-a-key']),
      (err) =>
        err instanceof CliError && err.exitCode === 2 && /not a WIF private key of devnet/.test(err.message),
    );
  } finally {
    if (saved !== undefined) process.env.FLUXNODE_OWNER_KEY = saved;
  }
});

test('app logs --follow prints labelled lines and asks again with a fresh request for what is newer', async () => {
  const before = net.apps.requests.length;
  const child = spawn(
    process.execPath,
    [BIN, 'app', 'logs', 'hello', '--node', net.url, '--follow', '--json'],
    {
      env: { ...process.env, FLUXNODE_OWNER_KEY: ownerWif },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  try {
    const deadline = Date.now() + 15_000;
    // Two rounds: each hosting node carries out the first request and then the next.
    while (net.apps.requests.length < before + 6) {
      assert.ok(Date.now() < deadline, `follow sent ${net.apps.requests.length - before} of 6 node requests`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill();
  }
  const [first, second] = [net.apps.requests[before], net.apps.requests[before + 3]];
  assert.ok(first && second);
  assert.notEqual(first.nonce, second.nonce, 'every round is a new signed request');
  assert.ok((second.since ?? 0) > (first.since ?? 0), 'the next round asks only for newer lines');
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { node: string; container: string });
  assert.ok(lines.length >= 3);
  for (const l of lines) assert.equal(l.container, 'fluxweb_hello');
});
