/**
 * Secrets only the hosts can read: sealed boxes open only with the named node's key and only where
 * they were sealed for; a spec that names nodes runs only there; the agent hands the opened entries
 * to the engine with the container and to nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../../src/cloud/agent/backoff.ts';
import { reconcilePass } from '../../../src/cloud/agent/reconcile-pass.ts';
import type { AgentRuntime } from '../../../src/cloud/agent/types.ts';
import { explainPlacement } from '../../../src/cloud/placement/explain.ts';
import { placementApp } from '../../../src/cloud/placement/from-spec.ts';
import { placeApps, type PlacementNode } from '../../../src/cloud/placement/placement.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import type { ManagedContainer, RuntimeApp, RuntimeComponent } from '../../../src/cloud/runtime/types.ts';
import { componentSecretEnv, secretEnvOf } from '../../../src/cloud/secrets/component-secrets.ts';
import { openSecrets, SealedBoxError, sealSecrets } from '../../../src/cloud/secrets/sealed-box.ts';
import { canonicalJson, specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { AppSpecError, type ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { at } from '../../support/at.ts';

const SECRET = 'DB_PASSWORD=correct horse battery staple';
const PLAINTEXT = 'correct horse battery staple';
const OWNER = 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1';
const nodeIds = ['a', 'b', 'c', 'd'].map((c) => `${c.repeat(64)}:0`);
const keys = nodeIds.map(() => generatePrivateKey());
const pub = (i: number) => publicKeyOf(at(keys, i), true);
const ctx = (node: string) => ({ app: 'vault', component: 'db', node });

function rawSpec(named: string[], sealedFor: string[] = named): Record<string, unknown> {
  return {
    version: 1,
    name: 'vault',
    description: 'a database with a password',
    owner: OWNER,
    instances: 3,
    nodes: named,
    components: [
      {
        name: 'db',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31200],
        containerPorts: [8080],
        environmentParameters: ['PUBLIC=1'],
        commands: [],
        containerData: '/data',
        cpu: 0.1,
        ram: 100,
        hdd: 1,
        secrets: sealedFor.map((node) => ({
          node,
          box: sealSecrets([SECRET], pub(nodeIds.indexOf(node)), ctx(node)),
        })),
      },
    ],
  };
}

test('a sealed box opens with its node’s key, in its place, and gives back the entries', () => {
  const box = sealSecrets([SECRET, 'API_TOKEN=x'], pub(0), ctx(at(nodeIds, 0)));
  assert.ok(box.startsWith('fxs1:'));
  assert.ok(!box.includes(PLAINTEXT));
  assert.deepEqual(openSecrets(box, at(keys, 0), ctx(at(nodeIds, 0))), [SECRET, 'API_TOKEN=x']);
  assert.notEqual(
    box,
    sealSecrets([SECRET, 'API_TOKEN=x'], pub(0), ctx(at(nodeIds, 0))),
    'fresh key and nonce each time',
  );
});

test('a box does not open with another node’s key, moved to another app, component or node, or altered', () => {
  const node = at(nodeIds, 0);
  const box = sealSecrets([SECRET], pub(0), ctx(node));
  const refused = (f: () => unknown) =>
    assert.throws(f, (err: unknown) => err instanceof SealedBoxError && !err.message.includes(PLAINTEXT));
  refused(() => openSecrets(box, at(keys, 1), ctx(node)));
  refused(() => openSecrets(box, at(keys, 0), { ...ctx(node), app: 'other' }));
  refused(() => openSecrets(box, at(keys, 0), { ...ctx(node), component: 'web' }));
  refused(() => openSecrets(box, at(keys, 0), ctx(at(nodeIds, 1))));
  const bytes = Buffer.from(box.slice(5), 'base64');
  for (const i of [0, 40, bytes.length - 1]) {
    const tampered = Buffer.from(bytes);
    tampered[i] = (tampered[i] ?? 0) ^ 1;
    refused(() => openSecrets(`fxs1:${tampered.toString('base64')}`, at(keys, 0), ctx(node)));
  }
  refused(() => openSecrets('fxs1:AAAA', at(keys, 0), ctx(node)));
  refused(() => openSecrets(box.replace('fxs1:', 'fxs2:'), at(keys, 0), ctx(node)));
});

test('a spec with named nodes and a box for each validates; a spec without them hashes as before', () => {
  const spec = validateAppSpec(rawSpec(nodeIds.slice(0, 3)), DEVNET_APP_LIMITS);
  assert.deepEqual(spec.nodes, nodeIds.slice(0, 3));
  assert.equal(at(spec.components, 0).secrets?.length, 3);
  const plain = rawSpec([]);
  delete plain.nodes;
  delete (at(plain.components as Record<string, unknown>[], 0) as Record<string, unknown>).secrets;
  const v = validateAppSpec(plain, DEVNET_APP_LIMITS);
  assert.ok(!canonicalJson(v).includes('"nodes"') && !canonicalJson(v).includes('"secrets"'));
  assert.match(specHash(v), /^[0-9a-f]{64}$/);
});

test('named nodes and boxes are checked: format, repeats, too few, boxes missing or for unnamed nodes', () => {
  const rules = (raw: Record<string, unknown>) => {
    try {
      validateAppSpec(raw, DEVNET_APP_LIMITS);
      return [];
    } catch (err) {
      assert.ok(err instanceof AppSpecError);
      assert.ok(!err.message.includes(PLAINTEXT));
      return err.issues.map((i) => i.rule);
    }
  };
  assert.deepEqual(rules(rawSpec(['node1', ...nodeIds.slice(0, 2)], nodeIds.slice(0, 2))), [
    'node-format',
    'secret-node-missing',
  ]);
  assert.deepEqual(rules(rawSpec([at(nodeIds, 0), at(nodeIds, 0), at(nodeIds, 1)], nodeIds.slice(0, 2))), [
    'node-duplicate',
  ]);
  assert.deepEqual(rules(rawSpec(nodeIds.slice(0, 2))), ['nodes-too-few']);
  assert.deepEqual(rules(rawSpec(nodeIds.slice(0, 3), nodeIds.slice(0, 2))), ['secret-node-missing']);
  assert.deepEqual(rules(rawSpec(nodeIds.slice(0, 3), nodeIds)), ['secret-node-unnamed']);
  const unnamed = rawSpec(nodeIds.slice(0, 3));
  delete unnamed.nodes;
  assert.deepEqual(rules(unnamed), ['secrets-need-nodes']);
});

const placementNodes: PlacementNode[] = nodeIds.map((id, i) => ({
  id,
  ip: `10.0.0.${i}`,
  tier: 'stratus',
  capacity: { cpu: 2, ram: 2048, hdd: 8 },
  benchmarkOk: true,
}));

test('placement puts an app that names its nodes only there, and explains the others as not named', () => {
  const spec = validateAppSpec(rawSpec(nodeIds.slice(1, 4)), DEVNET_APP_LIMITS);
  const app = placementApp(spec, 10);
  const live = new Set(nodeIds);
  const r = placeApps({ apps: [app], nodes: placementNodes, live, epoch: 5 });
  assert.deepEqual(r.assignment.get('vault')?.slice().sort(), nodeIds.slice(1, 4));
  const e = explainPlacement('vault', [app], placementNodes, live, r.assignment);
  assert.equal(e?.filtered['not-named'], 1);
  const onlyTwoLive = placeApps({
    apps: [app],
    nodes: placementNodes,
    live: new Set(nodeIds.slice(0, 3)),
    epoch: 5,
  });
  assert.deepEqual(onlyTwoLive.assignment.get('vault')?.slice().sort(), nodeIds.slice(1, 3));
  assert.equal(onlyTwoLive.unplaced.get('vault'), 1, 'never moved to a node it does not name');
});

/** Records what the agent hands the engine; containers are created running. */
class RecordingRuntime
  implements Pick<AgentRuntime, 'listManagedContainers' | 'hasImage' | 'pullImage' | 'createAndStart'>
{
  readonly created: RuntimeComponent[] = [];
  readonly containers: ManagedContainer[] = [];
  async listManagedContainers() {
    return this.containers;
  }
  async hasImage() {
    return true;
  }
  async pullImage() {}
  async createAndStart(app: RuntimeApp, c: RuntimeComponent): Promise<ManagedContainer> {
    this.created.push(c);
    const m: ManagedContainer = {
      id: `id-${c.name}`,
      name: `flux${c.name}_${app.name}`,
      app: app.name,
      component: c.name,
      specHash: app.specHash,
      node: 'n',
      image: c.image,
      state: 'running',
      status: 'Up',
      created: 0,
    };
    this.containers.push(m);
    return m;
  }
}

async function passOn(node: number, spec: ValidSpec) {
  const runtime = new RecordingRuntime();
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg?: string) =>
    lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  const app = { name: 'vault', spec, specHash: specHash(spec) } as RegisteredApp;
  const { outcome } = await reconcilePass(
    {
      runtime: runtime as unknown as AgentRuntime,
      backoff: new Backoff(),
      log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      now: () => 0,
      active: () => true,
      retryIn: () => {},
      secretEnv: secretEnvOf({ nodeId: at(nodeIds, node), operatorPrivateKey: at(keys, node) }),
    },
    [{ app: 'vault', component: 'db', specHash: app.specHash, image: '127.0.0.1:5000/flux/hello:1' }],
    new Map([['vault', app]]),
    ['test'],
  );
  return { runtime, outcome, lines };
}

test('the agent gives the opened secrets to the engine with the container, after the public entries', async () => {
  const spec = validateAppSpec(rawSpec(nodeIds.slice(0, 3)), DEVNET_APP_LIMITS);
  const { runtime, outcome, lines } = await passOn(1, spec);
  assert.deepEqual(outcome.errors, []);
  assert.deepEqual(at(runtime.created, 0).env, ['PUBLIC=1', SECRET]);
  assert.ok(!JSON.stringify(outcome).includes(PLAINTEXT) && !lines.join('\n').includes(PLAINTEXT));
});

test('a node whose box does not open starts nothing, and says why without the secret', async () => {
  const spec = validateAppSpec(rawSpec(nodeIds.slice(0, 3)), DEVNET_APP_LIMITS);
  const { runtime, outcome, lines } = await passOn(3, spec);
  assert.equal(runtime.created.length, 0);
  assert.match(at(outcome.errors, 0).error, /no secrets sealed for this node/);
  assert.ok(!JSON.stringify(outcome).includes(PLAINTEXT) && !lines.join('\n').includes(PLAINTEXT));
  assert.deepEqual(
    componentSecretEnv(
      'vault',
      { ...at(spec.components, 0), secrets: undefined },
      at(nodeIds, 3),
      at(keys, 3),
    ),
    [],
  );
});
