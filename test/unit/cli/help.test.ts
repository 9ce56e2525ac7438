import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const BIN = new URL('../../../bin/fluxnode.js', import.meta.url).pathname;

test('fluxnode --help lists the program and exits 0', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: fluxnode/);
});

test('an unknown command is a usage error (exit 2) that names it', () => {
  const r = spawnSync(process.execPath, [BIN, 'no-such-command'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-command/);
});
