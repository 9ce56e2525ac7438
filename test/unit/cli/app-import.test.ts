import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonOf, runCli } from '../../support/cli-harness.ts';

const FIXTURES = new URL('../../support/import/', import.meta.url).pathname;
const OWNER = 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1';

test('app import writes a valid spec and exits 0; the report goes to stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-import-'));
  try {
    const out = join(dir, 'blog.json');
    const r = await runCli([
      'app',
      'import',
      join(FIXTURES, 'compose-wordpress.yaml'),
      '--owner',
      OWNER,
      '--out',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /imported from compose into .*blog\.json/);
    assert.match(r.stderr, /dropped\s+services\.db\.healthcheck/);
    const check = await runCli(['app', 'validate', out, '--json']);
    assert.equal(check.status, 0, check.stdout);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).name, 'blog');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('app import --json reports source, notes and the rules the result still breaks, exit 1', async () => {
  const r = await runCli(['app', 'import', join(FIXTURES, 'fluxos-v1.json'), '--json']);
  assert.equal(r.status, 1);
  const body = jsonOf<{
    source: string;
    valid: boolean;
    notes: { field: string }[];
    issues: { rule: string }[];
  }>(r);
  assert.equal(body.source, 'fluxos-v1');
  assert.equal(body.valid, false);
  assert.ok(body.notes.some((n) => n.field === 'owner'));
  assert.deepEqual(
    body.issues.map((i) => i.rule),
    ['owner-address'],
  );
});

test('an enterprise spec, a bad --from and a missing file exit 2 with the reason', async () => {
  const enterprise = await runCli(['app', 'import', join(FIXTURES, 'fluxos-v8-enterprise.json')]);
  assert.equal(enterprise.status, 2);
  assert.match(enterprise.stderr, /enterprise spec/);
  const from = await runCli(['app', 'import', join(FIXTURES, 'fluxos-v3.json'), '--from', 'helm']);
  assert.equal(from.status, 2);
  assert.match(from.stderr, /--from must be fluxos or compose/);
  const missing = await runCli(['app', 'import', join(FIXTURES, 'nope.json')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read/);
});
