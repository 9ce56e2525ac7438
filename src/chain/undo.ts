import { ByteReader, ByteWriter } from '../consensus/index.ts';
import type { Coin } from './types.ts';

const UNDO_VERSION = 1;

/**
 * What disconnecting a block needs that the block itself does not say: the coins its inputs spent
 * (in input order, coinbase skipped) and each state extension's own undo record, by name.
 */
export interface BlockUndo {
  spent: Coin[];
  extensions: Map<string, Uint8Array>;
}

export function encodeUndo(u: BlockUndo): Uint8Array {
  const w = new ByteWriter(64 + u.spent.length * 48);
  w.u8(UNDO_VERSION);
  w.compactSize(u.spent.length);
  for (const c of u.spent) {
    w.i64(c.value)
      .u32(c.height)
      .u8(c.coinbase ? 1 : 0)
      .varBytes(c.scriptPubKey);
  }
  const names = [...u.extensions.keys()].sort();
  w.compactSize(names.length);
  for (const name of names) w.varString(name).varBytes(u.extensions.get(name)!);
  return w.finish();
}

export function decodeUndo(bytes: Uint8Array): BlockUndo {
  const r = new ByteReader(bytes);
  const version = r.u8('undo.version');
  if (version !== UNDO_VERSION) throw new Error(`unknown undo record version ${version}`);
  const n = r.compactSize('undo.spent.count');
  const spent: Coin[] = [];
  for (let i = 0; i < n; i++) {
    const value = r.i64('undo.spent.value');
    const height = r.u32('undo.spent.height');
    const coinbase = r.u8('undo.spent.coinbase') === 1;
    const scriptPubKey = r.varBytes('undo.spent.script');
    spent.push({ value, height, coinbase, scriptPubKey });
  }
  const extensions = new Map<string, Uint8Array>();
  const m = r.compactSize('undo.extensions.count');
  for (let i = 0; i < m; i++) {
    const name = r.varString('undo.extension.name');
    extensions.set(name, r.varBytes('undo.extension.data', 0xffffffff));
  }
  r.end('undo');
  return { spent, extensions };
}
