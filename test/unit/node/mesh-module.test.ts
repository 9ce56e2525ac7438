import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Logger } from 'pino';
import type { Chain } from '../../../src/chain/index.ts';
import { MESH_ERRORS } from '../../../src/cloud/index.ts';
import { MeshModule } from '../../../src/node/modules/mesh.ts';

test('without haproxy the mesh module opens anyway, disabled, with a warning that says why', async () => {
  const warnings: { obj: { code?: string; err?: string }; msg: string }[] = [];
  const log = {
    warn: (obj: { code?: string; err?: string }, msg: string) => warnings.push({ obj, msg }),
    info() {},
    debug() {},
  } as unknown as Logger;
  const mesh = new MeshModule(
    { host: '127.0.0.1', dataDir: '/tmp/never-written', searchDirs: ['/nonexistent'] },
    {
      chain: new EventEmitter() as unknown as Chain,
      agent: () => undefined,
      containers: async () => [],
      activeApps: () => [],
      log,
      metrics: null,
    },
  );
  await mesh.open();
  assert.equal(mesh.enabled, false);
  assert.deepEqual(mesh.addressesOf('any'), []);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.msg, 'routing mesh disabled');
  assert.equal(warnings[0]?.obj.code, MESH_ERRORS.haproxyMissing);
  assert.match(warnings[0]?.obj.err ?? '', /--no-mesh/);
  await mesh.close();
});
