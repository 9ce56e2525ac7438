import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AppSpecLimits, DEVNET_APP_LIMITS, MAINNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { AppSpecError, formatIssue } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { at } from '../../support/at.ts';

// Real mainnet addresses (FluxOS config and the reference notes): a P2PKH address that may own apps,
// and a P2SH one that may not.
const T1 = 't1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6';
const T3 = 't3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS';

type Json = Record<string, unknown> & { components: Record<string, unknown>[] };

function good(): Json {
  return {
    version: 1,
    name: 'hello',
    description: 'Hello world',
    owner: T1,
    instances: 3,
    components: [
      {
        name: 'web',
        description: 'httpd',
        repotag: '127.0.0.1:5000/busybox:1.36',
        ports: [31000],
        containerPorts: [8080],
        environmentParameters: ['GREETING=hi'],
        commands: ['httpd', '-f', '-p', '8080'],
        containerData: '/www',
        cpu: 0.1,
        ram: 100,
        hdd: 1,
      },
    ],
  };
}

function component(name: string, ports: number[]): Record<string, unknown> {
  return {
    ...good().components[0],
    name,
    ports,
    containerPorts: ports.map((_, i) => 8000 + i),
  };
}

const wideLimits: AppSpecLimits = {
  ...MAINNET_APP_LIMITS,
  ports: { ...MAINNET_APP_LIMITS.ports, min: 1, max: 65535 },
};

interface BadCase {
  what: string;
  change: (s: Json) => void;
  field: string;
  rule: string;
  limits?: AppSpecLimits;
}

const c0 = (s: Json) => at(s.components, 0);

const BAD: BadCase[] = [
  { what: 'unknown top-level field', change: (s) => (s.extra = 1), field: 'extra', rule: 'unknown-field' },
  {
    what: 'unknown component field',
    change: (s) => (c0(s).image = 'x'),
    field: 'components[0].image',
    rule: 'unknown-field',
  },
  {
    what: 'writableRootFilesystem given as text',
    change: (s) => (c0(s).writableRootFilesystem = 'yes'),
    field: 'components[0].writableRootFilesystem',
    rule: 'type',
  },
  { what: 'unsupported version', change: (s) => (s.version = 2), field: 'version', rule: 'version' },
  { what: 'version given as text', change: (s) => (s.version = '1'), field: 'version', rule: 'type' },
  { what: 'owner missing', change: (s) => delete s.owner, field: 'owner', rule: 'required' },
  { what: 'name too long', change: (s) => (s.name = 'a'.repeat(33)), field: 'name', rule: 'name-length' },
  { what: 'name with a dash', change: (s) => (s.name = 'hello-world'), field: 'name', rule: 'name-format' },
  {
    what: 'name starting with flux',
    change: (s) => (s.name = 'FluxHello'),
    field: 'name',
    rule: 'name-reserved',
  },
  {
    what: 'name starting with zel',
    change: (s) => (s.name = 'zelapp'),
    field: 'name',
    rule: 'name-reserved',
  },
  { what: 'name watchtower', change: (s) => (s.name = 'watchtower'), field: 'name', rule: 'name-reserved' },
  {
    what: 'empty description',
    change: (s) => (s.description = ''),
    field: 'description',
    rule: 'description-length',
  },
  {
    what: 'component description too long',
    change: (s) => (c0(s).description = 'x'.repeat(257)),
    field: 'components[0].description',
    rule: 'description-length',
  },
  { what: 'owner is a P2SH address', change: (s) => (s.owner = T3), field: 'owner', rule: 'owner-address' },
  {
    what: 'owner with a broken checksum',
    change: (s) => (s.owner = `${T1.slice(0, -1)}7`),
    field: 'owner',
    rule: 'owner-address',
  },
  {
    what: 'owner from another network',
    change: (s) => (s.owner = 'tmM2HGLJcjDsbRR4SUw3B7ttGQbnUFYbxvn'),
    field: 'owner',
    rule: 'owner-address',
  },
  {
    what: 'too few instances',
    change: (s) => (s.instances = 2),
    field: 'instances',
    rule: 'instances-range',
  },
  {
    what: 'too many instances',
    change: (s) => (s.instances = 101),
    field: 'instances',
    rule: 'instances-range',
  },
  { what: 'fractional instances', change: (s) => (s.instances = 3.5), field: 'instances', rule: 'integer' },
  { what: 'expire too short', change: (s) => (s.expire = 4000), field: 'expire', rule: 'expire-range' },
  { what: 'expire too long', change: (s) => (s.expire = 265000), field: 'expire', rule: 'expire-range' },
  {
    what: 'expire off the 1000-block step',
    change: (s) => (s.expire = 22500),
    field: 'expire',
    rule: 'expire-step',
  },
  {
    what: 'no components',
    change: (s) => (s.components = []),
    field: 'components',
    rule: 'components-count',
  },
  {
    what: 'six components',
    change: (s) => (s.components = [1, 2, 3, 4, 5, 6].map((i) => component(`c${i}`, [31000 + i]))),
    field: 'components',
    rule: 'components-count',
  },
  {
    what: 'components not a list',
    change: (s) => (s.components = {} as never),
    field: 'components',
    rule: 'type',
  },
  {
    what: 'component not an object',
    change: (s) => (s.components = ['web'] as never),
    field: 'components[0]',
    rule: 'type',
  },
  {
    what: 'two components with one name',
    change: (s) => (s.components = [component('web', [31000]), component('Web', [31001])]),
    field: 'components[1].name',
    rule: 'component-name-duplicate',
  },
  {
    what: 'image without tag',
    change: (s) => (c0(s).repotag = '127.0.0.1:5000/busybox'),
    field: 'components[0].repotag',
    rule: 'image-tag-missing',
  },
  {
    what: 'registry port out of range',
    change: (s) => (c0(s).repotag = '127.0.0.1:99999/busybox:1.36'),
    field: 'components[0].repotag',
    rule: 'image-registry-port',
  },
  {
    what: 'registry host with an underscore',
    change: (s) => (c0(s).repotag = 'my_registry.local:5000/busybox:1.36'),
    field: 'components[0].repotag',
    rule: 'image-registry',
  },
  {
    what: 'uppercase repository',
    change: (s) => (c0(s).repotag = '127.0.0.1:5000/BusyBox:1.36'),
    field: 'components[0].repotag',
    rule: 'image-path',
  },
  {
    what: 'bad tag',
    change: (s) => (c0(s).repotag = 'busybox:-1'),
    field: 'components[0].repotag',
    rule: 'image-tag',
  },
  {
    what: 'bad digest',
    change: (s) => (c0(s).repotag = 'busybox@sha256:abc'),
    field: 'components[0].repotag',
    rule: 'image-digest',
  },
  {
    what: 'image reference too long',
    change: (s) => (c0(s).repotag = `${'a/'.repeat(100)}a:1`),
    field: 'components[0].repotag',
    rule: 'image-length',
  },
  {
    what: 'port below range',
    change: (s) => (c0(s).ports = [30000]),
    field: 'components[0].ports[0]',
    rule: 'port-range',
  },
  {
    what: 'port above range',
    change: (s) => (c0(s).ports = [40000]),
    field: 'components[0].ports[0]',
    rule: 'port-range',
  },
  {
    what: 'reserved port (range widened as a devnet might)',
    change: (s) => (c0(s).ports = [16125]),
    field: 'components[0].ports[0]',
    rule: 'port-reserved',
    limits: wideLimits,
  },
  {
    what: 'one port used by two components',
    change: (s) => (s.components = [component('web', [31000]), component('api', [31000])]),
    field: 'components[1].ports[0]',
    rule: 'port-duplicate',
  },
  {
    what: 'six ports in one component',
    change: (s) => (s.components = [component('web', [31001, 31002, 31003, 31004, 31005, 31006])]),
    field: 'components[0].ports',
    rule: 'ports-per-component',
  },
  {
    what: 'eleven ports in the app',
    change: (s) =>
      (s.components = [
        component('a', [31001, 31002, 31003, 31004]),
        component('b', [31011, 31012, 31013, 31014]),
        component('c', [31021, 31022, 31023]),
      ]),
    field: 'components',
    rule: 'ports-total',
  },
  {
    what: 'port given as text',
    change: (s) => (c0(s).ports = ['31000']),
    field: 'components[0].ports[0]',
    rule: 'type',
  },
  {
    what: 'container port 0',
    change: (s) => (c0(s).containerPorts = [0]),
    field: 'components[0].containerPorts[0]',
    rule: 'container-port-range',
  },
  {
    what: 'container ports not pairing with ports',
    change: (s) => (c0(s).containerPorts = [8080, 8081]),
    field: 'components[0].containerPorts',
    rule: 'container-ports-mismatch',
  },
  {
    what: 'env without =',
    change: (s) => (c0(s).environmentParameters = ['GREETING']),
    field: 'components[0].environmentParameters[0]',
    rule: 'env-format',
  },
  {
    what: 'env key starting with a digit',
    change: (s) => (c0(s).environmentParameters = ['1X=y']),
    field: 'components[0].environmentParameters[0]',
    rule: 'env-format',
  },
  {
    what: 'env key set twice',
    change: (s) => (c0(s).environmentParameters = ['A=1', 'A=2']),
    field: 'components[0].environmentParameters[1]',
    rule: 'env-duplicate',
  },
  {
    what: 'too many env entries',
    change: (s) => (c0(s).environmentParameters = Array.from({ length: 21 }, (_, i) => `V${i}=x`)),
    field: 'components[0].environmentParameters',
    rule: 'env-count',
  },
  {
    what: 'env entry too long',
    change: (s) => (c0(s).environmentParameters = [`A=${'x'.repeat(399)}`]),
    field: 'components[0].environmentParameters[0]',
    rule: 'env-length',
  },
  {
    what: 'too many command arguments',
    change: (s) => (c0(s).commands = Array.from({ length: 21 }, () => 'x')),
    field: 'components[0].commands',
    rule: 'commands-count',
  },
  {
    what: 'command argument too long',
    change: (s) => (c0(s).commands = ['x'.repeat(401)]),
    field: 'components[0].commands[0]',
    rule: 'command-length',
  },
  {
    what: 'command argument with NUL',
    change: (s) => (c0(s).commands = ['a\u0000b']),
    field: 'components[0].commands[0]',
    rule: 'command-format',
  },
  {
    what: 'relative container data path',
    change: (s) => (c0(s).containerData = 'www'),
    field: 'components[0].containerData',
    rule: 'container-data-absolute',
  },
  {
    what: 'container data path climbing up',
    change: (s) => (c0(s).containerData = '/www/../etc'),
    field: 'components[0].containerData',
    rule: 'container-data-traversal',
  },
  {
    what: 'container data at the root',
    change: (s) => (c0(s).containerData = '/'),
    field: 'components[0].containerData',
    rule: 'container-data-root',
  },
  {
    what: 'container data with a mount option',
    change: (s) => (c0(s).containerData = '/www:ro'),
    field: 'components[0].containerData',
    rule: 'container-data-format',
  },
  {
    what: 'container data with an unknown mode prefix',
    change: (s) => (c0(s).containerData = 'x:/www'),
    field: 'components[0].containerData',
    rule: 'container-data-mode',
  },
  {
    what: 'container data mounting another component’s folder',
    change: (s) => (c0(s).containerData = 'r:/www|0:/shared'),
    field: 'components[0].containerData',
    rule: 'container-data-reference',
  },
  {
    what: 'a mode prefix on a relative path',
    change: (s) => (c0(s).containerData = 'g:www'),
    field: 'components[0].containerData',
    rule: 'container-data-absolute',
  },
  {
    what: 'container data path too long',
    change: (s) => (c0(s).containerData = `/${'d'.repeat(200)}`),
    field: 'components[0].containerData',
    rule: 'container-data-length',
  },
  {
    what: 'cpu off the 0.1 step',
    change: (s) => (c0(s).cpu = 0.15),
    field: 'components[0].cpu',
    rule: 'cpu-step',
  },
  { what: 'cpu zero', change: (s) => (c0(s).cpu = 0), field: 'components[0].cpu', rule: 'cpu-min' },
  {
    what: 'cpu above Stratus',
    change: (s) => (c0(s).cpu = 15.1),
    field: 'components[0].cpu',
    rule: 'cpu-max',
  },
  {
    what: 'ram off the 100 MB step',
    change: (s) => (c0(s).ram = 150),
    field: 'components[0].ram',
    rule: 'ram-step',
  },
  { what: 'ram zero', change: (s) => (c0(s).ram = 0), field: 'components[0].ram', rule: 'ram-min' },
  {
    what: 'ram above Stratus',
    change: (s) => (c0(s).ram = 59100),
    field: 'components[0].ram',
    rule: 'ram-max',
  },
  { what: 'fractional hdd', change: (s) => (c0(s).hdd = 1.5), field: 'components[0].hdd', rule: 'hdd-step' },
  { what: 'hdd zero', change: (s) => (c0(s).hdd = 0), field: 'components[0].hdd', rule: 'hdd-min' },
  {
    what: 'hdd above Stratus',
    change: (s) => (c0(s).hdd = 841),
    field: 'components[0].hdd',
    rule: 'hdd-max',
  },
  { what: 'cpu as text', change: (s) => (c0(s).cpu = '1'), field: 'components[0].cpu', rule: 'type' },
  {
    what: 'components together above Stratus cpu',
    change: (s) =>
      (s.components = [
        { ...component('a', [31001]), cpu: 10 },
        { ...component('b', [31002]), cpu: 5.1 },
      ]),
    field: 'components',
    rule: 'app-cpu-max',
  },
  {
    what: 'components together above Stratus ram',
    change: (s) =>
      (s.components = [
        { ...component('a', [31001]), ram: 30000 },
        { ...component('b', [31002]), ram: 29100 },
      ]),
    field: 'components',
    rule: 'app-ram-max',
  },
  {
    what: 'components together above Stratus hdd',
    change: (s) =>
      (s.components = [
        { ...component('a', [31001]), hdd: 800 },
        { ...component('b', [31002]), hdd: 41 },
      ]),
    field: 'components',
    rule: 'app-hdd-max',
  },
  {
    what: 'bare continent code',
    change: (s) => (s.geolocation = ['EU']),
    field: 'geolocation[0]',
    rule: 'geolocation-format',
  },
  {
    what: 'unknown continent',
    change: (s) => (s.geolocation = ['acXX']),
    field: 'geolocation[0]',
    rule: 'geolocation-continent',
  },
  {
    what: 'unknown country',
    change: (s) => (s.geolocation = ['acEU_QQ']),
    field: 'geolocation[0]',
    rule: 'geolocation-country',
  },
  {
    what: 'same location twice',
    change: (s) => (s.geolocation = ['acEU_DE', 'acEU_DE']),
    field: 'geolocation[1]',
    rule: 'geolocation-duplicate',
  },
  {
    what: 'location allowed and forbidden',
    change: (s) => (s.geolocation = ['acEU', 'a!cEU']),
    field: 'geolocation[1]',
    rule: 'geolocation-conflict',
  },
  {
    what: 'too many location rules',
    change: (s) =>
      (s.geolocation = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA', 'EU_DE', 'EU_FR', 'EU_CZ', 'NA_US'].map(
        (g) => `ac${g}`,
      )),
    field: 'geolocation',
    rule: 'geolocation-count',
  },
];

test('the bad-spec table covers 30+ cases and at least 30 distinct rules', () => {
  assert.ok(BAD.length >= 30);
  assert.ok(new Set(BAD.map((c) => c.rule)).size >= 30);
});

for (const c of BAD) {
  test(`bad spec (${c.what}) is reported as ${c.rule} at ${c.field}, and nothing else`, () => {
    const spec = good();
    c.change(spec);
    assert.throws(
      () => validateAppSpec(spec, c.limits ?? MAINNET_APP_LIMITS),
      (err: unknown) => {
        assert.ok(err instanceof AppSpecError, c.what);
        assert.deepEqual(
          err.issues.map((i) => [i.field, i.rule]),
          [[c.field, c.rule]],
          `${c.what}: ${err.message}`,
        );
        // The message names field, value and rule.
        const issue = at(err.issues, 0);
        assert.ok(err.message.includes(c.field === '' ? '(spec)' : c.field), c.what);
        assert.ok(err.message.includes(`[${c.rule}]`), c.what);
        assert.equal(typeof issue.message, 'string');
        assert.ok(issue.message.length > 10, c.what);
        return true;
      },
      c.what,
    );
  });
}

test('a spec that is not an object is refused with a type issue', () => {
  for (const v of [null, [], 'hello', 3]) {
    assert.throws(
      () => validateAppSpec(v, MAINNET_APP_LIMITS),
      (e: unknown) =>
        e instanceof AppSpecError && at(e.issues, 0).rule === 'type' && at(e.issues, 0).field === '',
    );
  }
});

test('every problem is reported at once, each naming field, value and rule', () => {
  const spec = good();
  spec.name = 'bad name';
  spec.instances = 1;
  c0(spec).ports = [30000];
  c0(spec).cpu = 0.05;
  c0(spec).containerData = '/a/../b';
  try {
    validateAppSpec(spec, MAINNET_APP_LIMITS);
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof AppSpecError);
    assert.deepEqual(
      err.issues.map((i) => [i.field, i.value, i.rule]),
      [
        ['name', 'bad name', 'name-format'],
        ['instances', 1, 'instances-range'],
        ['components[0].ports[0]', 30000, 'port-range'],
        ['components[0].containerData', '/a/../b', 'container-data-traversal'],
        ['components[0].cpu', 0.05, 'cpu-step'],
      ],
    );
    assert.equal(
      formatIssue(at(err.issues, 2)),
      'components[0].ports[0] = 30000 [port-range]: public port must be a whole number from 31000 to 39999',
    );
    for (const issue of err.issues) assert.ok(err.message.includes(formatIssue(issue)));
  }
});

test('a good spec comes back typed, with defaults filled in', () => {
  const spec = validateAppSpec(good(), MAINNET_APP_LIMITS);
  assert.equal(spec.expire, MAINNET_APP_LIMITS.expire.default);
  assert.equal(spec.expire, 22000);
  assert.deepEqual(spec.geolocation, []);
  assert.equal(at(spec.components, 0).repotag, '127.0.0.1:5000/busybox:1.36');

  const minimal = good();
  for (const key of ['description', 'ports', 'containerPorts', 'environmentParameters', 'commands'])
    delete c0(minimal)[key];
  const m = validateAppSpec(minimal, MAINNET_APP_LIMITS);
  assert.deepEqual(
    [
      at(m.components, 0).description,
      at(m.components, 0).ports,
      at(m.components, 0).environmentParameters,
      at(m.components, 0).commands,
    ],
    ['', [], [], []],
  );
});

test('boundary values FluxOS allows are accepted', () => {
  const spec = good();
  spec.name = 'a'.repeat(32);
  spec.instances = 100;
  spec.expire = 264000;
  spec.geolocation = ['acEU_DE', 'a!cNA_US', 'acAS'];
  c0(spec).ports = [31000, 39999];
  c0(spec).containerPorts = [1, 65535];
  c0(spec).cpu = 15;
  c0(spec).ram = 59000;
  c0(spec).hdd = 840;
  const v = validateAppSpec(spec, MAINNET_APP_LIMITS);
  assert.equal(at(v.components, 0).cpu, 15);
});

test('the FluxOS data modes s:, r: and g: are accepted and kept as written', () => {
  for (const containerData of ['s:/data', 'r:/var/lib/db', 'g:/www']) {
    const spec = good();
    c0(spec).containerData = containerData;
    assert.equal(at(validateAppSpec(spec, MAINNET_APP_LIMITS).components, 0).containerData, containerData);
  }
});

test('limits are data: the devnet table refuses what mainnet accepts, and accepts testnet owners', () => {
  const spec = good();
  c0(spec).cpu = 3;
  assert.doesNotThrow(() => validateAppSpec(spec, MAINNET_APP_LIMITS));
  assert.throws(
    () => validateAppSpec(spec, DEVNET_APP_LIMITS),
    (e: unknown) => e instanceof AppSpecError && at(e.issues, 0).rule === 'cpu-max',
  );
  const devnetOwner = good();
  devnetOwner.owner = 'tmM2HGLJcjDsbRR4SUw3B7ttGQbnUFYbxvn';
  devnetOwner.expire = 50;
  assert.equal(validateAppSpec(devnetOwner, DEVNET_APP_LIMITS).expire, 50);
});

test('validation does not change its input', () => {
  const spec = good();
  const copy = structuredClone(spec);
  validateAppSpec(spec, MAINNET_APP_LIMITS);
  assert.deepEqual(spec, copy);
});

test('writableRootFilesystem: true is kept; false and absent are the same spec with the same hash', () => {
  const asked = good();
  c0(asked).writableRootFilesystem = true;
  assert.equal(at(validateAppSpec(asked, MAINNET_APP_LIMITS).components, 0).writableRootFilesystem, true);
  const off = good();
  c0(off).writableRootFilesystem = false;
  const plain = validateAppSpec(good(), MAINNET_APP_LIMITS);
  const offValid = validateAppSpec(off, MAINNET_APP_LIMITS);
  assert.equal('writableRootFilesystem' in at(offValid.components, 0), false);
  assert.equal(specHash(offValid), specHash(plain));
  assert.notEqual(specHash(validateAppSpec(asked, MAINNET_APP_LIMITS)), specHash(plain));
});
