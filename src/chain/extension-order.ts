/**
 * Owns the order state extensions run in. An extension names the ones whose effects it reads
 * (`dependsOn`); each runs after those on connect and before them on disconnect. Names must be
 * unique, every dependency must exist, and there must be no cycle: the chain refuses to open
 * otherwise. Among independent extensions the given order is kept, so the order is deterministic.
 */
import { ChainConfigError } from './errors.ts';
import type { ChainStateExtension } from './extension.ts';

function checkNames(exts: readonly ChainStateExtension[]): Map<string, ChainStateExtension> {
  const byName = new Map<string, ChainStateExtension>();
  for (const ext of exts) {
    if (byName.has(ext.name))
      throw new ChainConfigError('duplicate-extension', `"${ext.name}" is given twice`, {
        field: 'extensions',
        value: ext.name,
      });
    byName.set(ext.name, ext);
  }
  for (const ext of exts) {
    for (const dep of ext.dependsOn ?? []) {
      if (!byName.has(dep))
        throw new ChainConfigError('unknown-dependency', `"${ext.name}" depends on "${dep}"`, {
          field: `${ext.name}.dependsOn`,
          value: dep,
        });
    }
  }
  return byName;
}

/** The extensions in connect order: each after everything it depends on. */
export function orderExtensions(exts: readonly ChainStateExtension[]): ChainStateExtension[] {
  const byName = checkNames(exts);
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: ChainStateExtension[] = [];
  const visit = (ext: ChainStateExtension): void => {
    if (done.has(ext.name)) return;
    if (visiting.includes(ext.name)) {
      const cycle = [...visiting.slice(visiting.indexOf(ext.name)), ext.name].join(' → ');
      throw new ChainConfigError('dependency-cycle', cycle, { field: `${ext.name}.dependsOn`, value: cycle });
    }
    visiting.push(ext.name);
    for (const dep of ext.dependsOn ?? []) visit(byName.get(dep)!);
    visiting.pop();
    done.add(ext.name);
    out.push(ext);
  };
  for (const ext of exts) visit(ext);
  return out;
}
