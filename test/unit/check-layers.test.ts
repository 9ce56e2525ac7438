import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { checkLayers, cyclesOf, importsOf, MAX_LINES } from '../../scripts/check-layers.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function kinds(files: Record<string, string>): string[] {
  const root = tree(files);
  try {
    return checkLayers(root).violations.map((v) => `${v.kind} ${v.from}`);
  } finally {
    rmSync(root, { recursive: true });
  }
}

describe('check-layers', () => {
  it('reads static, re-export, side-effect and dynamic imports but not commented ones', () => {
    const text = [
      "import { a, type B } from './a.ts';",
      "import type {\n  C,\n} from '../b/c.ts';",
      "export { d } from './d.ts';",
      "export * from './e.ts';",
      "import './f.ts';",
      "const g = await import('./g.ts');",
      "// import { h } from './h.ts';",
    ].join('\n');
    assert.deepEqual(importsOf(text), ['./a.ts', '../b/c.ts', './d.ts', './e.ts', './f.ts', './g.ts']);
  });

  it('accepts a layer importing a layer above it through its index.ts', () => {
    assert.deepEqual(
      kinds({
        'consensus/index.ts': "export { x } from './x.ts';",
        'consensus/x.ts': 'export const x = 1;',
        'chain/deep/y.ts': "import { x } from '../../consensus/index.ts';",
      }),
      [],
    );
  });

  it('reports an upward import, a deep import and an unknown folder', () => {
    assert.deepEqual(
      kinds({
        'consensus/x.ts': "import { y } from '../chain/index.ts';",
        'chain/index.ts': "export { y } from './y.ts';",
        'chain/y.ts': "import { z } from '../consensus/z.ts';",
        'consensus/z.ts': 'export const z = 1;',
        'attic/old.ts': 'export {};',
      }).sort(),
      ['cycle chain', 'deep chain/y.ts', 'unknown attic/old.ts', 'upward consensus/x.ts'],
    );
  });

  it('reports a file over the line limit unless it is a listed table', () => {
    const long = 'export const x = 1;\n'.repeat(MAX_LINES + 1);
    assert.deepEqual(
      kinds({
        'consensus/long.ts': long,
        'consensus/limit.ts': 'export const x = 1;\n'.repeat(MAX_LINES),
        'consensus/script/interpreter.ts': long,
      }),
      ['size consensus/long.ts'],
    );
  });

  it('finds a cycle between layers', () => {
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    assert.deepEqual(cyclesOf(edges), [['a', 'b', 'c', 'a']]);
  });

  it('reports a cycle between files of one layer, type-only imports included', () => {
    const root = tree({
      'node/options.ts': "import type { Role } from './role.ts';",
      'node/role.ts': "import type { Services } from './services.ts';",
      'node/services.ts': "import type { Options } from './options.ts';",
      'node/leaf.ts': "import type { Options } from './options.ts';",
    });
    try {
      assert.deepEqual(
        checkLayers(root).violations.map((v) => `${v.kind}: ${v.detail}`),
        ['cycle: node/options.ts → node/role.ts → node/services.ts → node/options.ts'],
      );
    } finally {
      rmSync(root, { recursive: true });
    }
  });
});

describe('src/', () => {
  it('follows the layer table: no upward, sideways or deep cross-layer import, no cycle', () => {
    const src = join(import.meta.dirname, '..', '..', 'src');
    const found = checkLayers(src).violations.map((v) => `${v.kind} src/${v.from}: ${v.detail}`);
    assert.deepEqual(found, []);
  });
});
