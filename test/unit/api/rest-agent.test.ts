import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { type AgentSource, agentProviders } from '../../../src/api/rest/agent-providers.ts';
import { benchmarkView } from '../../../src/api/rest/node-view.ts';
import type { AppLocation as AgentLocation } from '../../../src/cloud/agent/locations.ts';
import { checkBenchmark } from '../../../src/cloud/benchmark/check.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { OWNER_ADDRESS, params, SAMPLE_APP } from '../../support/rest-fixture.ts';
import { tuple } from '../../support/at.ts';

const spec = validateAppSpec({ ...SAMPLE_APP, owner: OWNER_ADDRESS }, DEVNET_APP_LIMITS);
const app: RegisteredApp = {
  name: spec.name,
  owner: spec.owner,
  spec,
  specHash: specHash(spec),
  height: 100,
  registeredHeight: 90,
  expiresAt: 100 + spec.expire,
  paid: 450_000_000n,
  txid: 'ab'.repeat(32),
};
const [A, B, C] = tuple(
  ['aa', 'bb', 'cc'].map((c) => `${c.repeat(32)}:0`),
  3,
);

class FakeAgent extends EventEmitter implements AgentSource {
  allLocations() {
    return new Map([
      [
        'hello',
        [
          {
            node: A,
            ip: '127.0.0.11',
            ports: [31000],
            components: [{ name: 'web', state: 'running' as const }],
            running: true,
          },
          {
            node: B,
            ip: '127.0.0.12',
            ports: [31000],
            components: [{ name: 'web', state: 'exited' as const }],
            running: false,
          },
        ],
      ],
    ]);
  }
  placement() {
    return {
      assignment: new Map([['hello', [A, B, C]]]),
      unplaced: new Map<string, number>(),
      explain: (name: string) =>
        name === 'hello' ? { nodes: 5, hosting: 3, filtered: { 'port-taken': 2 } } : undefined,
    };
  }
  benchmarkOf(node: string) {
    return node === A
      ? { node, time: 1_700_000_000_500, cores: 4, ramMB: 7782, diskGB: 220, eps: 300, diskWriteMBps: 200 }
      : undefined;
  }
  reportOf(node: string) {
    return node === A ? { time: 1_700_000_123_999 } : undefined;
  }
}

test('agent locations: reported states, assigned nodes still starting, report times in seconds', () => {
  const agent = new FakeAgent();
  const { apps } = agentProviders(agent, {
    activeApps: () => [app],
    ipOf: (n) => (n === C ? '127.0.0.13' : ''),
  });
  const [rec] = tuple(apps.list() as Exclude<ReturnType<typeof apps.list>, Promise<unknown>>, 1);
  assert.equal(rec.name, 'hello');
  assert.equal(rec.priceSat, app.paid);
  assert.deepEqual(rec.locations, [
    { node: A, ip: '127.0.0.11', ports: [31000], state: 'running', updated: 1_700_000_123 },
    { node: B, ip: '127.0.0.12', ports: [31000], state: 'exited' },
    { node: C, ip: '127.0.0.13', state: 'starting' },
  ]);
  assert.equal(rec.placement?.summary, '5 nodes: 3 hosting, 2 port-taken');
});

test('an app carries the addresses where the node asked answers for it through its routing mesh', () => {
  const agent = new FakeAgent();
  const meshed = agentProviders(agent, {
    activeApps: () => [app],
    meshOf: (a) => [`127.0.0.14:${a.length}`],
  });
  const plain = agentProviders(agent, { activeApps: () => [app] });
  const list = (p: typeof meshed) =>
    p.apps.list() as Exclude<ReturnType<typeof p.apps.list>, Promise<unknown>>;
  assert.deepEqual(tuple(list(meshed), 1)[0].mesh, ['127.0.0.14:5']);
  assert.deepEqual(tuple(list(plain), 1)[0].mesh, []);
});

test('placement and report events reach onChange listeners until they unsubscribe', () => {
  const agent = new FakeAgent();
  const { apps } = agentProviders(agent, { activeApps: () => [app] });
  let calls = 0;
  const off = apps.onChange!(() => calls++);
  agent.emit('placement');
  agent.emit('report');
  off();
  agent.emit('placement');
  assert.equal(calls, 2);
});

test('benchmarks in GB, judged exactly as the agents judge them', () => {
  const { benchmarks } = agentProviders(new FakeAgent(), { activeApps: () => [] });
  const b = benchmarks.benchmarkOf(A)!;
  assert.deepEqual(b, {
    cores: 4,
    ramGB: 7782 / 1024,
    ssdGB: 220,
    eps: 300,
    diskWriteMBps: 200,
    time: 1_700_000_000,
    location: null,
  });
  assert.equal(benchmarks.benchmarkOf(B), undefined);
  for (const tier of ['cumulus', 'nimbus', 'stratus'] as const) {
    const agents = checkBenchmark(
      { cores: 4, ramMB: 7782, diskGB: 220, eps: 300, diskWriteMBps: 200 },
      params.fluxnodes.hardwareMinimums[tier],
    ).ok;
    assert.equal(benchmarkView(b, tier, params)!.meetsTier, agents, tier);
  }
});

test('a g: app’s instances show their data mode, which one is primary, and how far each is behind', () => {
  const gSpec = { ...spec, components: spec.components.map((c) => ({ ...c, containerData: 'g:/www' })) };
  const gApp: RegisteredApp = { ...app, spec: gSpec };
  const agent: AgentSource = new FakeAgent();
  agent.allLocations = () =>
    new Map<string, AgentLocation[]>([
      [
        'hello',
        [
          {
            node: A,
            ip: 'a',
            ports: [31000],
            components: [{ name: 'web', state: 'running' as const }],
            running: true,
          },
          {
            node: B,
            ip: 'b',
            ports: [],
            components: [{ name: 'web', state: 'standby' as const, needBytes: 2048 }],
            running: false,
          },
          {
            node: C,
            ip: 'c',
            ports: [],
            components: [{ name: 'web', state: 'syncing' as const }],
            running: false,
          },
        ],
      ],
    ]);
  const { apps } = agentProviders(agent, { activeApps: () => [gApp] });
  const [rec] = tuple(apps.list() as Exclude<ReturnType<typeof apps.list>, Promise<unknown>>, 1);
  assert.deepEqual(
    rec.locations.map((l) => [l.state, l.data]),
    [
      ['running', [{ component: 'web', mode: 'g', role: 'primary', needBytes: 0, inSync: true }]],
      ['standby', [{ component: 'web', mode: 'g', role: 'standby', needBytes: 2048, inSync: false }]],
      ['syncing', [{ component: 'web', mode: 'g', role: 'syncing', needBytes: 0, inSync: false }]],
    ],
  );
});
