// The routing mesh's pure parts: which instances stand behind each public port (own first), the
// HAProxy config text generated from them, and the reconcile decision.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppLocation } from '../../../src/cloud/agent/locations.ts';
import { meshConfig } from '../../../src/cloud/mesh/config.ts';
import { planMesh } from '../../../src/cloud/mesh/plan.ts';
import { INSTANCE_PORT_OFFSET, instancePort } from '../../../src/cloud/mesh/ports.ts';
import { meshView } from '../../../src/cloud/mesh/view.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
type ValidSpec = RegisteredApp['spec'];

function app(
  name: string,
  registeredHeight: number,
  components: { name: string; ports: number[] }[],
): RegisteredApp {
  // Each public port leads to container port 8000 + its index.
  const full = components.map((c) => ({ ...c, containerPorts: c.ports.map((_p, i) => 8000 + i) }));
  const spec = { name, components: full } as unknown as ValidSpec;
  return {
    name,
    owner: 'o',
    spec,
    specHash: `h-${name}`,
    height: registeredHeight,
    registeredHeight,
    expiresAt: 1e6,
    paid: 1n,
    txid: 't',
  };
}

function at(node: string, ip: string, components: string[]): AppLocation {
  return {
    node,
    ip,
    ports: [],
    components: components.map((c) => ({ name: c, state: 'running' })),
    running: true,
  };
}

const self = { node: 'b:0', address: '10.0.0.2' };
const opts = { bind: '10.0.0.2', socketPath: '/run/mesh.sock', checkMs: 1000 };

describe('mesh view', () => {
  test('lists every public port of every app with its instances, this node’s own first', () => {
    const v = meshView({
      apps: [
        app('web', 5, [
          { name: 'front', ports: [31001, 31000] },
          { name: 'db', ports: [31002] },
        ]),
      ],
      locations: new Map([
        ['web', [at('a:0', '10.0.0.1', ['front', 'db']), at('b:0', '10.0.0.2', ['front'])]],
      ]),
      self,
    });
    assert.deepEqual(
      v.listeners.map((l) => [
        l.port,
        l.component,
        l.servers.map((s) => `${s.own ? '*' : ''}${s.address}:${s.port}`),
      ]),
      [
        [31000, 'front', ['*10.0.0.2:41000', '10.0.0.1:41000']],
        [31001, 'front', ['*10.0.0.2:41001', '10.0.0.1:41001']],
        [31002, 'db', ['10.0.0.1:41002']],
      ],
    );
    assert.deepEqual(v.shadowed, []);
  });

  test('this node reaches its own running container at its address on the app network, one hop less', () => {
    const v = meshView({
      apps: [app('web', 5, [{ name: 'front', ports: [31000, 31001] }])],
      locations: new Map([['web', [at('a:0', '10.0.0.1', ['front']), at('b:0', '10.0.0.2', ['front'])]]]),
      self,
      local: new Map([['web/front', '172.20.0.5']]),
    });
    assert.deepEqual(
      v.listeners.map((l) => l.servers.map((s) => `${s.own ? '*' : ''}${s.address}:${s.port}`)),
      [
        ['*172.20.0.5:8000', '10.0.0.1:41000'],
        ['*172.20.0.5:8001', '10.0.0.1:41001'],
      ],
    );
  });

  test('a port two apps claim leads to the older registration; the other is reported shadowed', () => {
    const v = meshView({
      apps: [
        app('newer', 9, [{ name: 'x', ports: [31000] }]),
        app('older', 3, [{ name: 'y', ports: [31000] }]),
      ],
      locations: new Map([
        ['older', [at('a:0', '10.0.0.1', ['y'])]],
        ['newer', [at('c:0', '10.0.0.3', ['x'])]],
      ]),
      self,
    });
    assert.deepEqual(
      v.listeners.map((l) => [l.app, l.port, l.servers.length]),
      [['older', 31000, 1]],
    );
    assert.deepEqual(v.shadowed, ['newer:31000']);
  });

  test('only running instances are servers, and a port whose app runs nowhere is not listened on', () => {
    const stopped: AppLocation = {
      ...at('a:0', '10.0.0.1', []),
      components: [{ name: 'web', state: 'exited' }],
    };
    const v = meshView({
      apps: [
        app('held', 3, [{ name: 'web', ports: [31000] }]),
        app('mixed', 4, [{ name: 'web', ports: [31001] }]),
      ],
      locations: new Map([
        ['held', [stopped]],
        ['mixed', [stopped, at('c:0', '10.0.0.3', ['web'])]],
      ]),
      self,
    });
    assert.deepEqual(
      v.listeners.map((l) => [l.port, l.servers.map((s) => s.node)]),
      [[31001, ['c:0']]],
    );
  });

  test('a g: standby (no container) is no server; the primary is', () => {
    const standby: AppLocation = {
      ...at('b:0', '10.0.0.2', []),
      components: [{ name: 'front', state: 'standby' }],
      running: false,
    };
    const v = meshView({
      apps: [app('web', 5, [{ name: 'front', ports: [31000] }])],
      locations: new Map([['web', [at('a:0', '10.0.0.1', ['front']), standby]]]),
      self,
    });
    assert.deepEqual(
      v.listeners.map((l) => l.servers.map((s) => s.address)),
      [['10.0.0.1']],
    );
  });

  test('the instance port is the public port plus the offset, and refuses ports it cannot map', () => {
    assert.equal(instancePort(31000), 31000 + INSTANCE_PORT_OFFSET);
    assert.throws(() => instancePort(65535 - INSTANCE_PORT_OFFSET + 1), RangeError);
  });
});

describe('mesh config', () => {
  const listener = (servers: { node: string; own: boolean }[]) => ({
    app: 'web',
    component: 'front',
    port: 31000,
    servers: servers.map((s, i) => ({ ...s, address: `10.0.0.${i + 1}`, port: 41000 })),
  });

  test('the own instance is the normal server and the others are backups that all take over', () => {
    const text = meshConfig(
      [
        listener([
          { node: 'b:0', own: true },
          { node: 'a:0', own: false },
        ]),
      ],
      opts,
    );
    assert.match(text, /listen app_web_front_31000\n {2}bind 10\.0\.0\.2:31000\n/);
    assert.match(text, /option allbackups/);
    assert.match(text, /server own_b:0 10\.0\.0\.1:41000 check\n/);
    assert.match(text, /server a:0 10\.0\.0\.2:41000 check backup\n/);
    assert.match(text, /mode tcp/);
    assert.match(text, /expose-fd listeners/);
  });

  test('without an own instance every instance is a normal, balanced server', () => {
    const text = meshConfig(
      [
        listener([
          { node: 'a:0', own: false },
          { node: 'c:1', own: false },
        ]),
      ],
      opts,
    );
    assert.doesNotMatch(text, /backup/);
    assert.match(text, /balance roundrobin/);
  });

  test('the same view gives the same bytes (so an unchanged view reloads nothing)', () => {
    const l = [listener([{ node: 'b:0', own: true }])];
    assert.equal(meshConfig(l, opts), meshConfig(structuredClone(l), opts));
    assert.notEqual(meshConfig(l, opts), meshConfig([], opts));
  });
});

describe('mesh plan', () => {
  const cases: [
    string,
    { text: string; listeners: number },
    { text: string | undefined; running: boolean },
    string,
  ][] = [
    [
      'starts HAProxy when there is something to listen on',
      { text: 'a', listeners: 1 },
      { text: undefined, running: false },
      'start',
    ],
    ['reloads when the text changed', { text: 'b', listeners: 1 }, { text: 'a', running: true }, 'reload'],
    [
      'does nothing when the text is the running one',
      { text: 'a', listeners: 1 },
      { text: 'a', running: true },
      'none',
    ],
    [
      'stops HAProxy when no app port is left',
      { text: 'x', listeners: 0 },
      { text: 'a', running: true },
      'stop',
    ],
    [
      'leaves a stopped HAProxy stopped with nothing to listen on',
      { text: 'x', listeners: 0 },
      { text: undefined, running: false },
      'none',
    ],
    [
      'starts again after HAProxy exited, even with the same text',
      { text: 'a', listeners: 1 },
      { text: 'a', running: false },
      'start',
    ],
  ];
  for (const [name, desired, actual, want] of cases)
    test(name, () => assert.equal(planMesh(desired, actual), want));
});
