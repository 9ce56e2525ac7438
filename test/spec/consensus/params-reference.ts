/**
 * Reads figures out of the shared consensus reference (../shared/reference/*.md beside the repository) so tests can
 * use the reference text itself as the oracle instead of restating its numbers.
 */
import { readFileSync } from 'node:fs';

export { REFERENCE_DIR } from '../../support/reference.ts';
import { REFERENCE_DIR } from '../../support/reference.ts';
import { at, type Tuple, tuple } from '../../support/at.ts';

function load(name: string): string {
  // One line of text: the markdown wraps sentences anywhere.
  return readFileSync(`${REFERENCE_DIR}/${name}`, 'utf8').replace(/\s+/g, ' ');
}

export const readme = load('README.md');
export const rewards = load('rewards.md');

/** The first capture group of `pattern` in `text`; fails loudly when the reference changed shape. */
export function grab(text: string, pattern: RegExp): string {
  const m = pattern.exec(text);
  if (!m) throw new Error(`reference text no longer matches ${pattern}`);
  return at(m, 1);
}

/** "1,076,532" → 1076532 */
export function num(text: string): number {
  return Number(text.replaceAll(',', ''));
}

/** "7,500,000" FLUX → satoshis */
export function flux(text: string): bigint {
  const [whole = '', frac = ''] = text.replaceAll(',', '').split('.');
  return BigInt(whole) * 100_000_000n + BigInt(frac.padEnd(8, '0'));
}

/** "3.75" percent → 375 basis points, without floating point. */
export function percentToBasisPoints(text: string): number {
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** "24 e9 27 64" → bytes */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/), (b) => Number.parseInt(b, 16));
}

/** The rows of a markdown table whose header row contains `headerWord`, as their first `width` trimmed cells. */
export function tableRows<N extends number>(text: string, headerWord: string, width: N): Tuple<string, N>[] {
  const raw = readFileSync(`${REFERENCE_DIR}/${text}`, 'utf8').split('\n');
  const start = raw.findIndex((l) => l.startsWith('|') && l.includes(headerWord));
  if (start < 0) throw new Error(`no table with "${headerWord}" in ${text}`);
  const rows: Tuple<string, N>[] = [];
  for (let i = start + 2; i < raw.length && at(raw, i).startsWith('|'); i++) {
    const cells = at(raw, i)
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    rows.push(tuple(cells, width));
  }
  return rows;
}
