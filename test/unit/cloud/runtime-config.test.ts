// The runtime's pure parts, no Docker needed: component → create request, and the engine's stream
// formats (newline-delimited JSON, multiplexed log frames as documented for the Engine API).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { remappedRootOf } from '../../../src/cloud/runtime/app-data.ts';
import { DEFAULT_LIMITS, dataPath, planContainer } from '../../../src/cloud/runtime/container-config.ts';
import { RuntimeError, RuntimeInputError } from '../../../src/cloud/runtime/errors.ts';
import { demuxLogs, drainProgress, jsonLines } from '../../../src/cloud/runtime/streams.ts';
import type { RuntimeComponent } from '../../../src/cloud/runtime/types.ts';

const node = { nodeId: 'node-11', hostIp: '127.0.0.11', nodeDir: '/srv/flux/node11' };
const app = { name: 'wordpress', specHash: 'ab12' };
const web: RuntimeComponent = {
  name: 'web',
  image: '127.0.0.1:5000/flux/hello:1',
  ports: [31000, 31001],
  containerPorts: [80, 443],
  env: ['MODE=prod', 'EMPTY='],
  commands: ['--verbose'],
  containerData: '/var/www',
  cpu: 1.5,
  ram: 1800,
  hdd: 10,
};

test('behind the routing mesh, TCP is published at the instance port and UDP stays on the public one', () => {
  const hc = planContainer(app, web, { ...node, mesh: true }).options.HostConfig!;
  assert.deepEqual(hc.PortBindings, {
    '80/tcp': [{ HostIp: '127.0.0.11', HostPort: '41000' }],
    '80/udp': [{ HostIp: '127.0.0.11', HostPort: '31000' }],
    '443/tcp': [{ HostIp: '127.0.0.11', HostPort: '41001' }],
    '443/udp': [{ HostIp: '127.0.0.11', HostPort: '31001' }],
  });
  assert.throws(
    () => planContainer(app, { ...web, ports: [60000], containerPorts: [80] }, { ...node, mesh: true }),
    (e: unknown) => e instanceof RuntimeInputError && e.field === 'component.ports[0]' && e.value === 60000,
  );
});

test('a component becomes a locked-down container named flux<component>_<app>', () => {
  const plan = planContainer(app, web, node);
  assert.equal(plan.name, 'fluxweb_wordpress');
  assert.equal(plan.hostDataDir, '/srv/flux/node11/appdata/wordpress/web');
  const o = plan.options;
  const hc = o.HostConfig!;
  assert.equal(o.name, 'fluxweb_wordpress');
  assert.equal(o.Image, web.image);
  assert.deepEqual(o.Cmd, ['--verbose']);
  assert.deepEqual(o.Env, [
    'FLUX_NODE=node-11',
    'FLUX_APP=wordpress',
    'FLUX_COMPONENT=web',
    'MODE=prod',
    'EMPTY=',
  ]);
  assert.deepEqual(o.Labels, {
    'flux.app': 'wordpress',
    'flux.component': 'web',
    'flux.spechash': 'ab12',
    'flux.node': 'node-11',
    'flux.hdd': '10',
  });
  assert.equal(hc.NanoCpus, 1_500_000_000);
  assert.equal(hc.Memory, 1800 * 1024 * 1024);
  assert.equal(hc.MemorySwap, hc.Memory);
  assert.deepEqual(hc.CapDrop, ['ALL']);
  assert.deepEqual(hc.CapAdd, []);
  assert.deepEqual(hc.SecurityOpt, ['no-new-privileges:true']);
  assert.equal(hc.ReadonlyRootfs, true);
  assert.deepEqual(Object.keys(hc.Tmpfs ?? {}), ['/tmp', '/run']);
  assert.equal(hc.Privileged, false);
  assert.equal(hc.NetworkMode, 'fluxnet_wordpress');
  assert.equal(hc.RestartPolicy?.Name, 'no');
  assert.equal(hc.PidsLimit, 256);
  assert.deepEqual(hc.PortBindings, {
    '80/tcp': [{ HostIp: '127.0.0.11', HostPort: '31000' }],
    '80/udp': [{ HostIp: '127.0.0.11', HostPort: '31000' }],
    '443/tcp': [{ HostIp: '127.0.0.11', HostPort: '31001' }],
    '443/udp': [{ HostIp: '127.0.0.11', HostPort: '31001' }],
  });
  assert.deepEqual(hc.Mounts, [
    { Type: 'bind', Source: '/srv/flux/node11/appdata/wordpress/web', Target: '/var/www', ReadOnly: false },
  ]);
  // Nothing that would hand the host to the app.
  assert.equal(JSON.stringify(o).includes('docker.sock'), false);
});

test('no containerData means no mount and no data folder; no commands keeps the image CMD', () => {
  const plan = planContainer(app, { ...web, containerData: '', commands: [] }, node);
  assert.equal(plan.hostDataDir, '');
  assert.deepEqual(plan.options.HostConfig?.Mounts, []);
  assert.equal(plan.options.Cmd, undefined);
});

test('capabilities: all dropped; an operator may add back NET_BIND_SERVICE and nothing else', () => {
  const ok = planContainer(app, web, node, { ...DEFAULT_LIMITS, capAdd: ['NET_BIND_SERVICE'] });
  assert.deepEqual(ok.options.HostConfig?.CapAdd, ['NET_BIND_SERVICE']);
  for (const cap of ['NET_ADMIN', 'SYS_ADMIN', 'NET_RAW', 'ALL', 'CHOWN'])
    assert.throws(
      () => planContainer(app, web, node, { ...DEFAULT_LIMITS, capAdd: [cap] }),
      (err: unknown) => err instanceof RuntimeInputError && err.field === 'limits.capAdd[0]',
      cap,
    );
});

test('the root filesystem is read-only unless the component asks for a writable one', () => {
  assert.equal(planContainer(app, web, node).options.HostConfig?.ReadonlyRootfs, true);
  assert.equal(
    planContainer(app, { ...web, writableRoot: false }, node).options.HostConfig?.ReadonlyRootfs,
    true,
  );
  const writable = planContainer(app, { ...web, writableRoot: true }, node).options.HostConfig;
  assert.equal(writable?.ReadonlyRootfs, false);
  assert.deepEqual(writable?.CapDrop, ['ALL'], 'every other control stays');
});

test('the remapped root is read from the engine: userns on and a <uid>.<gid> store, else none', () => {
  const remapped = {
    SecurityOptions: ['name=seccomp,profile=default', 'name=userns'],
    DockerRootDir: '/d/data/100000.100000',
  };
  assert.deepEqual(remappedRootOf(remapped), { uid: 100000, gid: 100000 });
  assert.equal(remappedRootOf({ ...remapped, SecurityOptions: ['name=seccomp,profile=default'] }), null);
  assert.equal(remappedRootOf({ ...remapped, DockerRootDir: '/var/lib/docker' }), null);
  assert.equal(remappedRootOf({}), null);
});

test('a data mount on /tmp replaces the tmpfs there rather than clash with it', () => {
  const plan = planContainer(app, { ...web, containerData: '/tmp' }, node);
  assert.deepEqual(Object.keys(plan.options.HostConfig?.Tmpfs ?? {}), ['/run']);
});

test('containerData: Flux mode prefixes are dropped, unsafe paths refused', () => {
  assert.equal(dataPath('r:/data'), '/data');
  assert.equal(dataPath('g:/appdata'), '/appdata');
  assert.equal(dataPath('/data'), '/data');
  assert.equal(dataPath('  '), '');
  for (const bad of ['data', '/', '/data/../etc', 'r:data', '/a//b']) {
    assert.throws(
      () => dataPath(bad),
      (err: unknown) =>
        err instanceof RuntimeInputError && err.field === 'component.containerData' && err.value === bad,
      bad,
    );
  }
});

test('bad values are refused with the field, value and rule', () => {
  const cases: [Partial<RuntimeComponent> | { app: string } | { hostIp: string }, string, unknown][] = [
    [{ ports: [31000] }, 'component.containerPorts', [80, 443]],
    [{ ports: [31000, 31000] }, 'component.ports', [31000, 31000]],
    [{ ports: [31000, 70000] }, 'component.ports[1]', 70000],
    [{ containerPorts: [0, 443] }, 'component.containerPorts[0]', 0],
    [{ env: ['MODE'] }, 'component.env[0]', 'MODE'],
    [{ env: ['1X=2'] }, 'component.env[0]', '1X=2'],
    [{ cpu: 0 }, 'component.cpu', 0],
    [{ cpu: Number.NaN }, 'component.cpu', Number.NaN],
    [{ ram: 2.5 }, 'component.ram', 2.5],
    [{ ram: 4 }, 'component.ram', 4],
    [{ hdd: -1 }, 'component.hdd', -1],
    [{ name: 'web_1' }, 'component.name', 'web_1'],
    [{ image: 'has space' }, 'component.image', 'has space'],
    [{ app: 'my-app' }, 'app.name', 'my-app'],
    [{ hostIp: 'localhost' }, 'node.hostIp', 'localhost'],
  ];
  for (const [change, field, value] of cases) {
    const a = 'app' in change ? { ...app, name: change.app } : app;
    const n = 'hostIp' in change ? { ...node, hostIp: change.hostIp } : node;
    const c = 'app' in change || 'hostIp' in change ? web : { ...web, ...change };
    assert.throws(
      () => planContainer(a, c, n),
      (err: unknown) => {
        assert.ok(err instanceof RuntimeInputError, field);
        assert.equal(err.field, field);
        assert.deepEqual(err.value, value);
        assert.ok(err.message.startsWith(`${field} = `));
        return true;
      },
    );
  }
});

// Engine API "attach" framing: byte 0 = stream (1 stdout, 2 stderr), bytes 1..3 zero, 4..7 size BE.
function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

test('demuxLogs splits stdout and stderr frames in order', () => {
  const data = Buffer.concat([frame(1, 'hello\n'), frame(2, 'warn: é\n'), frame(1, ''), frame(1, 'bye\n')]);
  assert.deepEqual(demuxLogs(data), [
    { stream: 'stdout', text: 'hello\n' },
    { stream: 'stderr', text: 'warn: é\n' },
    { stream: 'stdout', text: '' },
    { stream: 'stdout', text: 'bye\n' },
  ]);
  // A multi-byte character split across two frames of the same stream survives.
  const euro = Buffer.from('€', 'utf8');
  const split = Buffer.concat([
    Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]),
    euro.subarray(0, 1),
    Buffer.from([1, 0, 0, 0, 0, 0, 0, 2]),
    euro.subarray(1),
  ]);
  assert.equal(
    demuxLogs(split)
      .map((c) => c.text)
      .join(''),
    '€',
  );
  // TTY output has no frames at all.
  assert.deepEqual(demuxLogs(Buffer.from('plain text\n')), [{ stream: 'stdout', text: 'plain text\n' }]);
  assert.throws(
    () => demuxLogs(Buffer.concat([frame(1, 'ok'), Buffer.from([1, 0, 0, 0, 0, 0, 0, 9, 65])])),
    RuntimeError,
  );
});

async function* chunks(parts: (string | Uint8Array)[]) {
  for (const p of parts) yield p;
}

test('jsonLines yields the same documents however the stream is chunked', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      async (docs, cuts) => {
        const bytes = Buffer.from(docs.map((d) => `${JSON.stringify(d)}\n`).join(''), 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const parts: Uint8Array[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          parts.push(bytes.subarray(from, p));
          from = p;
        }
        const got: unknown[] = [];
        for await (const d of jsonLines(chunks(parts))) got.push(d);
        // JSON round trip: fast-check's dictionaries have a null prototype, parsed objects do not.
        assert.deepEqual(got, JSON.parse(JSON.stringify(docs)));
      },
    ),
  );
});

test('drainProgress turns an in-stream error into a RuntimeError naming the target', async () => {
  const ok = await drainProgress(chunks(['{"status":"Pulling"}\n{"status":"Done"}\n']), 'pull', 'x:1');
  assert.equal(ok.length, 2);
  await assert.rejects(
    drainProgress(
      chunks([
        '{"status":"Pulling"}\n',
        '{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n',
      ]),
      'pull',
      'reg/x:1',
    ),
    (err: unknown) =>
      err instanceof RuntimeError &&
      err.operation === 'pull' &&
      err.message === 'pull reg/x:1: manifest unknown',
  );
});
