// Checks the import graph of src/ against the layer table of DESIGN.md ("Layers"), and the size
// of its files (STYLE.md 23: a file does one job; past ~400 lines it is split, unless a table).
// It owns that table in code: LAYERS lists the folders of src/ from the bottom of the house
// (consensus) to the top (the entry points); a layer may import only layers listed before it.
// It reports, file by file:
//   - upward:   a layer importing one listed after it (or beside it, where not allowed);
//   - deep:     an import into another layer that is not that layer's index.ts;
//   - unknown:  a folder of src/ that the table does not name;
//   - cycle:    a cycle between layers (only possible if the table itself allowed one), or
//               between files of one layer (a → b → a: split the shared part into a leaf file);
//   - size:     a file over MAX_LINES lines that is not in TABLES.
// Static `import … from`, `export … from`, bare `import '…'` and `import('…')` with a string
// literal are read; type-only imports count too (a type is vocabulary, and it has a home).
// Run: node scripts/check-layers.ts   (exit 1 and a list on any violation)

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** DESIGN.md's table, top to bottom: each layer may import only the layers before it. */
export const LAYERS = [
  'consensus',
  'chain',
  'p2p',
  'mining',
  'wallet',
  'cloud',
  'economy',
  'api',
  'web',
  'node',
  'sim',
  'devnet',
  'cli',
] as const;

/** The most lines a source file of src/ may have (as `wc -l` counts them). */
export const MAX_LINES = 400;

/**
 * Files allowed past MAX_LINES because they are tables, read entry by entry rather than as code:
 * splitting them would only scatter one definition.
 */
export const TABLES: ReadonlySet<string> = new Set([
  'consensus/script/interpreter.ts', // the opcode table: one case per opcode, in opcode order
  'consensus/pow/blake2b.ts', // BLAKE2b's constants and its unrolled compression rounds
]);

/**
 * Sideways imports DESIGN.md allows within one row of its table: `cli/` and `devnet/` share
 * the last row; the CLI starts devnets, so cli → devnet is allowed (listed order), never back.
 * Nothing else shares a row.
 */
export type Violation = {
  kind: 'upward' | 'deep' | 'unknown' | 'cycle' | 'size';
  from: string;
  detail: string;
};

const IMPORT_RE =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier a source text imports, in order. */
export function importsOf(text: string): string[] {
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of noComments.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

function layerOf(srcRoot: string, file: string): { layer: string; rest: string } | null {
  const rel = relative(srcRoot, file);
  if (rel.startsWith('..')) return null;
  const [layer, ...rest] = rel.split(sep);
  return layer === undefined ? null : { layer, rest: rest.join('/') };
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') walk(p, out);
    } else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The violations of src/ under `srcRoot`, and the layer edges found (from → to → count). */
export function checkLayers(srcRoot: string): { violations: Violation[]; edges: Map<string, Set<string>> } {
  const rank = new Map<string, number>(LAYERS.map((l, i) => [l, i]));
  const violations: Violation[] = [];
  const edges = new Map<string, Set<string>>();
  // Imports between files of one layer, by path under srcRoot: for the file-level cycle check.
  const fileEdges = new Map<string, Set<string>>();
  for (const file of walk(srcRoot)) {
    const from = layerOf(srcRoot, file);
    if (from === null) continue;
    const fromRel = relative(srcRoot, file).split(sep).join('/');
    if (!rank.has(from.layer)) {
      violations.push({
        kind: 'unknown',
        from: fromRel,
        detail: `src/${from.layer}/ is not in the layer table`,
      });
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - 1;
    if (lines > MAX_LINES && !TABLES.has(fromRel))
      violations.push({
        kind: 'size',
        from: fromRel,
        detail: `${lines} lines (most: ${MAX_LINES}); split it by job`,
      });
    for (const spec of importsOf(text)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const to = layerOf(srcRoot, target);
      if (to === null) continue;
      if (to.layer === from.layer) {
        const set = fileEdges.get(fromRel) ?? new Set<string>();
        set.add(relative(srcRoot, target).split(sep).join('/'));
        fileEdges.set(fromRel, set);
        continue;
      }
      const set = edges.get(from.layer) ?? new Set<string>();
      set.add(to.layer);
      edges.set(from.layer, set);
      const toRank = rank.get(to.layer);
      if (toRank === undefined) {
        violations.push({
          kind: 'unknown',
          from: fromRel,
          detail: `${spec}: src/${to.layer}/ is not a layer`,
        });
      } else if (toRank >= (rank.get(from.layer) ?? 0)) {
        violations.push({ kind: 'upward', from: fromRel, detail: `${from.layer} → ${to.layer} (${spec})` });
      }
      if (to.rest !== 'index.ts') {
        violations.push({
          kind: 'deep',
          from: fromRel,
          detail: `${spec}: import src/${to.layer}/index.ts instead`,
        });
      }
    }
  }
  for (const cycle of cyclesOf(edges))
    violations.push({ kind: 'cycle', from: cycle[0] ?? '', detail: cycle.join(' → ') });
  for (const cycle of cyclesOf(fileEdges))
    violations.push({ kind: 'cycle', from: cycle[0] ?? '', detail: cycle.join(' → ') });
  return { violations, edges };
}

/** Cycles of a graph (layers or files), each as a path that returns to its start; at least one per cyclic knot. */
export function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    path.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') cycles.push([...path.slice(path.indexOf(m)), m]);
      else if (state.get(m) === undefined) visit(m);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of [...edges.keys()].sort()) if (state.get(n) === undefined) visit(n);
  return cycles;
}

function main(): void {
  const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const { violations } = checkLayers(srcRoot);
  if (violations.length === 0) {
    console.log(
      `layers: src/ follows the layer table (${LAYERS.join(' < ')}); no file over ${MAX_LINES} lines but the tables`,
    );
    return;
  }
  for (const v of violations) console.error(`${v.kind.padEnd(7)} src/${v.from}: ${v.detail}`);
  const count = (k: Violation['kind']): number => violations.filter((v) => v.kind === k).length;
  console.error(
    `layers: ${violations.length} violation(s): ${count('upward')} upward, ${count('deep')} deep, ` +
      `${count('unknown')} unknown, ${count('cycle')} cycle(s), ${count('size')} too long`,
  );
  process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
