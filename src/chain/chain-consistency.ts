// The chain's self-check at open: the stored tip, the main_chain rows, block statuses and undo
// records against the in-memory index, each extension's own check, and optionally SQLite's.

import type { DatabaseSync } from 'node:sqlite';
import { must } from '../consensus/index.ts';
import { hashKey, type IndexEntry } from './block-index.ts';
import type { ChainStateExtension } from './extension.ts';
import type { BlockStore } from './storage/block-store.ts';

/** What the check reads of a Chain's internals. */
export interface ConsistencyView {
  db: DatabaseSync;
  blocks: BlockStore;
  main: readonly IndexEntry[];
  extensions: readonly ChainStateExtension[];
}

/** Checks the stored state against the in-memory index; returns the problems found. */
export function checkChainConsistency(s: ConsistencyView, integrity: boolean): string[] {
  const problems: string[] = [];
  const tip = must(s.main.at(-1), 'the main-chain tip');
  const storedTip = s.blocks.getMeta('tip');
  if (!(storedTip instanceof Uint8Array) || hashKey(storedTip) !== tip.key)
    problems.push('stored tip differs');
  const rows = s.db.prepare('SELECT height, hash FROM main_chain ORDER BY height').iterate() as Iterable<{
    height: number | bigint;
    hash: Uint8Array;
  }>;
  let count = 0;
  for (const row of rows) {
    const h = Number(row.height);
    const e = s.main[h];
    if (!e || hashKey(row.hash) !== e.key)
      problems.push(`main_chain row ${h} is not the active chain's block`);
    count++;
  }
  if (count !== s.main.length) problems.push(`main_chain has ${count} rows for ${s.main.length} blocks`);
  for (const e of s.main) {
    if (e.status !== 'valid') problems.push(`main block ${e.id} at ${e.height} has status ${e.status}`);
  }
  // Every connected block but genesis has its undo record, and there are no others.
  const undoRows = Number(
    (s.db.prepare('SELECT count(*) AS n FROM block_undo').get() as { n: number | bigint }).n,
  );
  const mainUndo = Number(
    (
      s.db
        .prepare(
          'SELECT count(*) AS n FROM main_chain m JOIN block_undo u ON u.hash = m.hash WHERE m.height > 0',
        )
        .get() as { n: number | bigint }
    ).n,
  );
  if (undoRows !== tip.height || mainUndo !== tip.height) {
    problems.push(
      `${undoRows} undo records (${mainUndo} of main-chain blocks) for ${tip.height} connected blocks`,
    );
  }
  for (const ext of s.extensions) {
    for (const p of ext.checkConsistency?.(s.db, tip) ?? []) problems.push(`${ext.name}: ${p}`);
  }
  if (integrity) {
    const rows = s.db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    for (const r of rows) if (r.quick_check !== 'ok') problems.push(`sqlite: ${r.quick_check}`);
  }
  return problems;
}
