import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppSpec } from '../../../src/cloud/index.ts';
import { appDetail } from '../../../src/api/rest/app-routes.ts';
import type { AppRecord } from '../../../src/api/rest/providers.ts';

const spec = {
  version: 1,
  name: 'pinned',
  description: '',
  owner: 't1owner',
  components: [],
  instances: 3,
  expire: 22000,
  geolocation: [],
} as unknown as AppSpec;

function record(s: AppSpec): AppRecord {
  return { name: s.name, owner: s.owner, spec: s, specHash: 'ab', height: 1, expiresAt: 2, locations: [] };
}

test('GET /apps/:name shows the nodes a spec names, and no nodes field for a spec that names none', () => {
  const nodes = ['aa:0', 'bb:1', 'cc:2'];
  assert.deepEqual(appDetail(record({ ...spec, nodes } as AppSpec), new Map()).spec.nodes, nodes);
  assert.equal('nodes' in appDetail(record(spec), new Map()).spec, false);
});
