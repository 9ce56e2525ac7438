/**
 * `fluxnode app logs NAME` against the real REST routes (the API tests' fixture network, which has
 * an app "hello" placed on three nodes and a logs provider): the CLI's signed request must pass the
 * route's own owner check; a key that is not the owner's is refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ownerLogsRequest, register as registerApp } from '../../../src/cli/commands/app.ts';
import { CliError } from '../../../src/cli/output.ts';
import { checkOwnerSignature } from '../../../src/api/rest/owner-auth.ts';
import { encodeWif } from '../../../src/consensus/keys/wif.ts';
import { DashboardFixture, OWNER_ADDRESS, OWNER_KEY, params } from '../../support/rest-fixture.ts';
import { jsonOf, parseInProcess, runCli } from '../../support/cli-harness.ts';
import { at } from '../../support/at.ts';

let net: DashboardFixture;
const ownerWif = encodeWif(OWNER_KEY, params.base58.secretKey);

before(async () => {
  net = await DashboardFixture.start();
});

after(async () => {
  await net?.close();
});

test('the signed request is what the route’s owner check accepts, and nothing else', () => {
  const now = Math.floor(Date.now() / 1000);
  const body = ownerLogsRequest('hello', { privateKey: OWNER_KEY, compressed: true }, now);
  assert.doesNotThrow(() =>
    checkOwnerSignature(OWNER_ADDRESS, 'hello', body.message, body.signature, now, params),
  );
  assert.throws(
    () => checkOwnerSignature(OWNER_ADDRESS, 'other', body.message, body.signature, now, params),
    /message must read/,
  );
  assert.throws(
    () => checkOwnerSignature(net.minerAddress, 'hello', body.message, body.signature, now, params),
    /not by the app's owner/,
  );
});

test('app logs with the owner’s key prints the lines of every instance', async () => {
  const [asJson, forPeople] = await Promise.all([
    runCli(['app', 'logs', 'hello', '--api-url', net.url, '--owner-key', ownerWif, '--json']),
    runCli(['app', 'logs', 'hello', '--api-url', net.url], { env: { FLUXNODE_OWNER_KEY: ownerWif } }),
  ]);
  assert.equal(asJson.status, 0, asJson.stderr);
  const out = jsonOf<{ app: string; lines: { node: string; component: string; text: string }[] }>(asJson);
  assert.equal(out.app, 'hello');
  const expected = await net.apps.logs('hello', { tail: 100 });
  assert.deepEqual(out.lines, expected);
  assert.equal(out.lines.length, 3);

  assert.equal(forPeople.status, 0, forPeople.stderr);
  const lines = forPeople.stdout.trim().split('\n');
  assert.equal(lines.length, expected.length);
  for (const [i, l] of expected.entries()) {
    assert.ok(at(lines, i).includes(l.text), lines[i]);
    assert.ok(at(lines, i).includes(l.component));
  }
});

test('app logs: the wrong key or an unknown app exits 2; no key at all too', async () => {
  const minerWif = encodeWif(net.minerKey, params.base58.secretKey);
  const [wrongKey, unknown] = await Promise.all([
    runCli(['app', 'logs', 'hello', '--api-url', net.url, '--owner-key', minerWif]),
    runCli(['app', 'logs', 'nosuchapp', '--api-url', net.url, '--owner-key', ownerWif]),
  ]);
  assert.equal(wrongKey.status, 2);
  assert.ok(
    wrongKey.stderr.includes(
      `the owner key is for ${net.minerAddress}, but hello is owned by ${OWNER_ADDRESS}`,
    ),
    wrongKey.stderr,
  );
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no app named nosuchapp/);

  const saved = process.env.FLUXNODE_OWNER_KEY;
  delete process.env.FLUXNODE_OWNER_KEY;
  try {
    await assert.rejects(
      parseInProcess(registerApp, ['app', 'logs', 'hello', '--api-url', net.url]),
      (err) =>
        err instanceof CliError &&
        err.exitCode === 2 &&
        /--owner-key WIF or FLUXNODE_OWNER_KEY/.test(err.message),
    );
    await assert.rejects(
      parseInProcess(registerApp, ['app', 'logs', 'hello', '--api-url', net.url, '--owner-key', 'not-a-key']),
      (err) =>
        err instanceof CliError && err.exitCode === 2 && /not a WIF private key of devnet/.test(err.message),
    );
  } finally {
    if (saved !== undefined) process.env.FLUXNODE_OWNER_KEY = saved;
  }
});
