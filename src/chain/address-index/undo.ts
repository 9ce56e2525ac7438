import { ByteReader, type ByteWriter } from '../../consensus/index.ts';
import type { IndexedCoin } from './types.ts';

const UNDO_VERSION = 1;

/*
 * The index's undo record for one block: the coins its inputs spent, in input order. The chain
 * keeps the same coins in its own undo record but hands extensions none of them on disconnect, so
 * the index keeps what it needs to put them back (with their scripts, which key its rows).
 */

export function writeSpentUndo(w: ByteWriter, spent: readonly IndexedCoin[]): void {
  w.u8(UNDO_VERSION);
  w.compactSize(spent.length);
  for (const c of spent) {
    w.bytes(c.outpoint.txid);
    w.u32(c.outpoint.index);
    w.i64(c.value);
    w.varBytes(c.scriptPubKey);
    w.u32(c.height);
    w.u8(c.coinbase ? 1 : 0);
  }
}

export function readSpentUndo(bytes: Uint8Array): IndexedCoin[] {
  const r = new ByteReader(bytes);
  const version = r.u8('addressIndexUndo.version');
  if (version !== UNDO_VERSION) {
    throw new RangeError(`address index undo record has version ${version}, expected ${UNDO_VERSION}`);
  }
  const n = r.compactSize('addressIndexUndo.count');
  const out: IndexedCoin[] = [];
  for (let i = 0; i < n; i++) {
    const f = `addressIndexUndo.spent[${i}]`;
    const txid = r.bytesN(32, `${f}.txid`);
    const index = r.u32(`${f}.index`);
    const value = r.i64(`${f}.value`);
    const scriptPubKey = r.varBytes(`${f}.script`);
    const height = r.u32(`${f}.height`);
    const coinbase = r.u8(`${f}.coinbase`) === 1;
    out.push({ outpoint: { txid, index }, value, scriptPubKey, height, coinbase });
  }
  r.end('addressIndexUndo');
  return out;
}
