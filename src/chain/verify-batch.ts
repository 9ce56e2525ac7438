/**
 * The wire form of the verifier pool's jobs: one flat byte buffer per job, handed to the worker
 * thread without a copy (its ArrayBuffer is transferred). Structured-cloning arrays of objects cost
 * more than the signature checks of small transactions; one buffer costs one allocation.
 *
 *   scripts:  per item  txIndex u32 | tx (compact-size bytes) | count | count × (value i64, script bytes)
 *   messages: per item  message (compact-size bytes) | signature (compact-size bytes) | signer (compact-size bytes)
 */
import { ByteReader, ByteWriter, encodeTransaction, type TxOut } from '../consensus/index.ts';
import type { ScriptCheck } from './validator.ts';

/** A message signed fluxd's way (`signMessage`) and who must have signed it: a public key or its hash160. */
export interface SignedMessageCheck {
  message: Uint8Array;
  signature: Uint8Array;
  signer: Uint8Array;
}

export interface ScriptBatchItem {
  txIndex: number;
  tx: Uint8Array;
  spent: TxOut[];
}

/** Rough bytes of a check, so the writer rarely grows. */
function sizeOf(c: ScriptCheck): number {
  let n = 64 + c.tx.inputs.length * 150 + c.tx.outputs.length * 40;
  for (const s of c.spent) n += 12 + s.scriptPubKey.length;
  return n;
}

export function encodeScriptBatch(checks: readonly ScriptCheck[]): Uint8Array {
  let size = 16;
  for (const c of checks) size += sizeOf(c);
  const w = new ByteWriter(size);
  for (const c of checks) {
    w.u32(c.txIndex).varBytes(encodeTransaction(c.tx)).compactSize(c.spent.length);
    for (const s of c.spent) w.i64(s.value).varBytes(s.scriptPubKey);
  }
  return w.finish();
}

export function* decodeScriptBatch(buf: Uint8Array): Generator<ScriptBatchItem> {
  const r = new ByteReader(buf);
  while (r.remaining > 0) {
    const txIndex = r.u32('txIndex');
    const tx = r.varBytes('tx');
    const n = r.compactSize('spent');
    const spent: TxOut[] = [];
    for (let i = 0; i < n; i++) spent.push({ value: r.i64('value'), scriptPubKey: r.varBytes('script') });
    yield { txIndex, tx, spent };
  }
}

export function encodeMessageBatch(checks: readonly SignedMessageCheck[]): Uint8Array {
  let size = 16;
  for (const c of checks) size += c.message.length + c.signature.length + c.signer.length + 12;
  const w = new ByteWriter(size);
  for (const c of checks) w.varBytes(c.message).varBytes(c.signature).varBytes(c.signer);
  return w.finish();
}

export function* decodeMessageBatch(buf: Uint8Array): Generator<SignedMessageCheck> {
  const r = new ByteReader(buf);
  while (r.remaining > 0) {
    yield {
      message: r.varBytes('message'),
      signature: r.varBytes('signature'),
      signer: r.varBytes('signer'),
    };
  }
}
