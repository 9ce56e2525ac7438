// The multi-component example on a real devnet: `devnet up --app examples/relay-app.json` places
// three instances of an app whose `front` mirrors its `back` by container name
// (http://fluxback_relay:8080/) on the app's own Docker network. Every instance's /upstream.html
// must then show back's page, which only works if the two components reach each other by name.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CLI_MAIN } from '../../../src/devnet/host-process.ts';
import { readState } from '../../../src/devnet/state.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import type { DevnetSummary } from '../../../src/devnet/up.ts';
import { dockerSkip, fetchText, freePort } from './docker-fixture.ts';

const execFileAsync = promisify(execFile);
const REPO = path.resolve(path.dirname(CLI_MAIN), '..', '..');
const BASE = 151; // nodes on 127.0.0.151-153, registry on .150, bridges fluxbr151-153
const RELAY = path.join(REPO, 'examples', 'relay-app.json');

describe('the relay example on a three-node devnet', { skip: dockerSkip(), timeout: 300_000 }, () => {
  let base = '';
  let dir = '';

  before(async () => {
    base = await mkdtemp('/tmp/fxrl-');
    dir = path.join(base, 'devnet');
  });

  after(async () => {
    const left = readState(dir);
    if (left) await teardownDevnet(left);
    await rm(base, { recursive: true, force: true });
  });

  test('each instance’s front reaches its back by container name on the app’s network', async () => {
    const registryPort = await freePort(`127.0.0.${BASE - 1}`);
    const args = ['devnet', 'up', '--dir', dir, '--nodes', '3', '--tiers', '1,1,1'];
    args.push('--base-address', `127.0.0.${BASE}`, '--registry-port', String(registryPort));
    args.push('--block-interval-ms', '500', '--app', RELAY, '--json');
    const run = await execFileAsync(process.execPath, [CLI_MAIN, ...args], { timeout: 240_000, cwd: REPO });
    const summary = JSON.parse(run.stdout) as DevnetSummary;
    assert.ok(summary.app);
    const hosts = [...new Set(summary.app.urls.map((u) => new URL(u).hostname))];
    assert.equal(hosts.length, 3, `three nodes host it: ${summary.app.urls}`);
    for (const host of hosts) {
      let mirrored = '';
      for (const until = Date.now() + 30_000; Date.now() < until && !mirrored; ) {
        mirrored = await fetchText(`http://${host}:31100/upstream.html`).catch(() => '');
        if (!mirrored) await new Promise((r) => setTimeout(r, 500));
      }
      assert.match(mirrored, /app relay, component back/, `front on ${host} shows back's page`);
    }
  });
});
