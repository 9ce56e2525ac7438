import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  type ImportOptions,
  type ImportResult,
  importSpec,
  MAINNET_APP_LIMITS,
  parseAppSpec,
  SpecImportError,
  validateAppSpec,
} from '../../../src/cloud/index.ts';
import { at } from '../../support/at.ts';

const OWNER = 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1';
const OPTS: ImportOptions = { limits: MAINNET_APP_LIMITS, blockSeconds: 120, owner: OWNER };

function compose(name: string, opts: ImportOptions = OPTS): ImportResult {
  const text = readFileSync(new URL(`../../support/import/${name}`, import.meta.url), 'utf8');
  return importSpec(parseAppSpec(text, 'yaml'), opts);
}

function noteOn(r: ImportResult, field: string) {
  return r.notes.find((n) => n.field === field);
}

test('a two-service compose file becomes a valid two-component spec named after the project', () => {
  const r = compose('compose-wordpress.yaml');
  assert.equal(r.source, 'compose');
  const spec = validateAppSpec(r.spec, MAINNET_APP_LIMITS);
  assert.equal(spec.name, 'blog');
  assert.deepEqual(
    spec.components.map((c) => [c.name, c.repotag, c.containerData]),
    [
      ['wordpress', 'wordpress:6.4-apache', '/var/www/html'],
      ['db', 'mysql:8.0', '/var/lib/mysql'],
    ],
  );
});

test("a sibling service's host name in the environment becomes its component's container name", () => {
  const r = compose('compose-wordpress.yaml');
  const wp = at(r.spec.components as { environmentParameters: string[] }[], 0);
  assert.ok(
    wp.environmentParameters.includes('WORDPRESS_DB_HOST=fluxdb_blog:3306'),
    wp.environmentParameters.join(),
  );
  assert.equal(noteOn(r, 'services.wordpress.environment[0]')?.action, 'changed');
});

test('ports outside the public range move into it, and an unpublished port gets a free one', () => {
  const wp = compose('compose-wordpress.yaml');
  const c = at(wp.spec.components as { ports: number[]; containerPorts: number[] }[], 0);
  assert.deepEqual([c.ports, c.containerPorts], [[31000], [80]]);
  const shop = compose('compose-services.yaml', { ...OPTS, name: 'shop' });
  const web = at(shop.spec.components as { ports: number[]; containerPorts: number[] }[], 0);
  assert.deepEqual(web.ports, [31500, 31000]);
  assert.deepEqual(web.containerPorts, [3000, 9090]);
  assert.match(noteOn(shop, 'services.web-front.ports[1]')?.reason ?? '', /not published/);
});

test('resource limits round up to the spec steps; a service without limits gets the smallest amounts', () => {
  const r = compose('compose-wordpress.yaml');
  const [wp, db] = r.spec.components as { cpu: number; ram: number; hdd: number }[];
  assert.deepEqual([db?.cpu, db?.ram], [1.3, 1600], '1.25 cores and 1.5 GiB');
  assert.deepEqual([wp?.cpu, wp?.ram, wp?.hdd], [0.1, 100, 1]);
  assert.equal(noteOn(r, 'services.db.hdd')?.action, 'defaulted');
  const shop = compose('compose-services.yaml', { ...OPTS, name: 'shop' });
  const web = at(shop.spec.components as { cpu: number; ram: number }[], 0);
  assert.deepEqual([web.cpu, web.ram], [0.3, 300], 'the older cpus / mem_limit keys');
});

test('replicas set the instance count; what compose says and a spec cannot is noted, not lost', () => {
  const r = compose('compose-wordpress.yaml');
  assert.equal(r.spec.instances, 4);
  for (const field of ['services.db.healthcheck', 'services.wordpress.depends_on', 'networks', 'volumes'])
    assert.equal(noteOn(r, field)?.action, 'dropped', field);
  assert.match(noteOn(r, 'services.db.volumes[1]')?.reason ?? '', /one data folder/);
});

test('a shell-style command is split into words, quotes kept together, and service names rewritten', () => {
  const shop = compose('compose-services.yaml', { ...OPTS, name: 'shop' });
  const spec = validateAppSpec(shop.spec, MAINNET_APP_LIMITS);
  const worker = at(spec.components, 1);
  assert.deepEqual(worker.commands, [
    'python',
    '-m',
    'worker',
    '--queue',
    'high priority',
    '--redis',
    'cache',
  ]);
  const web = at(spec.components, 0);
  assert.ok(web.environmentParameters.includes('REDIS_URL=redis://fluxcache_shop:6379/0'));
  assert.ok(web.environmentParameters.includes('API=http://fluxworker_shop:8000/jobs'));
  assert.equal(web.name, 'webfront');
  assert.equal(web.containerData, '/data', 'a service without volumes gets the default folder');
  assert.equal(noteOn(shop, 'services.cache.build')?.action, 'dropped');
  assert.equal(noteOn(shop, 'services.worker.entrypoint')?.action, 'dropped');
});

test('a compose file without a name leaves the name for --name, and the validator says so', () => {
  const r = compose('compose-services.yaml');
  assert.equal(r.spec.name, undefined);
  assert.throws(() => validateAppSpec(r.spec, MAINNET_APP_LIMITS), /name is required/);
});

test('a service with only a build section cannot be imported, naming the service', () => {
  const doc = { services: { api: { build: '.' } } };
  assert.throws(
    () => importSpec(doc, OPTS),
    (err: unknown) =>
      err instanceof SpecImportError &&
      err.field === 'services.api.image' &&
      /only a build section/.test(err.message),
  );
});

test('two services whose names differ only in punctuation cannot both be imported', () => {
  const doc = { services: { 'my-db': { image: 'a' }, my_db: { image: 'b' } } };
  assert.throws(() => importSpec(doc, OPTS), /cannot be named uniquely/);
});

test('a service without read_only is told its root filesystem will be read-only; read_only: true needs no note', () => {
  const r = importSpec(
    {
      services: {
        web: { image: 'nginx:1.27', ports: ['31000:80'] },
        cache: { image: 'redis:7', read_only: true },
      },
    },
    OPTS,
  );
  assert.equal(noteOn(r, 'services.web.read_only')?.action, 'defaulted');
  assert.match(noteOn(r, 'services.web.read_only')?.reason ?? '', /writableRootFilesystem: true/);
  assert.equal(noteOn(r, 'services.cache.read_only'), undefined);
});
