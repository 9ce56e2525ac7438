import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DataVolumes } from '../../../src/cloud/runtime/data-volume.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'fluxnode-volumes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a host that cannot mount volumes keeps a plain data folder and says why, once, in its log', async () => {
  const warned: { fields: object; msg: string }[] = [];
  const log = { info() {}, warn: (fields: object, msg: string) => warned.push({ fields, msg }) };
  const volumes = new DataVolumes(dir, log, () => 'the node does not run as root (mounting needs it)');
  const first = await volumes.prepare('hello', 'web', 1);
  assert.deepEqual(first, { enforced: false, reason: 'the node does not run as root (mounting needs it)' });
  assert.ok(existsSync(volumes.dataDir('hello', 'web')), 'the plain folder is there for the container');
  assert.equal(existsSync(volumes.imageFile('hello', 'web')), false, 'no volume file');
  assert.deepEqual(await volumes.prepare('other', 'db', 2), first);
  assert.equal(warned.length, 1, 'the host’s reason is logged once, not per component');
  assert.match(warned[0]?.msg ?? '', /hdd not enforced/);
  assert.equal(await volumes.restore(), 0, 'nothing to mount again');
  await volumes.release('hello', 'web');
  assert.equal(existsSync(volumes.dataDir('hello', 'web')), false);
});

test('volume files and mount points sit under the node’s folder, named by app and component', () => {
  const volumes = new DataVolumes('/srv/node', undefined, () => undefined);
  assert.equal(volumes.dataDir('hello', 'web'), '/srv/node/appdata/hello/web');
  assert.equal(volumes.imageFile('hello', 'web'), '/srv/node/appvolumes/hello_web.ext4');
  assert.deepEqual(volumes.support(), { enforced: true });
});
