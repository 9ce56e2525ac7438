/**
 * Keeps the tests sorted by kind (README, Layout): test/unit mirrors src/, and unit and spec tests,
 * with the fixtures in test/support they share, start no node, Docker engine, registry or browser,
 * so `npm run test:unit` stays fast and runs anywhere; real engines are test/e2e's. Checked on the
 * import lines of every test file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { at } from '../support/at.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TEST = join(ROOT, 'test');
// test/fuzz holds the fuzz harness and its kept corpus (`npm run fuzz`); its seeded run is an e2e test.
const KINDS = ['unit', 'spec', 'e2e', 'support', 'fuzz'];

/** Modules that bring up real engines: a whole node (libp2p), dockerd, the registry, a browser. */
const ENGINES = [
  /\/src\/node\/node\.ts$/,
  /\/src\/p2p\/host\.ts$/,
  /\/src\/devnet\/(dockerd|registry|up)\.ts$/,
  /^dockerode$/,
  /^playwright-core$/,
  /^libp2p$/,
  /^@libp2p\//,
  /^@chainsafe\/libp2p-/,
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** What a file loads at run time: `import type` lines are erased, so they do not count. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => at(m, 1));
}

test('every test file is in test/unit, test/spec, test/e2e, test/support or test/fuzz', () => {
  const stray = filesUnder(TEST)
    .map((f) => relative(TEST, f))
    .filter((f) => !KINDS.includes(at(f.split('/'), 0)));
  assert.deepEqual(stray, []);
});

test('test/unit has one folder per src/ layer, named as in src/', () => {
  const layers = readdirSync(join(ROOT, 'src'));
  const dirs = readdirSync(join(TEST, 'unit'), { withFileTypes: true }).filter((d) => d.isDirectory());
  assert.ok(dirs.length > 5, `${dirs.length} layer folders`);
  assert.deepEqual(
    dirs.map((d) => d.name).filter((d) => !layers.includes(d)),
    [],
  );
});

test('unit and spec tests, and the shared fixtures, import no real engine and nothing from test/e2e', () => {
  const offenders: string[] = [];
  const files = ['unit', 'spec', 'support'].flatMap((kind) => filesUnder(join(TEST, kind)));
  assert.ok(files.length > 50, `${files.length} files checked`);
  for (const file of files) {
    for (const spec of importsOf(file)) {
      const engine = ENGINES.some((re) => re.test(spec));
      if (engine || spec.includes('/e2e/')) offenders.push(`${relative(TEST, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the engine check sees a node import (it can fail)', () => {
  assert.ok(ENGINES.some((re) => re.test('../../../src/node/node.ts')));
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-kinds-'));
  const sample = join(dir, 'sample.ts');
  writeFileSync(sample, "import type { A } from './types.ts';\nimport {\n  b,\n} from 'libp2p';\n");
  try {
    assert.deepEqual(importsOf(sample), ['libp2p'], 'type-only imports are erased, others count');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(importsOf(join(TEST, 'e2e', 'network.test.ts')).some((s) => ENGINES.some((re) => re.test(s))));
});
