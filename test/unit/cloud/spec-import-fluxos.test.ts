import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  type AppSpec,
  DEVNET_APP_LIMITS,
  type ImportOptions,
  type ImportResult,
  importSpec,
  MAINNET_APP_LIMITS,
  SpecImportError,
  validateAppSpec,
} from '../../../src/cloud/index.ts';
import { at } from '../../support/at.ts';

const OWNER = 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1';
const MAINNET: ImportOptions = { limits: MAINNET_APP_LIMITS, blockSeconds: 120, owner: OWNER };

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../support/import/${name}`, import.meta.url), 'utf8'));
}

function imported(name: string, opts: ImportOptions = MAINNET): ImportResult {
  return importSpec(fixture(name), opts);
}

function noteOn(r: ImportResult, field: string) {
  return r.notes.find((n) => n.field === field);
}

test('a FluxOS v1 spec becomes one component named after the app, with its port moved into range', () => {
  const r = imported('fluxos-v1.json');
  assert.equal(r.source, 'fluxos-v1');
  const spec = validateAppSpec(r.spec, MAINNET_APP_LIMITS);
  const c = at(spec.components, 0);
  assert.equal(c.name, 'FoldingAtHome');
  assert.equal(c.repotag, 'yurinnick/folding-at-home:latest');
  assert.deepEqual(c.containerPorts, [7396]);
  assert.deepEqual(c.ports, [31000]);
  assert.match(noteOn(r, 'ports[0]')?.reason ?? '', /published on 31000/);
  assert.deepEqual(c.environmentParameters, [
    'USER=foldingUser',
    'TEAM=262156',
    'ENABLE_GPU=false',
    'ENABLE_SMP=true',
  ]);
  assert.deepEqual([c.cpu, c.ram, c.hdd], [0.5, 500, 5]);
  assert.equal(noteOn(r, 'cpubamf')?.action, 'dropped');
  assert.equal(noteOn(r, 'instances')?.action, 'defaulted');
});

test('a FluxOS v2 spec stored with its lists as JSON text is read like the plain form', () => {
  const r = imported('fluxos-v2.json');
  const spec = validateAppSpec(r.spec, MAINNET_APP_LIMITS);
  const c = at(spec.components, 0);
  assert.deepEqual(c.commands, ['--allow', '0/0', '--web-allow', '0/0']);
  assert.deepEqual(c.containerPorts, [7396]);
  assert.equal(c.environmentParameters.length, 4);
  assert.equal(noteOn(r, 'hash')?.action, 'dropped');
  assert.equal(noteOn(r, 'height')?.action, 'dropped');
});

test("FluxOS's API answer around a v3 spec is unwrapped and its instance count kept", () => {
  const r = imported('fluxos-v3.json');
  const spec = validateAppSpec(r.spec, MAINNET_APP_LIMITS);
  assert.equal(spec.name, 'kadenachainwebnode');
  assert.equal(spec.instances, 3);
  assert.deepEqual(at(spec.components, 0).ports, [31350, 31351]);
  assert.equal(noteOn(r, 'owner')?.action, 'changed');
});

test('a v4 compose spec keeps both components and notes the domain and the per-tier figures', () => {
  const r = imported('fluxos-v4.json');
  const spec: AppSpec = validateAppSpec(r.spec, MAINNET_APP_LIMITS);
  assert.deepEqual(
    spec.components.map((c) => c.name),
    ['wp', 'db'],
  );
  assert.deepEqual(noteOn(r, 'compose[0].domains')?.value, ['blog.example.com']);
  assert.equal(noteOn(r, 'compose[1].hddbamf')?.action, 'dropped');
  // FluxOS leaves a container's root writable; here it is read-only unless the spec says otherwise.
  for (const i of [0, 1]) {
    assert.equal(noteOn(r, `compose[${i}].writableRootFilesystem`)?.action, 'defaulted');
    assert.equal('writableRootFilesystem' in at(spec.components, i), false);
  }
  assert.equal(noteOn(r, 'compose[0].tiered'), undefined, 'tiered false carries nothing to report');
});

test('v5 numbers given as strings are read as numbers, a region with a space is cut to the country, contacts dropped', () => {
  const r = imported('fluxos-v5.json');
  const c = at(r.spec.components as Record<string, unknown>[], 0);
  assert.deepEqual(c.ports, [31565]);
  assert.deepEqual([c.cpu, c.ram, c.hdd], [2, 4000, 20]);
  assert.deepEqual(r.spec.geolocation, ['acEU', 'a!cEU_RU', 'acNA_US_California', 'acNA_US']);
  assert.equal(noteOn(r, 'geolocation[2]'), undefined, 'a region rule fluxnode reads is kept');
  assert.equal(noteOn(r, 'geolocation[3]')?.value, 'acNA_US_New York');
  assert.deepEqual(noteOn(r, 'contacts')?.value, ['owner@example.com']);
});

test('a v6 lifetime keeps its length in time: 88,000 thirty-second blocks are 22,000 two-minute ones', () => {
  const r = imported('fluxos-v6.json');
  assert.equal(r.spec.expire, 22000);
  assert.match(noteOn(r, 'expire')?.reason ?? '', /30 s.*2040000.*22000 blocks of 120 s/);
  const devnet = imported('fluxos-v6.json', { limits: DEVNET_APP_LIMITS, blockSeconds: 3, owner: OWNER });
  assert.equal(devnet.spec.expire, DEVNET_APP_LIMITS.expire.max, 'clamped to the largest lifetime');
});

test("a v7 spec's encrypted secrets and registry credentials are dropped without showing them", () => {
  const r = imported('fluxos-v7.json');
  validateAppSpec(r.spec, MAINNET_APP_LIMITS);
  assert.equal(noteOn(r, 'compose[0].secrets')?.value, '(encrypted)');
  assert.equal(noteOn(r, 'compose[0].repoauth')?.value, '(encrypted)');
  assert.ok(!JSON.stringify(r).includes('PGP MESSAGE'), 'no ciphertext in the result');
  assert.equal(noteOn(r, 'staticip')?.value, true);
  assert.equal((noteOn(r, 'nodes')?.value as unknown[] | undefined)?.length, 3);
});

test('a v8 spec with one instance is raised to the network minimum, and says so', () => {
  const r = imported('fluxos-v8.json');
  assert.equal(r.spec.instances, 3);
  assert.equal(noteOn(r, 'instances')?.value, 1);
  assert.equal(noteOn(r, 'datacenter'), undefined, 'datacenter false carries nothing');
  assert.equal(r.spec.expire, 66000);
});

test('an enterprise v8 spec cannot be read and is refused with the field at fault', () => {
  assert.throws(
    () => imported('fluxos-v8-enterprise.json'),
    (err: unknown) =>
      err instanceof SpecImportError && err.field === 'enterprise' && /encrypted/.test(err.message),
  );
});

test('a version FluxOS never had, or a document that is no spec, is refused', () => {
  assert.throws(
    () => importSpec({ version: 9, name: 'x', compose: [] }, MAINNET, 'fluxos'),
    (err: unknown) => err instanceof SpecImportError && err.field === 'version',
  );
  assert.throws(() => importSpec({ hello: 'world' }, MAINNET), SpecImportError);
});

test('a list of specs needs a name to pick one, and the name picks it', () => {
  const list = { status: 'success', data: [fixture('fluxos-v6.json'), fixture('fluxos-v7.json')] };
  assert.throws(() => importSpec(list, MAINNET), /holds 2 specs \(uptimekuma, privatenotes\)/);
  assert.equal(importSpec(list, { ...MAINNET, name: 'privatenotes' }).spec.name, 'privatenotes');
});

test('without --owner, a ZelID owner is kept and the report says it must change', () => {
  const r = importSpec(fixture('fluxos-v1.json'), { limits: MAINNET_APP_LIMITS, blockSeconds: 120 });
  assert.equal(r.spec.owner, '1CbErtneaX2QVyUfwU7JGB7VzvPgrgc3uC');
  assert.match(noteOn(r, 'owner')?.reason ?? '', /ZelID/);
});
