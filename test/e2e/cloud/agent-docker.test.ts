// Five cloud agents as five fluxnodes would run them: each with its own real dockerd and a real
// libp2p host on its own loopback address, one local registry holding the sample image, and a
// static chain view (five confirmed nodes; apps added and removed by the test). Needs root and the
// packages scripts/setup-host.sh installs.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import Docker from 'dockerode';
import { CloudAgent } from '../../../src/cloud/agent/agent.ts';
import type { ChainView, NodeRecordView } from '../../../src/cloud/agent/types.ts';
import { runBenchmark } from '../../../src/cloud/benchmark/run.ts';
import { MessageVerifyError } from '../../../src/cloud/messages/errors.ts';
import { type OwnerOp, signOwnerRequest } from '../../../src/cloud/messages/owner-request.ts';
import { signSpec, type VerifiedSpec } from '../../../src/cloud/messages/spec-announcement.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import { DockerRuntime } from '../../../src/cloud/runtime/docker-runtime.ts';
import { sealSecrets } from '../../../src/cloud/secrets/sealed-box.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import type { AppSpec, ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { addressForPublicKey } from '../../../src/consensus/keys/address.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';
import { type Dockerd, startDockerd } from '../../../src/devnet/dockerd.ts';
import { type Registry, startRegistry } from '../../../src/devnet/registry.ts';
import { publishSampleImage, type SampleImage } from '../../../src/devnet/sample-image.ts';
import { P2PHost } from '../../../src/p2p/host.ts';
import { dockerSkip, freePort, releaseMounts } from '../devnet/docker-fixture.ts';
import { at } from '../../support/at.ts';

const HEARTBEAT_MS = 1000;
const MISSED = 3;
const N = 5;
const INDEXES = [231, 232, 233, 234, 235]; // bridges and addresses of their own (other suites use 221–224)

// Every line the agents log is kept (the secrets test searches them); AGENT_TEST_LOG=1 prints them too.
const LOGGED: string[] = [];
const say = (level: string) => (obj: object, msg?: string) => {
  const line = `${new Date().toISOString().slice(17, 23)} ${level} ${msg ?? ''} ${JSON.stringify(obj)}`;
  LOGGED.push(line);
  if (process.env.AGENT_TEST_LOG) console.log(line);
};
const LOG = { debug: say('debug'), info: say('info'), warn: say('warn'), error: say('error') };

class StaticChain extends EventEmitter implements ChainView {
  height = 100;
  apps: RegisteredApp[] = [];
  readonly nodes: NodeRecordView[];
  constructor(nodes: NodeRecordView[]) {
    super();
    this.nodes = nodes;
  }
  tipHeight() {
    return this.height;
  }
  tipHash() {
    return toHex(sha256(new TextEncoder().encode(`block ${this.height}`)));
  }
  confirmedNodes() {
    return this.nodes;
  }
  activeApps() {
    return this.apps;
  }
  setApps(apps: RegisteredApp[]) {
    this.apps = apps;
    this.height++;
    this.emit('tip');
  }
}

interface Node {
  i: number;
  ip: string;
  id: string;
  key: Uint8Array;
  p2pPort: number;
  dir: string;
  dockerd?: Dockerd;
  runtime?: DockerRuntime;
  host?: P2PHost;
  agent?: CloudAgent;
  specs: VerifiedSpec[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(100);
  }
}

/** A port in the app range that nothing listens on at any of the nodes' addresses. */
async function freeAppPort(ips: string[]): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 31000 + Math.floor(Math.random() * 8999);
    const free = await Promise.all(
      ips.map(
        (host) =>
          new Promise<boolean>((resolve) => {
            const srv = net.createServer();
            srv.once('error', () => resolve(false));
            srv.listen({ host, port }, () => srv.close(() => resolve(true)));
          }),
      ),
    );
    if (free.every(Boolean)) return port;
  }
  throw new Error('no free app port');
}

async function get(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return await res.text();
  } catch {
    return undefined;
  }
}

describe('cloud agents on five real dockerds and libp2p hosts', {
  skip: dockerSkip(),
  timeout: 180_000,
}, () => {
  let base = '';
  let registry: Registry | undefined;
  let image: SampleImage;
  let chain: StaticChain;
  let appPort = 0;
  let app: RegisteredApp;
  const ownerKey = generatePrivateKey();
  const owner = addressForPublicKey(publicKeyOf(ownerKey), devnet.base58);
  const nodes: Node[] = [];
  const timings: Record<string, number> = {};

  const spec = (name: string, port: number): AppSpec =>
    validateAppSpec(
      {
        version: 1,
        name,
        description: 'agent test app',
        owner,
        components: [
          {
            name: 'web',
            description: 'busybox httpd',
            repotag: image.ref,
            ports: [port],
            containerPorts: [80],
            environmentParameters: [],
            commands: [],
            containerData: '/www',
            cpu: 0.2,
            ram: 100,
            hdd: 1,
          },
        ],
        instances: 3,
        expire: 1000,
        geolocation: [],
      },
      DEVNET_APP_LIMITS,
    );

  const registered = (s: AppSpec, height: number): RegisteredApp => ({
    name: s.name,
    owner: s.owner,
    spec: s as ValidSpec, // validated above
    specHash: specHash(s),
    height,
    registeredHeight: height,
    expiresAt: height + s.expire,
    paid: 100_000_000n,
    txid: toHex(sha256(new TextEncoder().encode(`pay ${s.name}`))),
  });

  async function startNode(n: Node): Promise<void> {
    n.dockerd ??= await startDockerd({
      name: `tag${n.i}`,
      dir: path.join(n.dir, 'docker'),
      bridgeIndex: at(INDEXES, n.i),
    });
    n.runtime = new DockerRuntime({
      socketPath: n.dockerd.socketPath,
      node: { nodeId: n.id, hostIp: n.ip, nodeDir: n.dir },
    });
    n.host = new P2PHost({
      network: 'agenttest',
      host: n.ip,
      port: n.p2pPort,
      bootstrap: nodes.filter((o) => o !== n).map((o) => `${o.ip}:${o.p2pPort}`),
    });
    await n.host.start();
    n.agent = new CloudAgent(
      {
        chain,
        gossip: n.host,
        runtime: n.runtime,
        identity: { nodeId: n.id, operatorPrivateKey: n.key, ip: n.ip, tier: 'cumulus' },
        benchmark: () => runBenchmark({ dataDir: n.dir, cpuMs: 100, diskMB: 4, threads: 1 }),
        onSpec: (s) => n.specs.push(s),
        log: LOG,
      },
      {
        heartbeatMs: HEARTBEAT_MS,
        missedIntervals: MISSED,
        reconcileMs: 3000,
        appLimits: DEVNET_APP_LIMITS,
        hardwareMinimums: devnet.fluxnodes.hardwareMinimums,
        restartTimeoutSec: 2,
        benchmarkRetryMs: 2000,
      },
    );
    await n.agent.start();
  }

  async function stopNode(n: Node): Promise<void> {
    await n.agent?.stop();
    await n.host?.stop();
    await n.dockerd?.stop();
    n.agent = undefined;
    n.host = undefined;
    n.dockerd = undefined;
    n.runtime = undefined;
  }

  const up = () => nodes.filter((n) => n.agent);

  /** Every running container of `appName` on every running dockerd, as [node index, container]. */
  async function running(appName: string) {
    const out: { node: Node; name: string; state: string }[] = [];
    for (const n of up()) {
      for (const c of await n.runtime!.listManagedContainers()) {
        if (c.app === appName) out.push({ node: n, name: c.name, state: c.state });
      }
    }
    return out;
  }

  /** Resolves once exactly `count` instances run, on distinct nodes, and each answers on its own address. */
  async function serving(count: number, ms: number): Promise<Node[]> {
    return until(
      `${count} instances answering`,
      async () => {
        const all = await running(app.name);
        const live = all.filter((c) => c.state === 'running');
        if (all.length !== count || live.length !== count) return undefined;
        if (new Set(live.map((c) => c.node)).size !== count) return undefined;
        for (const c of live) {
          const page = await get(`http://${c.node.ip}:${appPort}/`);
          if (!page?.includes(`hello from ${c.node.id}`)) return undefined;
        }
        return live.map((c) => c.node);
      },
      ms,
    );
  }

  /** Resolves once every running agent's locations for the app are exactly `hosts`, all running. */
  async function agreed(hosts: Node[], ms: number): Promise<void> {
    const want = hosts.map((h) => h.id).sort();
    await until(
      'agents to agree on locations',
      async () =>
        up().every((n) => {
          const locs = n.agent!.locations(app.name);
          return (
            JSON.stringify(locs.map((l) => l.node)) === JSON.stringify(want) &&
            locs.every(
              (l) => l.running && l.ports[0] === appPort && l.ip === nodes.find((x) => x.id === l.node)!.ip,
            )
          );
        }),
      ms,
    );
  }

  before(async () => {
    base = await mkdtemp('/tmp/fxag-');
    for (let i = 0; i < N; i++) {
      const ip = `127.0.0.${INDEXES[i]}`;
      nodes.push({
        i,
        ip,
        id: `${toHex(sha256(new TextEncoder().encode(`agent test collateral ${i}`)))}:0`,
        key: generatePrivateKey(),
        p2pPort: await freePort(ip),
        dir: path.join(base, `n${i}`),
        specs: [],
      });
    }
    chain = new StaticChain(
      nodes.map((n) => ({
        collateral: n.id,
        tier: 'cumulus',
        ip: `${n.ip}:16125`,
        operatorPubKey: toHex(publicKeyOf(n.key)),
        status: 'confirmed',
      })),
    );
    const [reg, ...dockerds] = await Promise.all([
      startRegistry({ dir: path.join(base, 'registry'), port: await freePort('127.0.0.1') }),
      ...nodes.map((n) =>
        startDockerd({ name: `tag${n.i}`, dir: path.join(n.dir, 'docker'), bridgeIndex: at(INDEXES, n.i) }),
      ),
    ]);
    registry = reg;
    dockerds.forEach((d, i) => {
      at(nodes, i).dockerd = d;
    });
    // Built on one node's engine and pushed; the others pull it from the registry like any image.
    image = await publishSampleImage(at(nodes, 0).dockerd!.socketPath, registry.address);
    appPort = await freeAppPort(nodes.map((n) => n.ip));
    app = registered(spec('hello', appPort), 90);
    await Promise.all(nodes.map((n) => startNode(n)));
  });

  after(async () => {
    if (Object.keys(timings).length) console.log('agent timings (s):', JSON.stringify(timings));
    await Promise.allSettled(nodes.map((n) => stopNode(n)));
    await registry?.stop();
    // App data folders are loop-mounted volumes: released before the folder goes.
    if (base) releaseMounts(base);
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('agents hear each other and know every benchmark before any app exists', async () => {
    await until(
      'every agent to see five eligible nodes',
      async () => up().every((n) => n.agent!.placement().eligible.length === N),
      20_000,
    );
    for (const n of up()) {
      assert.deepEqual(n.agent!.liveNodes(), nodes.map((x) => x.id).sort());
      const b = n.agent!.benchmarkOf(at(nodes, (n.i + 1) % N).id);
      assert.ok(b && b.eps > 0 && b.cores > 0, 'a peer’s signed benchmark result is known');
      assert.deepEqual(await n.runtime!.listManagedContainers(), []);
    }
  });

  test('a registered app runs exactly 3 instances on 3 distinct nodes, each answering', async () => {
    const t0 = Date.now();
    chain.setApps([app]);
    const hosts = await serving(3, 30_000);
    timings.registrationToServing = (Date.now() - t0) / 1000;
    await agreed(hosts, 10_000);
    timings.registrationToAgreedLocations = (Date.now() - t0) / 1000;
    // Every agent computes the same placement, and it names exactly the nodes that run the app.
    const placements = up().map((n) => JSON.stringify(n.agent!.placement().assignment.get(app.name)));
    assert.equal(new Set(placements).size, 1, `placements differ: ${placements}`);
    assert.deepEqual([...JSON.parse(at(placements, 0))].sort(), hosts.map((h) => h.id).sort());
  });

  test('the owner can inspect, read logs, restart, stop and start the app on a host; nobody else can', async () => {
    const host = at(await running(app.name), 0).node;
    let n = 0;
    const req = (op: OwnerOp, key = ownerKey, nodes = [host.id], issuedAt = Date.now()) =>
      signOwnerRequest(
        {
          op,
          app: app.name,
          nodes,
          nonce: `${Date.now().toString(16)}${(++n).toString(16).padStart(8, '0')}`,
          issuedAt,
        },
        key,
      );
    const status = await host.agent!.ownerOp(req('inspect'));
    assert.equal(status.placedHere, true);
    assert.deepEqual(
      status.containers.map((c) => [c.container, c.state]),
      [['fluxweb_hello', 'running']],
    );
    assert.ok((at(status.containers, 0).usage?.memoryBytes ?? 0) > 0, 'inspect reads the memory in use');

    await get(`http://${host.ip}:${appPort}/`);
    const logs = await host.agent!.ownerOp(req('logs'));
    assert.ok((logs.lines ?? []).length >= 1);
    const line = (logs.lines ?? []).find((l) => /hello: serving node/.test(l.text));
    assert.ok(line, JSON.stringify(logs.lines));
    assert.equal(line.node, host.id);
    assert.equal(line.container, 'fluxweb_hello');
    assert.ok(Math.abs(line.time - Date.now()) < 600_000, 'lines carry the engine’s time');

    const before = at(await host.runtime!.listManagedContainers(), 0);
    const { done } = await host.agent!.ownerOp(req('restart'));
    assert.deepEqual(done, ['fluxweb_hello']);
    const after = at(await host.runtime!.listManagedContainers(), 0);
    assert.equal(after.id, before.id, 'restarted in place, not re-created');
    assert.equal(after.state, 'running');
    // The app binds its port a moment after the container starts.
    await until(
      'the restarted app to answer',
      async () => (await get(`http://${host.ip}:${appPort}/`))?.includes('hello from'),
      5_000,
    );

    // Stopped by the owner: reconcile passes leave it stopped until the owner starts it.
    const stopped = await host.agent!.ownerOp(req('stop'));
    assert.deepEqual(
      stopped.containers.map((c) => c.state),
      ['exited'],
    );
    await host.agent!.reconcileNow('test');
    assert.equal(at(await host.runtime!.listManagedContainers(), 0).state, 'exited', 'held by reconcile');
    await host.agent!.ownerOp(req('start'));
    await until(
      'the started app to answer',
      async () => (await get(`http://${host.ip}:${appPort}/`))?.includes('hello from'),
      5_000,
    );

    const refuse = async (p: Promise<unknown>, rule: string) =>
      assert.rejects(p, (e: unknown) => e instanceof MessageVerifyError && e.rule === rule);
    await refuse(host.agent!.ownerOp(req('restart', generatePrivateKey())), 'bad-signature');
    await refuse(
      host.agent!.ownerOp(req('inspect', ownerKey, [nodes.find((x) => x !== host)!.id])),
      'wrong-node',
    );
    await refuse(
      host.agent!.ownerOp(req('logs', ownerKey, [host.id], Date.now() - 3_600_000)),
      'stale-request',
    );
    const once = req('restart');
    await host.agent!.ownerOp(once);
    await refuse(host.agent!.ownerOp(once), 'replayed');
    await serving(3, 10_000);
  });

  test('a container that dies is started again, and one removed behind the agent’s back is re-created', async () => {
    const host = at(await running(app.name), 0).node;
    const first = at(await host.runtime!.listManagedContainers(), 0);
    const t0 = Date.now();
    await host.runtime!.docker.getContainer(first.id).kill();
    await until(
      'the killed container to run again',
      async () => {
        const [c] = await host.runtime!.listManagedContainers();
        return c?.id === first.id && c.state === 'running';
      },
      10_000,
    );
    timings.diedToRestarted = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    await host.runtime!.remove(first.id);
    await until(
      'a new container in its place',
      async () => {
        const [c] = await host.runtime!.listManagedContainers();
        return c && c.id !== first.id && c.state === 'running';
      },
      10_000,
    );
    timings.removedToRecreated = (Date.now() - t1) / 1000;
    await serving(3, 10_000);
  });

  let killed: Node;
  test('a host that dies is replaced within 3 heartbeat intervals plus start time', async () => {
    const hosts = await serving(3, 5_000);
    killed = at(hosts, 0);
    const t0 = Date.now();
    await stopNode(killed);
    const tStopped = Date.now();
    const now = await serving(3, MISSED * HEARTBEAT_MS + 20_000);
    timings.killToRestored = (Date.now() - t0) / 1000;
    timings.stoppedToRestored = (Date.now() - tStopped) / 1000;
    assert.ok(!now.includes(killed));
    await agreed(now, 10_000);
    // Detection takes MISSED heartbeats; starting a container from the registry takes a few seconds at most.
    assert.ok(
      Date.now() - tStopped < MISSED * HEARTBEAT_MS + 10_000,
      `restored ${timings.stoppedToRestored} s after the node stopped`,
    );
  });

  test('the node comes back and no instance is duplicated', async () => {
    const t0 = Date.now();
    await startNode(killed);
    await until(
      'everyone to see the returning node',
      async () => up().every((n) => n.agent!.placement().eligible.length === N),
      20_000,
    );
    const hosts = await serving(3, 20_000);
    await agreed(hosts, 10_000);
    timings.returnToSettled = (Date.now() - t0) / 1000;
    // Stays settled: sampled for a few heartbeats, never more than 3 containers nor 2 on one node.
    for (let i = 0; i < 10; i++) {
      const all = await running(app.name);
      assert.ok(all.length <= 3, `${all.length} containers`);
      assert.equal(new Set(all.map((c) => c.node)).size, all.length);
      await sleep(300);
    }
    await serving(3, 5_000);
  });

  test('a spec nobody paid for is relayed but never run, and stray containers are removed', async () => {
    const ghost = spec('ghost', appPort + 1 > 39999 ? appPort - 1 : appPort + 1);
    const announcer = at(up(), 0);
    await announcer.agent!.announceSpec(ghost, signSpec(ghost, ownerKey));
    await until(
      'the announcement to reach the other nodes',
      async () =>
        up()
          .filter((n) => n !== announcer)
          .every((n) => n.specs.some((s) => s.spec.name === 'ghost')),
      10_000,
    );
    // Someone starts a container with our labels for an app that is not on the chain.
    const victim = at(up(), 1);
    await victim.runtime!.createAndStart(
      { name: 'stray', specHash: 'ab'.repeat(32) },
      {
        name: 'web',
        image: image.ref,
        ports: [],
        containerPorts: [],
        env: [],
        commands: [],
        containerData: '',
        cpu: 0.1,
        ram: 64,
        hdd: 0,
      },
    );
    await until(
      'the stray container to be removed',
      async () => !(await victim.runtime!.listManagedContainers()).some((c) => c.app === 'stray'),
      10_000,
    );
    for (const n of up()) {
      await n.agent!.reconcileNow('test');
      assert.deepEqual(
        (await n.runtime!.listManagedContainers()).filter((c) => c.app !== app.name),
        [],
      );
    }
    await serving(3, 5_000);
  });

  test('sealed secrets reach the containers on the named nodes only, and nothing the nodes wrote holds them', async () => {
    const PLAIN = `s3cret-${toHex(sha256(new TextEncoder().encode(String(Date.now())))).slice(0, 16)}`;
    const named = nodes.slice(1, 4);
    const port = await freeAppPort(nodes.map((n) => n.ip));
    const raw = { ...spec('vault', port), nodes: named.map((n) => n.id) } as AppSpec;
    const [web] = raw.components;
    raw.components = [
      {
        ...web!,
        secrets: named.map((n) => ({
          node: n.id,
          box: sealSecrets([`DB_PASSWORD=${PLAIN}`], publicKeyOf(n.key), {
            app: 'vault',
            component: 'web',
            node: n.id,
          }),
        })),
      },
    ];
    const vault = registered(validateAppSpec(raw, DEVNET_APP_LIMITS), 95);
    chain.setApps([app, vault]);
    const hosts = await until(
      'vault on its three named nodes',
      async () => {
        const live = (await running('vault')).filter((c) => c.state === 'running');
        return live.length === 3 ? live : undefined;
      },
      30_000,
    );
    assert.deepEqual(hosts.map((h) => h.node.id).sort(), named.map((n) => n.id).sort());
    for (const h of hosts) {
      const info = await new Docker({ socketPath: h.node.dockerd!.socketPath })
        .getContainer(h.name)
        .inspect();
      assert.ok(info.Config.Env.includes(`DB_PASSWORD=${PLAIN}`), 'the engine got the opened secret');
    }
    // What the nodes publish, answer and log, and every file they wrote (their engines' own state aside).
    const said = [
      ...LOGGED,
      ...up().flatMap((n) => [
        JSON.stringify(n.agent!.locations('vault')),
        JSON.stringify(up().map((m) => n.agent!.reportOf(m.id))),
        JSON.stringify([...n.agent!.placement().assignment]),
      ]),
    ].join('\n');
    assert.ok(!said.includes(PLAIN), 'no log line, report or location holds the secret');
    const files = (await readdir(base, { recursive: true, withFileTypes: true })).filter(
      (e) => e.isFile() && !path.relative(base, e.parentPath).split(path.sep).includes('docker'),
    );
    assert.ok(files.length > 0);
    for (const f of files) {
      const bytes = await readFile(path.join(f.parentPath, f.name)).catch(() => Buffer.alloc(0));
      assert.ok(!bytes.includes(PLAIN), `${path.join(f.parentPath, f.name)} holds the secret`);
    }
    chain.setApps([app]);
    await until('vault removed', async () => (await running('vault')).length === 0, 15_000);
  });

  test('an app that leaves the active list (expiry) is removed everywhere', async () => {
    const t0 = Date.now();
    chain.setApps([]);
    await until('every container to be gone', async () => (await running(app.name)).length === 0, 15_000);
    timings.expiryToRemoved = (Date.now() - t0) / 1000;
    for (const n of up()) assert.deepEqual(n.agent!.locations(app.name), []);
    await until(
      'reports without the app',
      async () => up().every((n) => up().every((m) => (n.agent!.reportOf(m.id)?.apps.length ?? 0) === 0)),
      10_000,
    );
  });
});
