// The routing mesh with a real HAProxy (Debian's) in front of two small HTTP servers standing in
// for app instances: own instance first, failover when it dies, no reload while the view is
// unchanged, a reload that refuses no connection, and nothing left behind on close.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, createConnection, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { MESH_ERRORS, MeshError } from '../../../src/cloud/mesh/errors.ts';
import { findExecutable, requireHaproxy } from '../../../src/cloud/mesh/haproxy.ts';
import { RoutingMesh } from '../../../src/cloud/mesh/mesh.ts';
import type { MeshListener, MeshView } from '../../../src/cloud/mesh/view.ts';
import { createMeshMetrics } from '../../../src/cloud/metrics.ts';
import { processAlive } from '../../../src/devnet/dockerd.ts';

const HOST = '127.0.0.1';
const silent = { debug() {}, info() {}, warn() {} };

function instance(name: string): Promise<Server> {
  const s = createServer((_req, res) => res.end(`hello from ${name}`));
  return new Promise((r) => s.listen(0, HOST, () => r(s)));
}

const portOf = (s: { address(): unknown }) => (s.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, HOST, () => r()));
  const p = portOf(s);
  await new Promise((r) => s.close(r));
  return p;
}

/** One request on a connection of its own (a TCP proxy ties a kept-alive connection to one server). */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: '/', agent: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: HOST, port });
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', () => resolve(true));
  });
}

describe('the routing mesh with a real HAProxy', {
  skip: findExecutable('haproxy') ? false : 'haproxy is not installed',
}, () => {
  let dir = '';
  let own: Server;
  let other: Server;
  let port = 0;
  let mesh: RoutingMesh;
  let view: MeshView;
  const registry = new Registry();
  const metrics = createMeshMetrics(registry);
  const listener = (servers: MeshListener['servers']): MeshView => ({
    listeners: [{ app: 'hello', component: 'web', port, servers }],
    shadowed: [],
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fxmesh-'));
    [own, other, port] = await Promise.all([instance('own'), instance('other'), freePort()]);
    view = listener([
      { node: 'self', address: HOST, port: portOf(own), own: true },
      { node: 'peer', address: HOST, port: portOf(other), own: false },
    ]);
    mesh = new RoutingMesh(
      { binary: requireHaproxy(), dir, bind: HOST, checkMs: 200 },
      { view: () => view, log: silent, metrics },
    );
  });

  after(async () => {
    await mesh.close();
    own.close();
    other.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('starts HAProxy on the app port, which answers from the own instance first', async () => {
    assert.equal((await mesh.reconcile()).action, 'start');
    for (let i = 0; i < 5; i++) assert.equal(await get(port), 'hello from own');
    assert.match(await readFile(mesh.configPath, 'utf8'), /server peer 127\.0\.0\.1:\d+ check backup/);
    assert.deepEqual(mesh.listening(), [{ app: 'hello', port, address: `${HOST}:${port}` }]);
    assert.equal((await metrics.up.get()).values[0]?.value, 1);
  });

  test('an unchanged view reloads nothing', async () => {
    assert.equal((await mesh.reconcile()).action, 'none');
  });

  test('when the own instance dies, every request is served by the other at once', async () => {
    await new Promise((r) => own.close(r));
    own.closeAllConnections();
    // The failed connect is redispatched to the backup: no request fails, even before the check sees it.
    for (let i = 0; i < 10; i++) assert.equal(await get(port), 'hello from other');
  });

  test('a reload to a new view refuses no connection while it happens', async () => {
    const third = await instance('third');
    let failures = 0;
    let served = 0;
    let stop = false;
    const load = (async () => {
      while (!stop)
        await get(port).then(
          () => served++,
          () => failures++,
        );
    })();
    view = listener([
      { node: 'peer', address: HOST, port: portOf(other), own: false },
      { node: 'third', address: HOST, port: portOf(third), own: false },
    ]);
    const out = await mesh.reconcile();
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await load;
    third.close();
    assert.equal(out.action, 'reload');
    assert.ok(served > 10, `${served} requests served`);
    assert.equal(failures, 0);
    const config = await readFile(mesh.configPath, 'utf8');
    assert.doesNotMatch(config, /backup/, 'no own instance: every instance is a normal server');
  });

  test('a port another process holds is left out instead of failing the whole config', async () => {
    const squatter = netServer();
    const busy = await freePort();
    await new Promise<void>((r) => squatter.listen(busy, HOST, () => r()));
    const before = view;
    view = {
      listeners: [...before.listeners, { app: 'other', component: 'web', port: busy, servers: [] }],
      shadowed: [],
    };
    const out = await mesh.reconcile();
    squatter.close();
    view = before;
    assert.deepEqual(out.busy, [busy]);
    assert.equal(out.action, 'none', 'the config without the busy port is the one running');
  });

  test('close stops HAProxy and frees the port', async () => {
    const pid = mesh.pid;
    assert.ok(pid && processAlive(pid));
    await mesh.close();
    assert.equal(await refused(port), true);
    assert.equal(processAlive(pid), false);
  });

  test('a host without haproxy gets a typed error naming where it looked', () => {
    assert.throws(
      () => requireHaproxy(['/nonexistent']),
      (e: unknown) =>
        e instanceof MeshError && e.code === MESH_ERRORS.haproxyMissing && e.value === '/nonexistent',
    );
  });
});
