import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../../src/cli/output.ts';
import { readSecret } from '../../../src/cli/secrets.ts';
import { at } from '../../support/at.ts';

const sources = (flag?: string, file?: string) => ({
  what: 'RPC password',
  flag: ['--rpc-password', flag] as [string, string | undefined],
  file: ['--rpc-password-file', file] as [string, string | undefined],
  env: 'FLUXNODE_TEST_SECRET',
});

test('a secret given as a flag works but warns that ps shows it; file and environment do not warn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-secret-'));
  try {
    const warnings: string[] = [];
    const warn = (l: string) => warnings.push(l);
    assert.equal(readSecret(sources('hunter2'), warn), 'hunter2');
    assert.equal(warnings.length, 1);
    assert.match(
      at(warnings, 0),
      /--rpc-password shows the RPC password .*\(ps\).*--rpc-password-file or FLUXNODE_TEST_SECRET/,
    );

    const file = join(dir, 'pw');
    writeFileSync(file, 's3cret\nignored\n');
    assert.equal(readSecret(sources(undefined, file), warn), 's3cret');
    process.env.FLUXNODE_TEST_SECRET = 'from-env';
    assert.equal(readSecret(sources(), warn), 'from-env');
    delete process.env.FLUXNODE_TEST_SECRET;
    assert.equal(readSecret(sources(), warn), undefined);
    assert.equal(warnings.length, 1, 'only the flag warned');

    assert.throws(() => readSecret(sources('a', file), warn), CliError);
    assert.throws(
      () => readSecret(sources(undefined, join(dir, 'missing')), warn),
      /cannot read the RPC password/,
    );
    writeFileSync(file, '');
    assert.throws(() => readSecret(sources(undefined, file), warn), /is empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
