import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSecrets, validateAppSpec, DEVNET_APP_LIMITS } from '../../../src/cloud/index.ts';
import { CliError } from '../../../src/cli/output.ts';
import { type NodeKeySource, sealSpecSecrets, secretEntries } from '../../../src/cli/owner/seal.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { at } from '../../support/at.ts';

const nodes = ['1', '2', '3'].map((c) => `${c.repeat(64)}:1`);
const keys = nodes.map(() => generatePrivateKey());

/** The node API as the CLI reads it: GET /nodes/:collateral. */
const api: NodeKeySource = {
  async get<T>(path: string): Promise<T> {
    const id = decodeURIComponent(path.replace('/nodes/', ''));
    const i = nodes.indexOf(id);
    if (i < 0) throw new Error('404 no such node');
    return { collateral: id, pubkey: toHex(publicKeyOf(at(keys, i), true)) } as T;
  },
};

const spec = () => ({
  version: 1,
  name: 'vault',
  description: 'a vault',
  owner: 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1',
  instances: 3,
  nodes,
  components: [
    {
      name: 'db',
      repotag: 'r/db:1',
      ports: [],
      containerPorts: [],
      environmentParameters: [],
      commands: [],
      containerData: '/d',
      cpu: 0.1,
      ram: 100,
      hdd: 1,
    },
    {
      name: 'web',
      repotag: 'r/web:1',
      ports: [],
      containerPorts: [],
      environmentParameters: [],
      commands: [],
      containerData: '/d',
      cpu: 0.1,
      ram: 100,
      hdd: 1,
    },
  ],
});

test('sealing gives each named node a box of the component’s entries that only it opens', async () => {
  const sealed = await sealSpecSecrets(spec(), secretEntries({ db: { DB_PASSWORD: 'hunter2' } }), api);
  const valid = validateAppSpec(sealed, DEVNET_APP_LIMITS);
  const db = at(valid.components, 0);
  assert.equal(at(valid.components, 1).secrets, undefined, 'web has none');
  assert.ok(!JSON.stringify(sealed).includes('hunter2'));
  nodes.forEach((node, i) => {
    const box = db.secrets?.find((s) => s.node === node)?.box ?? '';
    assert.deepEqual(openSecrets(box, at(keys, i), { app: 'vault', component: 'db', node }), [
      'DB_PASSWORD=hunter2',
    ]);
  });
});

test('sealing refuses a spec without nodes, an unknown component or node, and malformed entries, without echoing them', async () => {
  const noNodes: Record<string, unknown> = spec();
  delete noNodes.nodes;
  await assert.rejects(sealSpecSecrets(noNodes, secretEntries({ db: ['A=1'] }), api), /name its nodes/);
  await assert.rejects(sealSpecSecrets(spec(), secretEntries({ cache: ['A=1'] }), api), /component "cache"/);
  await assert.rejects(
    sealSpecSecrets({ ...spec(), nodes: [`${'9'.repeat(64)}:0`] }, secretEntries({ db: ['A=1'] }), api),
    /cannot read node/,
  );
  assert.throws(
    () => secretEntries({ db: ['hunter2 without a key'] }),
    (err: unknown) => err instanceof CliError && err.exitCode === 2 && !err.message.includes('hunter2'),
  );
});
