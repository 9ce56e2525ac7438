import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiServer } from '../../../src/api/http-server.ts';
import type { RestContext } from '../../../src/api/rest/providers.ts';
import { registerRestRoutes } from '../../../src/api/rest/routes.ts';
import { tuple } from '../../support/at.ts';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'docs');

/** The routes registerRestRoutes adds, as "METHOD /path/{param}". */
function registeredRoutes(): string[] {
  const routes: string[] = [];
  const recorder = {
    get: (path: string) => routes.push(`GET ${path}`),
    post: (path: string) => routes.push(`POST ${path}`),
  } as unknown as ApiServer;
  const emptyChain = { height: () => 0, getEntry: () => undefined, on() {}, off() {} };
  const ctx = { chain: emptyChain, registry: () => ({ list: () => [] }) } as unknown as RestContext;
  registerRestRoutes(recorder, ctx).close();
  return routes.map((r) => r.replace(/:(\w+)/g, '{$1}')).sort();
}

test('openapi.json describes exactly the routes the server registers (and /ws)', () => {
  const doc = JSON.parse(readFileSync(join(DOCS, 'openapi.json'), 'utf8')) as {
    openapi: string;
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
  };
  assert.match(doc.openapi, /^3\.1\./);
  const documented = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .filter((r) => r !== 'GET /ws')
    .sort();
  assert.deepEqual(documented, registeredRoutes());
  // Every {param} of a path is declared as a path parameter.
  for (const [path, ops] of Object.entries(doc.paths))
    for (const op of Object.values(ops)) {
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(declared.sort(), [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort(), path);
    }
});

test('api.md mentions every route', () => {
  const md = readFileSync(join(DOCS, 'api.md'), 'utf8');
  for (const r of registeredRoutes()) {
    const [method, path] = tuple(r.split(' '), 2);
    assert.ok(md.includes(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`), `${r} is not in docs/api.md`);
  }
});
