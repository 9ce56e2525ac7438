import { concatBytes, reverseHex } from '../bytes.ts';
import { encodeError } from './encode-guard.ts';
import { latin1ToBytes } from './fluxnode-tx.ts';
import { isFluxnodeTx, transactionHashBytes, txid } from './transaction.ts';
import { FLUXNODE_CONFIRM, FLUXNODE_START, type FluxnodeTx, type Transaction } from './types.ts';

/*
 * What the keys of a fluxnode transaction sign (see the notes in fluxnode-tx.ts). Each function
 * returns the message bytes that go through Bitcoin-style message signing (magic prefix, compact
 * size, double SHA-256); the signature check itself belongs to the script/chain layers.
 */

function payload(tx: Transaction, type: number): FluxnodeTx {
  if (!isFluxnodeTx(tx) || !tx.fluxnode) throw encodeError('tx.fluxnode', 'not a fluxnode transaction');
  if (tx.fluxnode.type !== type) {
    throw encodeError('fluxnode.type', `expected type ${type}, got ${tx.fluxnode.type}`, tx.fluxnode.type);
  }
  return tx.fluxnode;
}

const ascii = (s: string): Uint8Array => latin1ToBytes(s, 'message');

/**
 * The serialization a fluxnode transaction's txid covers: the wire bytes without `sig` and
 * `benchmarkSig`. txid = sha256d(these bytes), and the START signature covers that txid.
 */
export function fluxnodeSigningBytes(tx: Transaction): Uint8Array {
  if (!isFluxnodeTx(tx) || !tx.fluxnode) throw encodeError('tx.fluxnode', 'not a fluxnode transaction');
  return transactionHashBytes(tx);
}

/** START: the txid in display hex, signed by the collateral key (or a P2SH redeem-script key). */
export function fluxnodeStartMessage(tx: Transaction): Uint8Array {
  payload(tx, FLUXNODE_START);
  return ascii(reverseHex(txid(tx)));
}

/** CONFIRM: "COutPoint(<10 hex>, <n>)" + n + updateType + sigTime, signed by the node's key. */
export function fluxnodeConfirmMessage(tx: Transaction): Uint8Array {
  const f = payload(tx, FLUXNODE_CONFIRM);
  const n = f.collateral.index;
  const short = reverseHex(f.collateral.txid).slice(0, 10);
  return ascii(`COutPoint(${short}, ${n})${n}${f.updateType ?? 0}${f.sigTime}`);
}

/** CONFIRM's benchmark attestation: the raw `sig` bytes + tier + benchmarkSigTime + ip. */
export function fluxnodeBenchmarkMessage(tx: Transaction): Uint8Array {
  const f = payload(tx, FLUXNODE_CONFIRM);
  return concatBytes(f.sig, ascii(`${f.benchmarkTier ?? 0}${f.benchmarkSigTime ?? 0}`), ascii(f.ip ?? ''));
}
