// Issue 13's "restricted" controls, each asserted on a real engine set up as a namespaced devnet
// node's is (`devnet up --netns`): a private dockerd in a network namespace of its own, with user
// namespaces remapped and iptables on. The host reaches the node at 10.77.2.225 over a host bridge.
// Needs root and scripts/setup-host.sh's packages.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runtimeComponent } from '../../../src/cloud/agent/placement-view.ts';
import { DockerRuntime } from '../../../src/cloud/runtime/docker-runtime.ts';
import { demuxLogs } from '../../../src/cloud/runtime/streams.ts';
import type { RuntimeComponent } from '../../../src/cloud/runtime/types.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { type Dockerd, mountsUnder, startDockerd } from '../../../src/devnet/dockerd.ts';
import {
  createHostBridge,
  createNodeNetns,
  hostNetnsOf,
  nodeNetnsOf,
  removeDevnetNamespaces,
} from '../../../src/devnet/netns.ts';
import { buildSampleImage } from '../../../src/devnet/sample-image.ts';
import { dockerSkip, fetchText, leftovers, processStatus } from '../devnet/docker-fixture.ts';

const run = promisify(execFile);

/** The node namespace's IPv4 forwarding switch. */
async function forwarding(ns: string): Promise<string> {
  const { stdout } = await run('nsenter', [`--net=/run/netns/${ns}`, 'cat', '/proc/sys/net/ipv4/ip_forward']);
  return stdout.trim();
}

const HOST = hostNetnsOf('10.77.2.10');
const NODE = { name: 'trs', bridgeIndex: 225, ip: '10.77.2.225' };
const IMAGE = 'fluxtest.invalid/flux/hello:1';
// A devnet owner address: only what validation needs.
const OWNER = 'tmM2HGLJcjDsbRR4SUw3B7ttGQbnUFYbxvn';

describe('restricted containers on a namespaced engine', { skip: dockerSkip(), timeout: 120_000 }, () => {
  let base = '';
  let dockerd: Dockerd | undefined;
  let runtime: DockerRuntime;
  let nodeDir = '';
  const netns = nodeNetnsOf(NODE.ip);

  const component = (over: Partial<RuntimeComponent> = {}): RuntimeComponent => ({
    name: 'web',
    image: IMAGE,
    ports: [],
    containerPorts: [],
    env: [],
    commands: [],
    containerData: '',
    cpu: 0.2,
    ram: 48,
    hdd: 1,
    ...over,
  });

  /**
   * Runs a busybox shell line in a running container: its exit code and what it printed. (Through
   * the shell, and without wget's -T: Debian's static busybox wget crashes (SIGSEGV) when exec'd as
   * `/bin/busybox wget` directly or given -T.)
   */
  const exec = async (container: string, line: string): Promise<{ code: number; out: string }> => {
    const ex = await runtime.docker
      .getContainer(container)
      .exec({ Cmd: ['/bin/busybox', 'sh', '-c', line], AttachStdout: true, AttachStderr: true });
    const stream = await ex.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    const { ExitCode } = await ex.inspect();
    return {
      code: ExitCode ?? -1,
      out: demuxLogs(Buffer.concat(chunks))
        .map((c) => c.text)
        .join(''),
    };
  };

  before(async () => {
    base = await mkdtemp('/tmp/fxrs-');
    nodeDir = path.join(base, 'node');
    await removeDevnetNamespaces(HOST, [NODE.ip]); // a crashed run's
    await createHostBridge(HOST);
    await createNodeNetns(HOST, netns);
    dockerd = await startDockerd({
      name: NODE.name,
      dir: path.join(base, 'docker'),
      bridgeIndex: NODE.bridgeIndex,
      netns: netns.name,
    });
    await buildSampleImage(dockerd.socketPath, IMAGE);
    runtime = new DockerRuntime({
      socketPath: dockerd.socketPath,
      node: { nodeId: 'node-trs', hostIp: NODE.ip, nodeDir },
    });
  });

  // The components given a data folder: each is a loop-mounted volume, released before the folder goes.
  const withData = [
    ['locked', 'web'],
    ['scratch', 'web'],
  ] as const;

  // Every step runs even when one before it fails, so that a failed run leaves nothing behind.
  after(async () => {
    await dockerd?.stop().catch(() => {});
    for (const [app, c] of withData) await runtime?.volumes.release(app, c).catch(() => {});
    await removeDevnetNamespaces(HOST, [NODE.ip]).catch(() => {});
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('the container runs as an unprivileged host user, without capabilities, and writes its data', async () => {
    const root = await runtime.remappedRoot();
    assert.ok(root && root.uid >= 65536 && root.gid >= 65536, `remapped root ${JSON.stringify(root)}`);
    const started = await runtime.createAndStart(
      { name: 'locked', specHash: '10' },
      component({ ports: [31000], containerPorts: [8080], env: ['PORT=8080'], containerData: '/www' }),
    );
    // Published on the node's address through the engine's own NAT rules.
    assert.match(await fetchText(`http://${NODE.ip}:31000/`, 10_000), /hello from node-trs/);

    const info = await runtime.docker.getContainer(started.id).inspect();
    const status = processStatus(info.State.Pid);
    // Real, effective, saved and filesystem ids of the container's pid 1, as the host's kernel sees them.
    assert.deepEqual(status.Uid?.split(/\s+/).map(Number), Array(4).fill(root.uid), 'not host root');
    assert.deepEqual(status.Gid?.split(/\s+/).map(Number), Array(4).fill(root.gid));
    assert.equal(BigInt(`0x${status.CapEff}`), 0n, 'no effective capability');
    assert.equal(BigInt(`0x${status.CapBnd}`), 0n, 'empty bounding set');
    assert.equal(status.NoNewPrivs, '1');

    // The data folder belongs to the remapped root, and the container wrote its page there.
    const data = path.join(nodeDir, 'appdata', 'locked', 'web');
    assert.equal(statSync(data).uid, root.uid);
    assert.match(readFileSync(path.join(data, 'index.html'), 'utf8'), /hello from node-trs/);
    assert.equal(statSync(path.join(data, 'index.html')).uid, root.uid, 'written as the remapped root');
  });

  test('the root filesystem refuses writes unless the spec asks for a writable one', async () => {
    const denied = await exec('fluxweb_locked', 'busybox touch /probe');
    assert.notEqual(denied.code, 0);
    assert.match(denied.out, /Read-only file system/);
    assert.equal((await exec('fluxweb_locked', 'busybox touch /tmp/probe')).code, 0, '/tmp is writable');

    // From a spec through validation and the agent's mapping to the engine.
    const spec = validateAppSpec(
      {
        version: 1,
        name: 'scratch',
        description: 'writes to its root filesystem',
        owner: OWNER,
        instances: 3,
        components: [
          {
            name: 'web',
            repotag: IMAGE,
            containerData: '/data',
            cpu: 0.2,
            ram: 100,
            hdd: 1,
            writableRootFilesystem: true,
          },
        ],
      },
      DEVNET_APP_LIMITS,
    );
    const asked = runtimeComponent(spec.components[0]!);
    assert.equal(asked.writableRoot, true);
    await runtime.createAndStart({ name: 'scratch', specHash: '5c' }, { ...asked, ram: 48 });
    const allowed = await exec('fluxweb_scratch', 'busybox touch /probe');
    assert.equal(allowed.code, 0, allowed.out);
    assert.equal((await exec('fluxweb_scratch', 'busybox touch /data/probe')).code, 0, 'and its data');
    // Writable, yet still not host root.
    const pid = (await runtime.docker.getContainer('fluxweb_scratch').inspect()).State.Pid;
    assert.notEqual(processStatus(pid).Uid?.split(/\s+/)[0], '0');
  });

  test('components of one app reach each other by name; another app cannot reach them at all', async () => {
    const duo = { name: 'duo', specHash: 'd0' };
    await runtime.createAndStart(duo, component({ name: 'back', env: ['PORT=8080'] }));
    await runtime.createAndStart(duo, component({ name: 'front' }));
    const back = await runtime.docker.getContainer('fluxback_duo').inspect();
    const backIp = back.NetworkSettings.Networks.fluxnet_duo?.IPAddress;
    assert.ok(backIp, 'back has an address on its app network');

    const wget = (from: string, url: string) => exec(from, `busybox timeout 3 busybox wget -q -O - ${url}`);
    let sibling = { code: -1, out: '' };
    for (const until = Date.now() + 10_000; Date.now() < until && sibling.code !== 0; ) {
      sibling = await wget('fluxfront_duo', 'http://fluxback_duo:8080/');
    }
    assert.equal(sibling.code, 0, sibling.out);
    assert.match(sibling.out, /component back/, 'front fetched back by its name');
    assert.equal((await wget('fluxfront_duo', `http://${backIp}:8080/`)).code, 0, 'and by its address');

    // Another app's container: the name does not resolve, and the address is filtered.
    const byName = await wget('fluxweb_locked', 'http://fluxback_duo:8080/');
    assert.notEqual(byName.code, 0, `another app resolved fluxback_duo: ${byName.out}`);
    // The namespace forwards between its bridges (published ports need it): the engine's filter drops this.
    assert.equal(await forwarding(netns.name), '1');
    const byAddress = await wget('fluxweb_locked', `http://${backIp}:8080/`);
    assert.notEqual(byAddress.code, 0, `another app reached ${backIp}: ${byAddress.out}`);
    assert.doesNotMatch(byAddress.out, /component back/);
  });

  test('stopping the engine and removing the namespace leaves nothing behind', async () => {
    assert.ok(dockerd);
    await dockerd.stop();
    assert.deepEqual(leftovers(path.join(base, 'docker')), []);
    for (const [app, c] of withData) assert.equal(await runtime.removeData(app, c), true, `${app}/${c} data`);
    assert.deepEqual(mountsUnder(path.join(nodeDir, 'appdata')), [], 'no data volume left mounted');
    assert.deepEqual(await removeDevnetNamespaces(HOST, [NODE.ip]), []);
    assert.equal(existsSync(`/run/netns/${netns.name}`), false);
    assert.equal(existsSync(`/sys/class/net/${HOST.bridge}`), false);
  });
});
