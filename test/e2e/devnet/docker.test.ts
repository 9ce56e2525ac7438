// Real Docker, no mocks: a local registry and two private dockerds as a two-node devnet would run
// them. The sample image is built on B and pushed; A pulls it from the registry and serves it on its
// node address. Needs root and the Debian packages scripts/setup-host.sh installs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { DataVolumes } from '../../../src/cloud/runtime/data-volume.ts';
import { DockerRuntime } from '../../../src/cloud/runtime/docker-runtime.ts';
import {
  DaemonError,
  type Dockerd,
  listProcesses,
  processAlive,
  reapDockerd,
  requireTool,
  startDockerd,
} from '../../../src/devnet/dockerd.ts';
import { type Registry, startRegistry } from '../../../src/devnet/registry.ts';
import {
  checkImage,
  DEFAULT_IMAGE_RULES,
  ImageRefusedError,
  type ImageRules,
} from '../../../src/cloud/runtime/image-check.ts';
import { publishSampleImage, type SampleImage, sampleImageRef } from '../../../src/devnet/sample-image.ts';
import { cgroupsNamed, dockerSkip, fetchText, freePort, leftovers, refused } from './docker-fixture.ts';
import { at } from '../../support/at.ts';

const MB = 1024 * 1024;
// Indexes and addresses of their own, so a devnet running on .11, .12, … is not disturbed.
const A = { name: 'tda', bridgeIndex: 221, ip: '127.0.0.221' };
const B = { name: 'tdb', bridgeIndex: 222, ip: '127.0.0.222' };
const C = { name: 'tdc', bridgeIndex: 223, ip: '127.0.0.223' };

describe('devnet Docker: a registry and two private dockerds', {
  skip: dockerSkip(),
  timeout: 90_000,
}, () => {
  let base = '';
  let registry: Registry | undefined;
  let a: Dockerd | undefined;
  let b: Dockerd | undefined;
  let image: SampleImage;
  let port = 0;
  let appContainer: Docker.ContainerInspectInfo;

  before(async () => {
    base = await mkdtemp('/tmp/fxdev-');
    registry = await startRegistry({ dir: path.join(base, 'registry'), port: await freePort('127.0.0.1') });
    [a, b] = await Promise.all([
      startDockerd({ name: A.name, dir: path.join(base, 'a'), bridgeIndex: A.bridgeIndex }),
      startDockerd({ name: B.name, dir: path.join(base, 'b'), bridgeIndex: B.bridgeIndex }),
    ]);
  });

  after(async () => {
    await Promise.allSettled([a?.stop(), b?.stop(), registry?.stop()]);
    // The app's data folder is a loop-mounted volume: released before its folder goes.
    if (base) await new DataVolumes(path.join(base, 'nodeA')).release('hello', 'web').catch(() => {});
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('each dockerd has its own data-root, containerd, socket and bridge', async () => {
    assert.ok(a && b);
    const [infoA, infoB] = await Promise.all([
      new Docker({ socketPath: a.socketPath }).info(),
      new Docker({ socketPath: b.socketPath }).info(),
    ]);
    // With user namespaces remapped, the engine keeps its store in a <uid>.<gid> folder of the data-root.
    assert.match(infoA.DockerRootDir, new RegExp(`^${path.join(base, 'a', 'data')}/\\d+\\.\\d+$`));
    assert.match(infoB.DockerRootDir, new RegExp(`^${path.join(base, 'b', 'data')}/\\d+\\.\\d+$`));
    assert.notEqual(a.pid, b.pid);
    assert.equal(infoA.Driver, a.storageDriver);

    // Each daemon runs a containerd of its own, as its child, configured under its exec-root.
    for (const d of [a, b]) {
      const containerd = listProcesses().filter(
        (p) => path.basename(p.argv[0] ?? '') === 'containerd' && p.argv.some((x) => x.startsWith(d.dir)),
      );
      assert.equal(containerd.length, 1, `one containerd for ${d.name}`);
      assert.equal(at(containerd, 0).ppid, d.pid);
    }

    // The kernel has the bridge with the gateway address we asked for.
    const addr = execFileSync(requireTool('ip'), ['-4', '-o', 'addr', 'show', 'dev', a.bridge.name], {
      encoding: 'utf8',
    });
    assert.match(addr, new RegExp(`inet ${a.bridge.gateway.replaceAll('.', '\\.')}/24`));
    assert.notEqual(a.bridge.name, b.bridge.name);
  });

  test('the sample image built on B is pushed to the registry', async () => {
    assert.ok(b && registry);
    image = await publishSampleImage(b.socketPath, registry.address);
    assert.equal(image.ref, sampleImageRef(registry.address));

    // The registry's own HTTP API is the oracle: the tag exists, its manifest has the digest the
    // push reported, and the manifest's config blob is the image B built.
    const tags = await (await fetch(`${registry.url}/v2/flux/hello/tags/list`)).json();
    assert.deepEqual(tags, { name: 'flux/hello', tags: ['1'] });
    const res = await fetch(`${registry.url}/v2/flux/hello/manifests/1`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
    const manifest = (await res.json()) as { config: { digest: string }; layers: unknown[] };
    assert.equal(manifest.config.digest, image.imageId);
    assert.equal(manifest.layers.length, 2, 'busybox and the script, nothing from a base image');
  });

  test('an image is checked from the registry’s manifests before a pull: blocklist, architecture, size', async () => {
    assert.ok(a && registry);
    const facts = await checkImage(image.ref, DEFAULT_IMAGE_RULES);
    assert.equal(facts.architecture, process.arch === 'arm64' ? 'arm64' : 'amd64');
    assert.ok(facts.bytes > 0 && facts.bytes < 10_000_000, `${facts.bytes} bytes`);
    const refused = async (rules: Partial<ImageRules>, rule: string) =>
      assert.rejects(
        checkImage(image.ref, { ...DEFAULT_IMAGE_RULES, ...rules }),
        (err: unknown) => err instanceof ImageRefusedError && err.rule === rule && err.value === image.ref,
        rule,
      );
    await refused({ maxBytes: 1000 }, 'image-too-large');
    await refused({ architectures: ['s390x'] }, 'image-platform');
    await refused({ blocked: [`${registry.address}/flux/`] }, 'image-blocked');
    const guarded = new DockerRuntime({
      socketPath: a.socketPath,
      node: { nodeId: 'node-tda', hostIp: A.ip, nodeDir: path.join(base, 'nodeA') },
      imageRules: { ...DEFAULT_IMAGE_RULES, blocked: [`${registry.address}/flux/hello`] },
    });
    await assert.rejects(guarded.pullImage(image.ref), ImageRefusedError);
    assert.equal(await guarded.hasImage(image.ref), false, 'nothing was pulled');
  });

  test('A pulls the image from the registry and serves it on its node address', async () => {
    assert.ok(a);
    const runtime = new DockerRuntime({
      socketPath: a.socketPath,
      node: { nodeId: 'node-tda', hostIp: A.ip, nodeDir: path.join(base, 'nodeA') },
    });
    assert.equal(await runtime.hasImage(image.ref), false, 'A starts without the image');
    await runtime.pullImage(image.ref);
    assert.equal(await runtime.hasImage(image.ref), true);

    port = await freePort(A.ip);
    const started = await runtime.createAndStart(
      { name: 'hello', specHash: 'c0ffee' },
      {
        name: 'web',
        image: image.ref,
        ports: [port],
        containerPorts: [80],
        env: [],
        commands: [],
        containerData: '/data',
        cpu: 0.5,
        ram: 64,
        hdd: 1,
      },
    );
    assert.equal(started.name, 'fluxweb_hello');
    assert.equal(started.state, 'running');

    const page = await fetchText(`http://${A.ip}:${port}/`);
    assert.match(page, /hello from node-tda/);
    assert.match(page, /app hello, component web/);
    // Published on the node's address only.
    assert.equal(await refused('127.0.0.1', port), true);

    appContainer = await new Docker({ socketPath: a.socketPath }).getContainer(started.id).inspect();
    const hc = appContainer.HostConfig;
    assert.deepEqual(
      {
        app: appContainer.Config.Labels['flux.app'],
        component: appContainer.Config.Labels['flux.component'],
        specHash: appContainer.Config.Labels['flux.spechash'],
        node: appContainer.Config.Labels['flux.node'],
      },
      { app: 'hello', component: 'web', specHash: 'c0ffee', node: 'node-tda' },
    );
    assert.equal(hc.NanoCpus, 500_000_000);
    assert.equal(hc.Memory, 64 * MB);
    assert.deepEqual(hc.CapDrop, ['ALL']);
    assert.equal(hc.PidsLimit, 256);
    assert.equal(hc.Privileged, false);
    assert.equal(hc.NetworkMode, 'fluxnet_hello', 'on its app’s own network, not the default bridge');
    assert.equal(hc.RestartPolicy?.Name, 'no');
    assert.ok(hc.SecurityOpt?.some((o: string) => o.startsWith('no-new-privileges')));
    assert.deepEqual(hc.PortBindings['80/tcp'], [{ HostIp: A.ip, HostPort: String(port) }]);
    assert.deepEqual(
      appContainer.Mounts.map((m) => [m.Type, m.Source, m.Destination]),
      [['bind', path.join(base, 'nodeA', 'appdata', 'hello', 'web'), '/data']],
    );
  });

  test('B does not see the containers of A', async () => {
    assert.ok(a && b);
    const onB = await new Docker({ socketPath: b.socketPath }).listContainers({ all: true });
    assert.deepEqual(onB, []);
    const runtimeB = new DockerRuntime({
      socketPath: b.socketPath,
      node: { nodeId: 'node-tdb', hostIp: B.ip, nodeDir: path.join(base, 'nodeB') },
    });
    assert.deepEqual(await runtimeB.listManagedContainers(), []);
    const onA = await new Docker({ socketPath: a.socketPath }).listContainers({ all: true });
    assert.deepEqual(
      onA.map((c) => c.Id),
      [appContainer.Id],
    );
  });

  test('stopping A stops its containers and leaves nothing of A behind', async () => {
    assert.ok(a && b);
    const appPid = appContainer.State.Pid;
    assert.ok(processAlive(appPid), 'the app process runs before the stop');
    await a.stop();
    assert.equal(processAlive(appPid), false, 'the app process is gone');
    assert.equal(processAlive(a.pid), false, 'dockerd A is gone');
    assert.equal(await refused(A.ip, port), true, 'the published port no longer answers');
    assert.deepEqual(leftovers(path.join(base, 'a')), []);
    assert.equal(existsSync(`/sys/class/net/${a.bridge.name}`), false, 'bridge deleted');
    assert.deepEqual(cgroupsNamed(a.cgroupParent), [], 'cgroups removed');
    // The app's data belongs to the node, not to its dockerd.
    assert.ok(existsSync(path.join(base, 'nodeA', 'appdata', 'hello', 'web')));
    assert.ok(await new Docker({ socketPath: b.socketPath }).ping(), 'B is unaffected');
  });

  test('after a dockerd crash, reapDockerd kills its orphaned containers and cleans up', async () => {
    assert.ok(registry);
    const opts = { name: C.name, dir: path.join(base, 'c'), bridgeIndex: C.bridgeIndex };
    const c = await startDockerd(opts);
    const runtime = new DockerRuntime({
      socketPath: c.socketPath,
      node: { nodeId: 'node-tdc', hostIp: C.ip, nodeDir: path.join(base, 'nodeC') },
    });
    await runtime.pullImage(image.ref);
    const started = await runtime.createAndStart(
      { name: 'hello', specHash: 'c0ffee' },
      {
        name: 'web',
        image: image.ref,
        ports: [],
        containerPorts: [],
        env: [],
        commands: [],
        containerData: '',
        cpu: 0.1,
        ram: 32,
        hdd: 0,
      },
    );
    const appPid = (await runtime.docker.getContainer(started.id).inspect()).State.Pid;

    process.kill(c.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    // containerd's shim is reparented and keeps the app alive: a crash alone does not stop it.
    assert.equal(processAlive(appPid), true, 'the app outlives a killed dockerd');

    await reapDockerd(opts);
    assert.equal(processAlive(appPid), false);
    assert.deepEqual(leftovers(opts.dir), []);
    assert.equal(existsSync(`/sys/class/net/${c.bridge.name}`), false);
    assert.deepEqual(cgroupsNamed(c.cgroupParent), []);
  });

  test('a dockerd that cannot start reports the tail of its log and leaves nothing behind', async () => {
    const dir = path.join(base, 'broken');
    await assert.rejects(
      startDockerd({ name: 'tdbroken', dir, bridgeIndex: C.bridgeIndex, storageDriver: 'nosuchdriver' }),
      (err: unknown) => {
        assert.ok(err instanceof DaemonError);
        assert.match(err.detail, /exited during startup/);
        assert.match(err.logTail, /nosuchdriver|driver not supported/);
        return true;
      },
    );
    assert.deepEqual(leftovers(dir), []);
    assert.equal(existsSync(`/sys/class/net/fluxbr${C.bridgeIndex}`), false);
  });

  test('a bridge in use by another dockerd is refused, not stolen', async () => {
    assert.ok(b);
    const dir = path.join(base, 'thief');
    await assert.rejects(
      startDockerd({ name: 'tdthief', dir, bridgeIndex: B.bridgeIndex }),
      (err: unknown) => err instanceof DaemonError && /in use|used by another dockerd/.test(err.message),
    );
    assert.ok(await new Docker({ socketPath: b.socketPath }).ping(), 'B still answers');
    assert.ok(existsSync(`/sys/class/net/${b.bridge.name}`));
  });

  test('stopping B and the registry leaves no process, mount or folder', async () => {
    assert.ok(b && registry);
    const ownFile = path.join(base, 'b', 'operator-notes.txt');
    await writeFile(ownFile, 'not dockerd’s');
    await Promise.all([b.stop(), registry.stop()]);
    assert.equal(await readFile(ownFile, 'utf8'), 'not dockerd’s', 'files dockerd did not create are kept');
    await rm(ownFile);
    assert.deepEqual(leftovers(path.join(base, 'b')).length, 1, 'only the folder itself is left');
    await rm(path.join(base, 'b'), { recursive: true });
    assert.equal(processAlive(registry.pid), false);
    assert.equal(await refused('127.0.0.1', Number(registry.address.split(':')[1])), true);
    await new DataVolumes(path.join(base, 'nodeA')).release('hello', 'web');
    await rm(path.join(base, 'nodeA'), { recursive: true, force: true });
    assert.deepEqual(
      leftovers(base).filter((l) => !l.startsWith('folder')),
      [],
    );
    for (const d of ['a', 'b', 'c', 'registry']) assert.equal(existsSync(path.join(base, d)), false, d);
    assert.equal(existsSync(`/sys/class/net/${b.bridge.name}`), false);
  });
});
