// The Docker runtime against a real, private dockerd (no registry: the sample image is built locally,
// except where pulling itself is under test). Needs root and scripts/setup-host.sh's packages.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMountPoint, loopDevicesOf } from '../../../src/cloud/runtime/data-volume.ts';
import { DockerRuntime } from '../../../src/cloud/runtime/docker-runtime.ts';
import { RuntimeError, RuntimeInputError } from '../../../src/cloud/runtime/errors.ts';
import type { ContainerEvent, RuntimeComponent } from '../../../src/cloud/runtime/types.ts';
import { type Dockerd, listProcesses, startDockerd } from '../../../src/devnet/dockerd.ts';
import { buildSampleImage } from '../../../src/devnet/sample-image.ts';
import {
  cgroupsNamed,
  dockerSkip,
  fetchText,
  freePort,
  leftovers,
  processStatus,
  refused,
} from '../devnet/docker-fixture.ts';
import { at } from '../../support/at.ts';

const NODE = { name: 'trt', bridgeIndex: 224, ip: '127.0.0.224' };
const IMAGE = 'fluxtest.invalid/flux/hello:1';
const APP = { name: 'hello', specHash: '5eed' };
const MB = 1024 * 1024;

describe('cloud Docker runtime on a private dockerd', { skip: dockerSkip(), timeout: 90_000 }, () => {
  let base = '';
  let dockerd: Dockerd | undefined;
  let runtime: DockerRuntime;
  let nodeDir = '';

  const component = (over: Partial<RuntimeComponent> = {}): RuntimeComponent => ({
    name: 'web',
    image: IMAGE,
    ports: [],
    containerPorts: [],
    env: [],
    commands: [],
    containerData: '',
    cpu: 0.25,
    ram: 48,
    hdd: 1,
    ...over,
  });

  before(async () => {
    base = await mkdtemp('/tmp/fxrt-');
    nodeDir = path.join(base, 'node');
    dockerd = await startDockerd({
      name: NODE.name,
      dir: path.join(base, 'docker'),
      bridgeIndex: NODE.bridgeIndex,
    });
    await buildSampleImage(dockerd.socketPath, IMAGE);
    runtime = new DockerRuntime({
      socketPath: dockerd.socketPath,
      node: { nodeId: 'node-trt', hostIp: NODE.ip, nodeDir },
    });
  });

  after(async () => {
    await dockerd?.stop();
    // A test that failed half-way may have left a volume mounted: no mount or loop device may outlive it.
    for (const [app, c] of [
      ['hello', 'web'],
      ['disk', 'web'],
    ] as const) {
      await runtime?.volumes.release(app, c).catch(() => {});
    }
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('runs a component: env, port mapping and data folder work, limits reach the kernel', async () => {
    const port = await freePort(NODE.ip);
    // The app listens on 8080 (from its env) and the data folder is mounted where it writes its page,
    // so the page showing up on the host proves env, port mapping and the bind mount at once.
    const started = await runtime.createAndStart(
      APP,
      component({ ports: [port], containerPorts: [8080], env: ['PORT=8080'], containerData: 'r:/www' }),
    );
    const page = await fetchText(`http://${NODE.ip}:${port}/`);
    assert.match(page, /hello from node-trt/);
    const hostPage = readFileSync(path.join(nodeDir, 'appdata', 'hello', 'web', 'index.html'), 'utf8');
    assert.equal(hostPage, page);

    const listed = await runtime.listManagedContainers();
    assert.deepEqual(
      listed.map((c) => [c.name, c.app, c.component, c.specHash, c.node, c.state]),
      [['fluxweb_hello', 'hello', 'web', '5eed', 'node-trt', 'running']],
    );
    assert.equal(at(listed, 0).id, started.id);

    // What the kernel enforces for the container's processes, read from /proc and the cgroup files.
    const info = await runtime.docker.getContainer(started.id).inspect();
    const init = info.State.Pid;
    const httpd = listProcesses().find((p) => p.ppid === init);
    assert.ok(httpd, 'docker-init runs the app as its child');
    assert.match(httpd.argv.join(' '), /busybox httpd -f -v -p 8080/);
    const remapped = await runtime.remappedRoot();
    assert.ok(remapped, 'the engine remaps user namespaces');
    for (const pid of [init, httpd.pid]) {
      const status = processStatus(pid);
      assert.equal(status.Uid?.split(/\s+/)[0], String(remapped.uid), `not host root on ${pid}`);
      assert.equal(status.NoNewPrivs, '1', `no-new-privileges on ${pid}`);
      assert.equal(BigInt(`0x${status.CapEff}`), 0n, `no effective capability on ${pid}`);
      assert.equal(BigInt(`0x${status.CapBnd}`), 0n, `empty bounding set on ${pid}`);
    }
    // The root filesystem is mounted read-only; /tmp and /run are tmpfs; the data folder is writable.
    const mounts = readFileSync(`/proc/${httpd.pid}/mounts`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const mountAt = (dir: string) => mounts.findLast((m) => m[1] === dir);
    assert.match(mountAt('/')?.[3] ?? '', /(^|,)ro(,|$)/, 'root filesystem read-only');
    assert.equal(mountAt('/tmp')?.[2], 'tmpfs');
    assert.equal(mountAt('/run')?.[2], 'tmpfs');
    assert.match(mountAt('/www')?.[3] ?? '', /(^|,)rw(,|$)/, 'data folder writable');
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    const cgroup = (...files: string[]) => {
      for (const dir of cgroupsNamed(dockerd!.cgroupParent)) {
        for (const f of files) {
          const file = path.join(dir, started.id, f);
          if (existsSync(file)) return readFileSync(file, 'utf8').trim();
        }
      }
      assert.fail(`no cgroup file ${files.join(' or ')} for the container`);
    };
    assert.equal(Number(cgroup('memory.limit_in_bytes', 'memory.max')), 48 * MB);
    assert.equal(Number(cgroup('pids.max')), 256);
    const quota = existsSync(path.join(at(cgroupsNamed(dockerd!.cgroupParent), 0), started.id, 'cpu.max'))
      ? cgroup('cpu.max').split(' ').map(Number)
      : [Number(cgroup('cpu.cfs_quota_us')), Number(cgroup('cpu.cfs_period_us'))];
    assert.equal(at(quota, 0) / at(quota, 1), 0.25, `cpu quota ${quota}`);
  });

  test('creating a component that already runs is refused and changes nothing', async () => {
    const before = await runtime.listManagedContainers();
    await assert.rejects(
      runtime.createAndStart(APP, component({ containerData: '/www' })),
      (err: unknown) => err instanceof RuntimeError && err.operation === 'create' && err.status === 409,
    );
    assert.deepEqual(
      (await runtime.listManagedContainers()).map((c) => c.id),
      before.map((c) => c.id),
    );
  });

  test('bad input is rejected before the engine is asked', async () => {
    await assert.rejects(
      runtime.createAndStart(
        { name: 'other', specHash: 'ab' },
        component({ ports: [31001], containerPorts: [] }),
      ),
      (err: unknown) => err instanceof RuntimeInputError && err.field === 'component.containerPorts',
    );
    await assert.rejects(
      runtime.createAndStart({ name: 'other', specHash: 'ab' }, component({ containerData: '/data/../etc' })),
      (err: unknown) => err instanceof RuntimeInputError && err.field === 'component.containerData',
    );
    await assert.rejects(
      runtime.createAndStart(
        { name: 'other', specHash: 'ab' },
        component({ image: 'fluxtest.invalid/absent:1' }),
      ),
      (err: unknown) =>
        err instanceof RuntimeError && err.status === 404 && /pull it first/.test(err.message),
    );
    assert.deepEqual(
      (await runtime.listManagedContainers()).map((c) => c.app),
      ['hello'],
    );
    assert.equal(existsSync(path.join(nodeDir, 'appdata', 'other')), false);
  });

  test('pulling from a registry that is not there fails with the reference in the error', async () => {
    const ref = `127.0.0.1:${await freePort('127.0.0.1')}/flux/absent:1`;
    await assert.rejects(
      runtime.pullImage(ref),
      (err: unknown) => err instanceof RuntimeError && err.operation === 'pull' && err.message.includes(ref),
    );
  });

  test('logs returns the tail of stdout and stderr', async () => {
    const all = await runtime.logs('fluxweb_hello', 100);
    assert.match(all, /hello: serving node node-trt, app hello, component web on port 8080/);
    assert.match(all, /response:200/, 'httpd -v logged the request made above');
    const last = await runtime.logs('fluxweb_hello', 1);
    assert.equal(last.trimEnd().split('\n').length, 1);
    assert.ok(all.endsWith(last));
  });

  test('events report our containers’ lifecycle and nothing else', async () => {
    const seen: ContainerEvent[] = [];
    const abort = new AbortController();
    const reading = (async () => {
      for await (const e of runtime.events(abort.signal)) seen.push(e);
    })();
    await new Promise((r) => setTimeout(r, 200)); // the subscription is live

    // A container without our labels must not show up.
    const stranger = await runtime.docker.createContainer({
      Image: IMAGE,
      Entrypoint: ['/bin/busybox', 'true'],
      HostConfig: { NetworkMode: 'none' },
    });
    await stranger.start();
    await stranger.wait();
    await stranger.remove();

    await runtime.restart('fluxweb_hello', 5);
    const deadline = Date.now() + 5_000;
    while (!seen.some((e) => e.action === 'restart') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    abort.abort();
    await reading;

    assert.ok(seen.length > 0);
    for (const e of seen) {
      assert.deepEqual(
        [e.name, e.app, e.component, e.specHash, e.node],
        ['fluxweb_hello', 'hello', 'web', '5eed', 'node-trt'],
      );
    }
    const actions = seen.map((e) => e.action);
    assert.ok(actions.indexOf('die') < actions.indexOf('start'), `die before start in ${actions}`);
    assert.ok(actions.includes('restart'), `restart in ${actions}`);
    // docker-init passed SIGTERM on: httpd died of it (128 + 15) instead of waiting for SIGKILL.
    assert.equal(seen.find((e) => e.action === 'die')?.exitCode, 143);
  });

  test('stop, start, remove and removeData are idempotent', async () => {
    const port = Number(
      (await runtime.docker.getContainer('fluxweb_hello').inspect()).HostConfig.PortBindings['8080/tcp'][0]
        .HostPort,
    );
    assert.equal(await runtime.stop('fluxweb_hello', 5), true);
    assert.equal(at(await runtime.listManagedContainers(), 0).state, 'exited');
    assert.equal(await refused(NODE.ip, port), true);
    assert.equal(await runtime.stop('fluxweb_hello', 5), true, 'already stopped is fine');
    await runtime.start('fluxweb_hello');
    await runtime.start('fluxweb_hello'); // already running is fine
    assert.match(await fetchText(`http://${NODE.ip}:${port}/`), /hello from node-trt/, 'started again');
    assert.equal(await runtime.stop('fluxweb_hello', 5), true);
    assert.equal(await runtime.remove('fluxweb_hello'), true);
    assert.equal(await runtime.remove('fluxweb_hello'), false);
    assert.equal(await runtime.stop('fluxweb_hello'), false);
    assert.deepEqual(await runtime.listManagedContainers(), []);
    assert.ok(existsSync(path.join(nodeDir, 'appdata', 'hello', 'web')), 'removing the container keeps data');
    assert.equal(await runtime.removeData('hello', 'web'), true);
    assert.equal(await runtime.removeData('hello', 'web'), false);
    await assert.rejects(runtime.removeData('..', 'web'), RuntimeInputError);
  });

  test('a component’s data folder holds its hdd and no more: within it writes succeed, past it ENOSPC; removal frees the loop device', async (t) => {
    // Data already there (Syncthing's marker, a copy received before the container was made) moves in.
    const before = runtime.volumes.dataDir('disk', 'web');
    mkdirSync(path.join(before, '.stfolder'), { recursive: true });
    writeFileSync(path.join(before, 'kept.txt'), 'received earlier');
    const started = await runtime.createAndStart(
      { name: 'disk', specHash: 'd15c' },
      component({ env: ['PORT=8080'], containerData: '/www', hdd: 1 }),
    );
    const dir = runtime.volumes.dataDir('disk', 'web');
    const file = runtime.volumes.imageFile('disk', 'web');
    assert.equal(at(await runtime.listManagedContainers(), 0).hddEnforced, true);
    assert.equal(isMountPoint(dir), true, 'the data folder is a mounted volume');
    assert.equal(
      readFileSync(path.join(dir, 'kept.txt'), 'utf8'),
      'received earlier',
      'moved into the volume',
    );
    assert.ok(existsSync(path.join(dir, '.stfolder')));
    assert.equal(existsSync(path.join(dir, 'lost+found')), false, 'the app sees only its own files');
    assert.equal(loopDevicesOf(file).length, 1);
    assert.equal(statSync(file).size, 1024 ** 3, 'exactly hdd GB');
    assert.ok(statSync(file).blocks * 512 < 64 * MB, 'sparse: host disk is taken as the app fills it');

    const dd = async (name: string, mb: number) => {
      const exec = await runtime.docker.getContainer(started.id).exec({
        Cmd: ['/bin/busybox', 'dd', 'if=/dev/zero', `of=/www/${name}`, 'bs=1048576', `count=${mb}`],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({});
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { exit: (await exec.inspect()).ExitCode, output: Buffer.concat(chunks).toString('latin1') };
    };
    const t0 = Date.now();
    const within = await dd('within', 64);
    assert.equal(within.exit, 0, within.output);
    const past = await dd('past', 1024);
    assert.notEqual(past.exit, 0);
    assert.match(past.output, /No space left on device/);
    t.diagnostic(`wrote 64 MB, then ran out of space past 1 GB, in ${Date.now() - t0} ms`);

    // An update that raises hdd grows the volume (its old container is removed first), data kept.
    await runtime.remove(started.id);
    const size = () => statfsSync(dir).blocks * statfsSync(dir).bsize;
    assert.ok(size() < 1024 ** 3);
    assert.deepEqual(await runtime.volumes.prepare('disk', 'web', 2), { enforced: true });
    assert.equal(statSync(file).size, 2 * 1024 ** 3);
    assert.ok(size() > 1.8 * 1024 ** 3, `grown to ${size()} bytes`);
    assert.equal(readFileSync(path.join(dir, 'kept.txt'), 'utf8'), 'received earlier');
    assert.equal(isMountPoint(dir), true);

    assert.equal(await runtime.removeData('disk', 'web'), true);
    assert.equal(isMountPoint(dir), false);
    assert.deepEqual(loopDevicesOf(file), [], 'the loop device is free again');
    assert.equal(existsSync(file), false);
  });

  test('components of one app reach each other by name on its network; another app cannot', async () => {
    const [front, lone] = [await freePort(NODE.ip), await freePort(NODE.ip)];
    const duo = { name: 'duo', specHash: 'd0' };
    const upstream = 'UPSTREAM=http://fluxback_duo:8080/';
    await runtime.createAndStart(duo, component({ name: 'back', env: ['PORT=8080'] }));
    await runtime.createAndStart(
      duo,
      component({ name: 'front', ports: [front], containerPorts: [80], env: [upstream] }),
    );
    await runtime.createAndStart(
      { name: 'solo', specHash: '50' },
      component({ name: 'front', ports: [lone], containerPorts: [80], env: [upstream] }),
    );
    const nets = await runtime.docker.listNetworks({ filters: { label: ['flux.app'] } });
    const names = nets.map((n) => n.Name);
    assert.ok(names.includes('fluxnet_duo') && names.includes('fluxnet_solo'), `networks ${names}`);

    const deadline = Date.now() + 15_000;
    let mirrored = '';
    while (Date.now() < deadline) {
      mirrored = await fetchText(`http://${NODE.ip}:${front}/upstream.html`).catch(() => '');
      if (mirrored) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(mirrored, /hello from node-trt.*component back/s, 'front fetched back by its name');
    const lonely = await fetchText(`http://${NODE.ip}:${lone}/upstream.html`).catch((e: Error) => e.message);
    assert.doesNotMatch(lonely, /component back/, 'another app does not see duo’s containers');
    // The name does not resolve there (or the lookup times out after 5 s): the loop says so.
    let soloLogs = '';
    for (const until = Date.now() + 15_000; Date.now() < until; ) {
      soloLogs = await runtime.logs('fluxfront_solo');
      if (soloLogs.includes('did not answer')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(soloLogs, /upstream http:\/\/fluxback_duo:8080\/ did not answer/);

    for (const c of ['fluxback_duo', 'fluxfront_duo', 'fluxfront_solo']) await runtime.remove(c);
    assert.equal(await runtime.removeAppNetworkIfUnused('duo'), true);
    assert.equal(await runtime.removeAppNetworkIfUnused('solo'), true);
    assert.equal(await runtime.removeAppNetworkIfUnused('solo'), false);
  });

  test('stopping the dockerd leaves nothing behind', async () => {
    assert.ok(dockerd);
    await dockerd.stop();
    assert.deepEqual(leftovers(path.join(base, 'docker')), []);
    assert.deepEqual(cgroupsNamed(dockerd!.cgroupParent), []);
    assert.equal(existsSync(`/sys/class/net/${dockerd.bridge.name}`), false);
  });
});
