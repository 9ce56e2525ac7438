// The whole thing, through the real CLI as `npm start` runs it: `devnet up` brings up three nodes
// (one of each tier) with their own Docker engines, mines, funds and confirms the fluxnodes,
// publishes the sample image and registers the sample app, which must then answer on three
// addresses. Then status, a node killed and restarted, and `npm run devnet -- down`, after which
// no process, container, bridge, mount or folder of the devnet may remain.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { processAlive, requireTool } from '../../../src/devnet/dockerd.ts';
import { CLI_MAIN } from '../../../src/devnet/host-process.ts';
import { type DevnetState, readState } from '../../../src/devnet/state.ts';
import type { DevnetStatus } from '../../../src/devnet/status.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import type { DevnetSummary } from '../../../src/devnet/up.ts';
import { cgroupsNamed, dockerSkip, fetchText, freePort, leftovers, refused } from './docker-fixture.ts';
import { at } from '../../support/at.ts';
import type { AppDetail, OwnerOpAnswer } from '../../../src/api/index.ts';
import { type OwnerOp, type OwnerRequestFields, ownerRequestText } from '../../../src/cloud/index.ts';
import { rpcOf } from '../../../src/devnet/host-process.ts';
import { sealSecrets } from '../../../src/cloud/index.ts';
import { fromHex } from '../../../src/consensus/index.ts';
import { readdir, readFile } from 'node:fs/promises';

const execFileAsync = promisify(execFile);
const REPO = path.resolve(path.dirname(CLI_MAIN), '..', '..');
const BASE = 191; // nodes on 127.0.0.191-193, registry on .190, bridges fluxbr191-193

function bridgeExists(name: string): boolean {
  try {
    execFileSync(requireTool('ip'), ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function cli(args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(process.execPath, [CLI_MAIN, ...args], { timeout: timeoutMs, cwd: REPO });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`fluxnode ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe('devnet up → status → kill/restart → down', { skip: dockerSkip(), timeout: 240_000 }, () => {
  let base = '';
  let dir = '';
  let summary: DevnetSummary;
  let state: DevnetState;
  let upStderr = '';

  before(async () => {
    base = await mkdtemp('/tmp/fxde-');
    dir = path.join(base, 'devnet');
  });

  after(async () => {
    const left = readState(dir);
    if (left) await teardownDevnet(left);
    await rm(base, { recursive: true, force: true });
  });

  test('devnet up: three nodes, one per tier, and the sample app answering on three addresses', async () => {
    const registryPort = await freePort(`127.0.0.${BASE - 1}`);
    const run = await cli(
      [
        'devnet',
        'up',
        '--dir',
        dir,
        '--nodes',
        '3',
        '--tiers',
        '1,1,1',
        '--base-address',
        `127.0.0.${BASE}`,
        '--registry-port',
        String(registryPort),
        '--block-interval-ms',
        '500',
        '--json',
      ],
      180_000,
    );
    upStderr = run.stderr;
    summary = JSON.parse(run.stdout);
    state = readState(dir)!;
    assert.equal(state.phase, 'up');

    // Progress was shown step by step, each with a ✓.
    for (const step of [
      'Host tools',
      'Registry',
      'Docker engines',
      'Node processes',
      'Sample app answering',
    ]) {
      assert.match(upStderr, new RegExp(`✓ ${step}`), `step ${step} reported`);
    }
    assert.deepEqual(
      summary.nodes.map((n) => [n.host, n.tier]),
      [
        [`127.0.0.${BASE}`, 'cumulus'],
        [`127.0.0.${BASE + 1}`, 'nimbus'],
        [`127.0.0.${BASE + 2}`, 'stratus'],
      ],
    );
    assert.equal(summary.dashboard, `http://127.0.0.${BASE}:16127/`);
    assert.ok(summary.app);
    assert.equal(summary.app.urls.length, 3);
    // Three different nodes, each serving a page that names the node it runs on.
    const hosts = summary.app.urls.map((u) => new URL(u).hostname);
    assert.equal(new Set(hosts).size, 3);
    for (const url of summary.app.urls) assert.match(await fetchText(url), /hello from/);
    // Every node process, engine and the registry are alive, as the state file says.
    for (const n of state.nodes) {
      assert.ok(n.pid && processAlive(n.pid), `${n.name} process`);
      assert.ok(n.dockerd.pid && processAlive(n.dockerd.pid), `${n.name} engine`);
    }
    assert.ok(state.registry.pid && processAlive(state.registry.pid));
  });

  test('devnet status: every node running and confirmed in its tier; the app at three locations', async () => {
    const s: DevnetStatus = JSON.parse(
      (await cli(['devnet', 'status', '--dir', dir, '--json'], 30_000)).stdout,
    );
    assert.equal(s.registry.running, true);
    for (const n of s.nodes) {
      assert.equal(n.process, 'running', n.name);
      assert.equal(n.engine, 'running', n.name);
      assert.equal(n.fluxnode, 'confirmed', n.name);
      assert.ok((n.height ?? 0) > 11, `${n.name} height ${n.height}`);
      assert.ok((n.peers ?? 0) >= 1, `${n.name} peers`);
    }
    // Varied locations, round-robin over the devnet's list: two in Europe, one in North America.
    assert.deepEqual(
      s.nodes.map((n) => n.geolocation),
      ['EU_DE', 'NA_US', 'EU_FR'],
    );
    const hello = s.apps.find((a) => a.name === summary.app?.name);
    assert.ok(hello);
    assert.equal(hello.locations.length, 3);
    // One container per node runs the app: seen through each node's own engine.
    assert.deepEqual(
      s.nodes.map((n) => n.containers),
      [1, 1, 1],
    );
  });

  /** An owner request for the sample app, signed by node 1's wallet (it holds the owner's key) with signmessage. */
  async function signOp(op: OwnerOp, nodes: string[], extra: Partial<OwnerRequestFields> = {}) {
    const first = at(state.nodes, 0);
    const app = (await (
      await fetch(`http://${first.host}:${first.apiPort}/apps/${summary.app!.name}`)
    ).json()) as AppDetail;
    const f: OwnerRequestFields = {
      op,
      app: app.name,
      nodes: [...nodes].sort(),
      nonce: randomBytes(16).toString('hex'),
      issuedAt: Date.now(),
      ...extra,
    };
    const signature = await rpcOf(state, first).call<string>('signmessage', [app.owner, ownerRequestText(f)]);
    return { ...f, signature };
  }

  /** Hands a request to the third node, which relays it over p2p to the nodes it names. */
  async function sendOp(req: unknown): Promise<OwnerOpAnswer> {
    const via = at(state.nodes, 2);
    const res = await fetch(`http://${via.host}:${via.apiPort}/apps/${summary.app!.name}/ops?timeout=30000`, {
      method: 'POST',
      body: JSON.stringify(req),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as OwnerOpAnswer;
  }

  test('an owner’s request signed once reaches every instance through one node: labelled logs, stop held, start, replay refused', async (t) => {
    const first = at(state.nodes, 0);
    const api = `http://${first.host}:${first.apiPort}`;
    const name = summary.app!.name;
    const app = (await (await fetch(`${api}/apps/${name}`)).json()) as AppDetail;
    const nodes = [...new Set(app.locations.map((l) => l.node))].sort();
    assert.equal(nodes.length, 3);
    // Any Flux wallet can sign one: node 1's does, through signmessage.
    const sign = (op: OwnerOp, extra: Partial<OwnerRequestFields> = {}) => signOp(op, nodes, extra);
    const send = sendOp;
    const statuses = (a: OwnerOpAnswer) => a.nodes.map((n) => (n.status === 'refused' ? n.rule : n.status));

    const logsReq = await sign('logs', { tail: 20 });
    const t0 = performance.now();
    const logs = await send(logsReq);
    t.diagnostic(
      `owner logs of 3 instances handed to one node (2 over p2p): ${Math.round(performance.now() - t0)} ms`,
    );
    assert.deepEqual(statuses(logs), ['ok', 'ok', 'ok'], JSON.stringify(logs.nodes));
    const labelled = new Set(logs.lines!.map((l) => `${l.node} ${l.ip} ${l.container}`));
    assert.deepEqual(
      [...labelled].sort(),
      nodes.map((n) => `${n} ${app.locations.find((l) => l.node === n)!.ip} fluxweb_${name}`).sort(),
      'lines come from the instances on all three nodes, each labelled with its node and container',
    );

    const stop = await sign('stop');
    const stopped = await send(stop);
    assert.deepEqual(statuses(stopped), ['ok', 'ok', 'ok'], JSON.stringify(stopped.nodes));
    // Reconcile passes run on every block: three blocks later the instances are still stopped.
    const height = async () =>
      ((await (await fetch(`${api}/chain/info`)).json()) as { height: number }).height;
    const h0 = await height();
    while ((await height()) < h0 + 3) await new Promise((r) => setTimeout(r, 200));
    const held = await send(await sign('inspect'));
    for (const n of held.nodes) {
      assert.ok(n.status === 'ok' && n.stopped, JSON.stringify(n));
      assert.deepEqual(
        n.containers.map((c) => c.state),
        ['exited'],
      );
    }
    // No instance serves anywhere (with the routing mesh, a node's port still accepts and finds none).
    for (const url of summary.app!.urls) {
      const body = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.text(),
        () => '',
      );
      assert.doesNotMatch(body, /hello from/, url);
    }
    assert.deepEqual(statuses(await send(stop)), ['replayed', 'replayed', 'replayed'], 'a replay is refused');

    const started = await send(await sign('start'));
    assert.deepEqual(statuses(started), ['ok', 'ok', 'ok'], JSON.stringify(started.nodes));
    for (const url of summary.app!.urls) assert.match(await fetchText(url, 30_000), /hello from/);
  });

  test('devnet kill stops a node and its containers at once; restart brings both back', async () => {
    const victim = at(state.nodes, 1);
    const url = summary.app!.urls.find((u) => new URL(u).hostname === victim.host)!;
    const socket = victim.dockerd.socketPath!;
    const containers = await new Docker({ socketPath: socket }).listContainers();
    const containerPid = (
      await new Docker({ socketPath: socket }).getContainer(at(containers, 0).Id).inspect()
    ).State.Pid;
    const before = { node: victim.pid!, engine: victim.dockerd.pid! };

    await cli(['devnet', 'kill', victim.name, '--dir', dir], 30_000);
    for (const pid of [before.node, before.engine, containerPid])
      assert.equal(processAlive(pid), false, `pid ${pid}`);
    assert.equal(await refused(victim.host, Number(new URL(url).port)), true, 'its app instance is gone');
    assert.equal(await refused(victim.host, 16127), true, 'its API is gone');
    const other = at(state.nodes, 0);
    assert.ok(processAlive(at(readState(dir)!.nodes, 0).pid!), `${other.name} is unaffected`);

    await cli(['devnet', 'restart', victim.name, '--dir', dir], 60_000);
    const after = at(readState(dir)!.nodes, 1);
    assert.ok(after.pid && processAlive(after.pid) && after.pid !== before.node);
    assert.ok(after.dockerd.pid && processAlive(after.dockerd.pid));
    assert.ok(await new Docker({ socketPath: after.dockerd.socketPath! }).ping());
    const s: DevnetStatus = JSON.parse(
      (await cli(['devnet', 'status', '--dir', dir, '--json'], 30_000)).stdout,
    );
    assert.equal(at(s.nodes, 1).process, 'running');
    // Same data: its wallet still holds the collateral, so it is a fluxnode again (re-announced if
    // it expired while down) and the network puts the app's third instance back on it.
    assert.ok((at(s.nodes, 1).height ?? 0) > 11);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now: DevnetStatus = JSON.parse(
        (await cli(['devnet', 'status', '--dir', dir, '--json'], 30_000)).stdout,
      );
      const back = now.apps[0]?.locations.some((l) => l.nodeName === victim.name);
      if (back && at(now.nodes, 1).fluxnode === 'confirmed') break;
      assert.ok(Date.now() < deadline, `the app did not come back to ${victim.name}: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.match(await fetchText(url, 30_000), /hello from/);
    state = readState(dir)!;
  });

  test('an instance its owner stopped stays stopped when its node restarts, until the owner starts it', async () => {
    const victim = at(state.nodes, 1);
    const url = summary.app!.urls.find((u) => new URL(u).hostname === victim.host)!;
    const first = at(state.nodes, 0);
    const app = (await (
      await fetch(`http://${first.host}:${first.apiPort}/apps/${summary.app!.name}`)
    ).json()) as AppDetail;
    const id = app.locations.find((l) => l.ip === victim.host)!.node;
    const stopped = await sendOp(await signOp('stop', [id]));
    assert.equal(at(stopped.nodes, 0).status, 'ok', JSON.stringify(stopped.nodes));

    await cli(['devnet', 'restart', victim.name, '--dir', dir], 60_000);
    state = readState(dir)!;
    // Its agent answers again once it runs; three blocks later (a reconcile pass each) it still holds.
    const inspect = async () => at((await sendOp(await signOp('inspect', [id]))).nodes, 0);
    const deadline = Date.now() + 60_000;
    while ((await inspect()).status !== 'ok') {
      assert.ok(Date.now() < deadline, 'the restarted node’s agent did not answer');
      await new Promise((r) => setTimeout(r, 500));
    }
    const height = async () =>
      (
        (await (await fetch(`http://${victim.host}:${victim.apiPort}/chain/info`)).json()) as {
          height: number;
        }
      ).height;
    const h0 = await height();
    while ((await height()) < h0 + 3) await new Promise((r) => setTimeout(r, 200));
    const held = await inspect();
    assert.ok(held.status === 'ok' && held.stopped, JSON.stringify(held));
    // The devnet removes a node's containers when it stops its engine: held, none is created again.
    assert.deepEqual(
      held.containers.filter((c) => c.state === 'running'),
      [],
    );
    // Its own instance is held, and the node's routing mesh answers from the app's other instances.
    const page = await fetchText(url);
    assert.match(page, /hello from/);
    assert.doesNotMatch(page, new RegExp(`hello from ${id}`));

    assert.equal(at((await sendOp(await signOp('start', [id]))).nodes, 0).status, 'ok');
    // Started again, its own instance is the one its node's mesh answers from (own first).
    const until = Date.now() + 30_000;
    while (!(await fetchText(url, 30_000)).includes(`hello from ${id}`)) {
      assert.ok(Date.now() < until, `${victim.name} does not answer from its own instance again`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  test('an app that allows only Europe runs on the European nodes alone, and says geolocation kept it off the other', async () => {
    const node1 = at(state.nodes, 0);
    const rpc = rpcOf(state, node1);
    const owner = await rpc.call<string>('getnewaddress', ['geo owner']);
    const spec = {
      version: 1,
      name: 'geoeu',
      description: 'hello, in Europe only',
      owner,
      instances: 3,
      expire: 22000,
      geolocation: ['acEU'],
      components: [
        {
          name: 'web',
          description: 'busybox httpd',
          repotag: state.sampleImage!.ref,
          ports: [31010],
          containerPorts: [8080],
          environmentParameters: ['PORT=8080'],
          commands: [],
          containerData: '/www',
          cpu: 0.1,
          ram: 100,
          hdd: 1,
        },
      ],
    };
    await rpc.call('registerapp', [spec]);
    const europe = state.nodes.filter((n) => n.geolocation?.startsWith('EU_')).map((n) => n.collateral);
    assert.equal(europe.length, 2);
    const deadline = Date.now() + 90_000;
    let app: AppDetail | undefined;
    for (;;) {
      const res = await fetch(`http://${node1.host}:${node1.apiPort}/apps/geoeu`);
      app = res.status === 200 ? ((await res.json()) as AppDetail) : undefined;
      const running = app?.locations.filter((l) => l.state === 'running').map((l) => l.node) ?? [];
      if (running.length === 2 && app?.placement?.filtered['geo-excluded'] === 1) break;
      assert.ok(Date.now() < deadline, `geoeu did not settle: ${JSON.stringify(app)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.deepEqual(app.locations.map((l) => l.node).sort(), [...europe].sort());
    assert.equal(app.unplaced, 1, 'three instances asked, two nodes allowed');
    assert.deepEqual(app.placement?.filtered, { 'geo-excluded': 1 });
    assert.match(app.placement?.summary ?? '', /1 geo-excluded/);
    // Its data folder there is a volume of its hdd (the devnet runs as root with loop devices).
    const [container] = await new Docker({ socketPath: node1.dockerd.socketPath! }).listContainers({
      filters: { label: ['flux.app=geoeu'] },
    });
    assert.equal(container?.Labels['flux.hdd.enforced'], 'true');
    // The others run no container of it (the routing mesh may still answer its port there).
    for (const n of state.nodes.filter((x) => !x.geolocation?.startsWith('EU_'))) {
      const there = await new Docker({ socketPath: n.dockerd.socketPath! }).listContainers({
        all: true,
        filters: { label: ['flux.app=geoeu'] },
      });
      assert.deepEqual(there, [], `${n.name} (${n.geolocation}) runs no instance`);
    }
  });

  test('a sealed secret reaches the containers on the named nodes, and no API answer, log or file of a node holds it', async () => {
    const node1 = at(state.nodes, 0);
    const api = (n: (typeof state.nodes)[number], route: string) =>
      fetch(`http://${n.host}:${n.apiPort}${route}`).then((r) => r.text());
    const PLAIN = `vault-${randomBytes(8).toString('hex')}`;
    const owner = await rpcOf(state, node1).call<string>('getnewaddress', ['vault owner']);
    const named = state.nodes.map((n) => n.collateral!);
    const keys = await Promise.all(
      named.map(
        async (c) => JSON.parse(await api(node1, `/nodes/${encodeURIComponent(c)}`)).pubkey as string,
      ),
    );
    const spec = {
      version: 1,
      name: 'vault',
      description: 'a sealed password',
      owner,
      instances: 3,
      expire: 22000,
      nodes: named,
      components: [
        {
          name: 'web',
          description: 'busybox httpd',
          repotag: state.sampleImage!.ref,
          ports: [31012],
          containerPorts: [8080],
          environmentParameters: ['PORT=8080'],
          commands: [],
          containerData: '/www',
          cpu: 0.1,
          ram: 100,
          hdd: 1,
          secrets: named.map((node, i) => ({
            node,
            box: sealSecrets([`DB_PASSWORD=${PLAIN}`], fromHex(at(keys, i)), {
              app: 'vault',
              component: 'web',
              node,
            }),
          })),
        },
      ],
    };
    await rpcOf(state, node1).call('registerapp', [spec]);
    const deadline = Date.now() + 90_000;
    let hosting: string[] = [];
    for (;;) {
      const app = JSON.parse(await api(node1, '/apps/vault').catch(() => '{}')) as Partial<AppDetail>;
      // The cumulus node may be full by now (the devnet's tiers are small): every placed instance must run.
      const running = (app.locations ?? []).filter((l) => l.state === 'running');
      if (running.length >= 2 && running.length === app.placed) {
        hosting = running.map((l) => l.node);
        break;
      }
      assert.ok(Date.now() < deadline, `vault did not start: ${JSON.stringify(app)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const hosts = state.nodes.filter((n) => hosting.includes(n.collateral!));
    assert.equal(hosts.length, hosting.length);
    for (const n of hosts) {
      const [c] = await new Docker({ socketPath: n.dockerd.socketPath! }).listContainers({
        filters: { label: ['flux.app=vault'] },
      });
      const info = await new Docker({ socketPath: n.dockerd.socketPath! }).getContainer(c!.Id).inspect();
      assert.ok(info.Config.Env.includes(`DB_PASSWORD=${PLAIN}`), `${n.name}'s engine got the opened secret`);
    }
    // Every REST and JSON-RPC answer about it, from every node, and every file the devnet's nodes
    // wrote (their logs included); aside: the engines' own state and the apps' own data.
    const answers: string[] = [];
    for (const n of state.nodes) {
      for (const route of [
        '/apps',
        '/apps/vault',
        '/apps/vault/locations',
        '/nodes',
        '/node/status',
        '/metrics',
      ])
        answers.push(await api(n, route));
      for (const [method, params] of [
        ['getapp', ['vault']],
        ['listapps', []],
      ] as const)
        answers.push(JSON.stringify(await rpcOf(state, n).call(method, [...params])));
    }
    assert.ok(answers.every((a) => a.length > 0));
    assert.ok(!answers.some((a) => a.includes(PLAIN)), 'no API answer holds the secret');
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter(
      (e) =>
        e.isFile() &&
        !path
          .relative(dir, e.parentPath)
          .split(path.sep)
          .some((p) => ['docker', 'appvolumes', 'appdata'].includes(p)),
    );
    assert.ok(
      files.some((f) => f.name === 'node.log'),
      'the nodes’ logs are among the files read',
    );
    for (const f of files) {
      const bytes = await readFile(path.join(f.parentPath, f.name)).catch(() => Buffer.alloc(0));
      assert.ok(!bytes.includes(PLAIN), `${path.join(f.parentPath, f.name)} holds the secret`);
    }
  });

  test('npm run devnet -- down leaves no process, container, bridge, mount or folder behind', async () => {
    const pids = [state.registry.pid!, ...state.nodes.flatMap((n) => [n.pid!, n.dockerd.pid!])];
    const sockets = state.nodes.map((n) => n.dockerd.socketPath!);
    await execFileAsync('npm', ['run', '--silent', 'devnet', '--', 'down', '--dir', dir], {
      cwd: REPO,
      timeout: 60_000,
    });
    for (const pid of pids) assert.equal(processAlive(pid), false, `pid ${pid} gone`);
    for (const socket of sockets) {
      await assert.rejects(new Docker({ socketPath: socket, timeout: 1_000 }).listContainers(), socket);
    }
    for (const n of state.nodes) {
      assert.equal(bridgeExists(`fluxbr${n.dockerd.bridgeIndex}`), false);
      assert.deepEqual(cgroupsNamed(`fluxnode${n.dockerd.bridgeIndex}-${n.name}`), []);
      for (const url of summary.app!.urls)
        assert.equal(await refused(new URL(url).hostname, Number(new URL(url).port)), true);
    }
    assert.deepEqual(leftovers(dir), []);
    assert.equal(existsSync(dir), false);
  });
});
