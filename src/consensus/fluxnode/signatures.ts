/**
 * Owns the signature rules of fluxnode START and CONFIRM transactions, as fluxd checks them.
 *
 * fluxd signs both with its "obfuscation" message signer: a 65-byte compact recoverable signature
 * over SHA-256d(varstring(message magic) ‖ varstring(message)), accepted when the key recovered from
 * it has the same key id (hash160) as the expected key — so the compressed flag matters. The
 * messages themselves are in consensus/primitives/fluxnode-messages.ts:
 *   START:   the txid in display hex, signed by the collateral key;
 *   CONFIRM: the collateral outpoint text + index + update type + sigTime, signed by the operator
 *            key of the node's START; its benchmark signature covers the raw `sig` + tier +
 *            benchmark time + ip.
 * Which key is expected is chain state (the registry knows a node's operator key); these functions
 * are the pure checks the chain's registry applies.
 */
import { equalBytes } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { hash160 } from '../hash.ts';
import { verifyMessage } from '../keys/keys.ts';
import {
  fluxnodeBenchmarkMessage,
  fluxnodeConfirmMessage,
  fluxnodeStartMessage,
} from '../primitives/fluxnode-messages.ts';
import { FLUXNODE_TX_UPGRADEABLE_VERSION, FLUXNODE_TX_VERSION } from '../primitives/fluxnode-tx.ts';
import { isFluxnodeTx } from '../primitives/transaction.ts';
import { FLUXNODE_CONFIRM, FLUXNODE_START, type FluxnodeTx, type Transaction } from '../primitives/types.ts';
import { classifyScript } from '../script/templates.ts';

/** A fluxnode transaction of `version` around `fluxnode`: the only parts such a tx has. */
export function fluxnodeTransaction(version: number, fluxnode: FluxnodeTx): Transaction {
  return {
    version,
    overwintered: false,
    versionGroupId: 0,
    inputs: [],
    outputs: [],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
    fluxnode,
  };
}

/** The transaction around a payload, as the registry hands over only the payload. */
function asTransaction(tx: FluxnodeTx | Transaction): Transaction | undefined {
  if ('inputs' in tx) return isFluxnodeTx(tx) && tx.fluxnode ? tx : undefined;
  // v6 STARTs carry their inner version; v5 ones and every CONFIRM do not (CONFIRM's message
  // does not depend on the outer version).
  return fluxnodeTransaction(
    tx.fluxTxVersion === undefined ? FLUXNODE_TX_VERSION : FLUXNODE_TX_UPGRADEABLE_VERSION,
    tx,
  );
}

/** Runs a message check; a malformed message or signature is simply not a valid signature. */
function checked(verify: () => boolean): boolean {
  try {
    return verify();
  } catch (err) {
    if (err instanceof ConsensusError) return false;
    throw err;
  }
}

/**
 * True when the fluxnode transaction carries a valid signature by `pubKey`: over the START message
 * for a START (`pubKey` = the collateral key), over the CONFIRM message for a CONFIRM (`pubKey` =
 * the node's operator key).
 */
export function verifyFluxnodeSignature(tx: FluxnodeTx | Transaction, pubKey: Uint8Array): boolean {
  const full = asTransaction(tx);
  const f = full?.fluxnode;
  if (!full || !f) return false;
  if (f.type === FLUXNODE_START)
    return checked(() => verifyMessage(fluxnodeStartMessage(full), f.sig, pubKey));
  if (f.type === FLUXNODE_CONFIRM)
    return checked(() => verifyMessage(fluxnodeConfirmMessage(full), f.sig, pubKey));
  return false;
}

/** True when a CONFIRM's benchmark attestation (sig + tier + time + ip) is signed by `pubKey`. */
export function verifyBenchmarkSignature(tx: FluxnodeTx | Transaction, pubKey: Uint8Array): boolean {
  const full = asTransaction(tx);
  const f = full?.fluxnode;
  if (!full || f?.type !== FLUXNODE_CONFIRM || !f.benchmarkSig) return false;
  const sig = f.benchmarkSig;
  return checked(() => verifyMessage(fluxnodeBenchmarkMessage(full), sig, pubKey));
}

/**
 * True when `script` is the P2PKH script of exactly this key (fluxd compares the collateral's
 * script with the one for the START key's id, so the compressed and uncompressed forms differ).
 */
export function scriptPaysToPubKey(script: Uint8Array, pubKey: Uint8Array): boolean {
  const t = classifyScript(script);
  return t.type === 'p2pkh' && equalBytes(t.hash, hash160(pubKey));
}
