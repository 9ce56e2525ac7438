import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalBytes, canonicalJson, specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS, MAINNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { formatFromPath, parseAppSpec } from '../../../src/cloud/spec/parse.ts';
import { AppSpecError } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { at } from '../../support/at.ts';

const EXAMPLES = ['hello-app.yaml', 'relay-app.json'].map(
  (f) => new URL(`../../../examples/${f}`, import.meta.url),
);

const YAML_SPEC = `
version: 1
name: hello
description: Hello world
owner: t1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6
instances: 3
components:
  - name: web
    repotag: 127.0.0.1:5000/busybox:1.36
    ports: [31000]
    containerPorts: [8080]
    environmentParameters: ["GREETING=hi", "ENABLED=on"]
    commands: [httpd, -f, -p, "8080"]
    containerData: /www
    cpu: 0.1
    ram: 100
    hdd: 1
`;

// The same spec as JSON, keys in another order, expire and description given explicitly as their defaults.
const JSON_SPEC = JSON.stringify({
  components: [
    {
      hdd: 1,
      ram: 100,
      cpu: 0.1,
      containerData: '/www',
      commands: ['httpd', '-f', '-p', '8080'],
      environmentParameters: ['GREETING=hi', 'ENABLED=on'],
      containerPorts: [8080],
      ports: [31000],
      repotag: '127.0.0.1:5000/busybox:1.36',
      description: '',
      name: 'web',
    },
  ],
  expire: 22000,
  instances: 3,
  owner: 't1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6',
  description: 'Hello world',
  name: 'hello',
  version: 1,
});

test('the sample specs under examples/ are valid on mainnet and devnet, as JSON and as YAML', () => {
  for (const url of EXAMPLES) {
    const text = readFileSync(url, 'utf8');
    const spec = validateAppSpec(parseAppSpec(text, formatFromPath(url.pathname)), MAINNET_APP_LIMITS);
    assert.equal(spec.version, 1);
    assert.doesNotThrow(() => validateAppSpec(parseAppSpec(text), DEVNET_APP_LIMITS));
  }
});

test('YAML and JSON of the same spec validate to the same spec and the same hash', () => {
  const fromYaml = validateAppSpec(parseAppSpec(YAML_SPEC), MAINNET_APP_LIMITS);
  const fromJson = validateAppSpec(parseAppSpec(JSON_SPEC), MAINNET_APP_LIMITS);
  assert.deepEqual(fromYaml, fromJson);
  assert.equal(specHash(fromYaml), specHash(fromJson));
  // YAML 1.2: "on" stays a string.
  assert.equal(at(fromYaml.components, 0).environmentParameters[1], 'ENABLED=on');
  // Format is detected from content when not given.
  assert.deepEqual(parseAppSpec(JSON_SPEC, 'json'), parseAppSpec(JSON_SPEC));
  assert.deepEqual(parseAppSpec(YAML_SPEC, 'yaml'), parseAppSpec(YAML_SPEC));
});

test('the hash is SHA-256 of the canonical JSON: sorted keys, no whitespace', () => {
  const spec = validateAppSpec(parseAppSpec(YAML_SPEC), MAINNET_APP_LIMITS);
  const text = new TextDecoder().decode(canonicalBytes(spec));
  assert.ok(text.startsWith('{"components":[{"commands":["httpd","-f","-p","8080"],"containerData":"/www"'));
  assert.ok(
    text.endsWith(
      ',"geolocation":[],"instances":3,"name":"hello","owner":"t1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6","version":1}',
    ),
  );
  assert.ok(!/\s/.test(text.replace(/"[^"]*"/g, '')));
  assert.equal(specHash(spec), Buffer.from(sha256(Buffer.from(text, 'utf8'))).toString('hex'));
  assert.match(specHash(spec), /^[0-9a-f]{64}$/);
});

test('canonical JSON sorts keys at every depth and is independent of key order', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }),
    '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.equal(canonicalJson(-0), '0');
  assert.equal(canonicalJson('é"\n'), '"é\\"\\n"');
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson(1n), TypeError);
});

test('any change to the spec changes the hash', () => {
  const spec = validateAppSpec(parseAppSpec(YAML_SPEC), MAINNET_APP_LIMITS);
  const h = specHash(spec);
  const changed = structuredClone(spec);
  at(changed.components, 0).ram = 200;
  assert.notEqual(specHash(changed), h);
  const reordered = structuredClone(spec);
  at(reordered.components, 0).commands = ['-f', 'httpd', '-p', '8080'];
  assert.notEqual(specHash(reordered), h);
});

test('unreadable text is a syntax issue; duplicate keys are refused in JSON and YAML', () => {
  const cases: [string, 'json' | 'yaml' | undefined][] = [
    ['{"version": 1,', undefined],
    ['{"name": "a", "name": "b"}', 'json'],
    ['name: a\nname: b\n', 'yaml'],
    ['name: [unclosed\n', 'yaml'],
    ['a: 1\n---\nb: 2\n', 'yaml'],
  ];
  for (const [text, format] of cases) {
    assert.throws(
      () => parseAppSpec(text, format),
      (e: unknown) => e instanceof AppSpecError && e.issues.length === 1 && at(e.issues, 0).rule === 'syntax',
      text,
    );
  }
});
