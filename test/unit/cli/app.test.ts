import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse as parseYaml } from 'yaml';

const BIN = new URL('../../../bin/fluxnode.js', import.meta.url).pathname;
const HELLO = new URL('../../../examples/hello-app.yaml', import.meta.url).pathname;
const RELAY = new URL('../../../examples/relay-app.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fluxnode-app-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'app', ...args], { encoding: 'utf8' });
}

function writeSpec(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

test('app validate: the sample specs are valid (exit 0) and the spec hash is printed', () => {
  for (const file of [HELLO, RELAY]) {
    const r = run('validate', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid app spec/);
    assert.match(r.stdout, /spec hash [0-9a-f]{64}/);
  }
  const j = run('validate', HELLO, '--json');
  assert.equal(j.status, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.equal(out.valid, true);
  assert.equal(out.spec.name, 'hello');
  assert.match(out.hash, /^[0-9a-f]{64}$/);
});

test('app validate: YAML and JSON forms of one spec give the same hash', () => {
  const asJson = writeSpec('hello.json', parseYaml(readFileSync(HELLO, 'utf8')));
  const a = JSON.parse(run('validate', HELLO, '--json').stdout);
  const b = JSON.parse(run('validate', asJson, '--json').stdout);
  assert.equal(a.hash, b.hash);
});

test('app validate: an invalid spec exits 1 and lists every issue with field, value and rule', () => {
  const spec = parseYaml(readFileSync(HELLO, 'utf8'));
  spec.instances = 200;
  spec.components[0].ports = [30000];
  spec.components[0].repotag = '127.0.0.1:5000/busybox';
  const file = writeSpec('bad.json', spec);
  const r = run('validate', file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /3 problems/);
  assert.match(r.stderr, /instances = 200 \[instances-range\]/);
  assert.match(r.stderr, /components\[0\]\.ports\[0\] = 30000 \[port-range\]/);
  assert.match(r.stderr, /components\[0\]\.repotag = "127\.0\.0\.1:5000\/busybox" \[image-tag-missing\]/);

  const j = run('validate', file, '--json');
  assert.equal(j.status, 1);
  const out = JSON.parse(j.stdout);
  assert.equal(out.valid, false);
  assert.deepEqual(
    out.issues.map((i: { field: string; rule: string }) => [i.field, i.rule]),
    [
      ['instances', 'instances-range'],
      ['components[0].repotag', 'image-tag-missing'],
      ['components[0].ports[0]', 'port-range'],
    ],
  );
});

test('app validate: FluxOS data modes (s:, r:, g:) are valid; mounting another component’s folder is refused', () => {
  const spec = parseYaml(readFileSync(HELLO, 'utf8'));
  for (const mode of ['s', 'r', 'g']) {
    spec.components[0].containerData = `${mode}:/www`;
    const r = run('validate', writeSpec(`mode-${mode}.json`, spec));
    assert.equal(r.status, 0, r.stderr);
  }
  spec.components[0].containerData = 'g:/www|0:/shared';
  const r = run('validate', writeSpec('reference.json', spec));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\[container-data-reference\]/);
});

test('app validate: a missing file or malformed text exits 2', () => {
  const missing = run('validate', join(dir, 'nope.yaml'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read/);
  const broken = run('validate', writeSpec('broken.yaml', 'name: [unclosed\n'));
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /not valid YAML/);
  const j = run('validate', writeSpec('broken.json', '{"name": '), '--json');
  assert.equal(j.status, 2);
  assert.equal(JSON.parse(j.stdout).issues[0].rule, 'syntax');
  assert.equal(run('validate', HELLO, '--network', 'moon').status, 2);
});

test('app price: FluxOS 2022 prices for the hello app are 0.09 FLUX for 22,000 blocks', () => {
  // 0.1 core × 0.06 + 100 MB × 0.02 + 1 GB × 0.01 = 0.09 FLUX (prices in force from height 1,004,000).
  const r = run('price', HELLO, '--height', '1100000');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /total for 22,000 blocks: 0\.09000000 FLUX \(9000000 sat\)/);
  const j = run('price', HELLO, '--height', '1100000', '--json');
  const out = JSON.parse(j.stdout);
  assert.equal(out.total, '9000000');
  assert.equal(out.priceForkHeight, 1004000);
  assert.equal(run('price', HELLO, '--height', 'soon').status, 2);
  const bad = writeSpec('bad-price.json', { version: 1 });
  assert.equal(run('price', bad).status, 1);
});

test('app validate: deeply nested or oversized specs are bad input (exit 2) with a clear reason, not a crash', () => {
  const depth = 30_000;
  const cases: [string, string, RegExp][] = [
    ['deep.json', `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`, /nested deeper than 32 levels/],
    ['deep.yaml', `name: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, /nested deeper than 32 levels/],
    ['compact.yaml', `name:\n  ${'- '.repeat(60_000)}x\n`, /nested too deeply/],
    ['huge.json', `{"name":"${'a'.repeat(50_000_000)}"}`, /a spec is at most 131072 characters/],
  ];
  for (const [name, text, why] of cases) {
    const file = writeSpec(name, text);
    const r = run('validate', file);
    assert.equal(r.status, 2, `${name}: ${r.stderr.slice(0, 300)}`);
    assert.match(r.stderr, why, name);
    assert.doesNotMatch(r.stderr, /Maximum call stack/, name);
  }
  // How fast the refusal comes is a benchmark's question, not a test's: here it is enough that the
  // size rule, not a parser, answered for the 50 MB file.
});
