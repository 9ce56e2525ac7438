/**
 * Owns the benchmark attestation rule of fluxnode CONFIRMs, as fluxd's CheckBenchmarkSignature
 * has it: `benchmarkSig` is a message signature over the CONFIRM's raw `sig` bytes + benchmark
 * tier + benchmarkSigTime + ip (fluxnode-messages.ts), made by the network's benchmark key in
 * force at benchmarkSigTime. That key belongs to the benchmark daemon, not to the node's operator,
 * so an operator cannot claim a tier its hardware did not pass.
 */
import { fromHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { verifyMessage } from '../keys/keys.ts';
import type { BenchmarkKey } from '../params/types.ts';
import { fluxnodeBenchmarkMessage } from '../primitives/fluxnode-messages.ts';
import { FLUXNODE_TX_VERSION } from '../primitives/fluxnode-tx.ts';
import { FLUXNODE_CONFIRM, type FluxnodeTx, type Transaction } from '../primitives/types.ts';

/** The benchmark key for a benchmark signed at `sigTime`: the last one in force by then (else the first). */
export function benchmarkKeyAt(sigTime: number, keys: readonly BenchmarkKey[]): Uint8Array {
  let key = keys[0];
  if (!key) throw new RangeError('a network needs at least one benchmark key');
  for (const k of keys) if (sigTime >= k.fromTime) key = k;
  return fromHex(key.pubKey, 'benchmarkKey');
}

/** A CONFIRM payload in the transaction shell its messages are defined on (the version does not enter). */
function confirmShell(fx: FluxnodeTx): Transaction {
  return {
    version: FLUXNODE_TX_VERSION,
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
    fluxnode: fx,
  };
}

/** The bytes the benchmark key signs for this CONFIRM. */
export function benchmarkMessageOf(fx: FluxnodeTx): Uint8Array {
  return fluxnodeBenchmarkMessage(confirmShell(fx));
}

/** True when the CONFIRM's benchmark attestation is signed by the benchmark key in force. */
export function benchmarkSignatureValid(fx: FluxnodeTx, keys: readonly BenchmarkKey[]): boolean {
  if (fx.type !== FLUXNODE_CONFIRM || !fx.benchmarkSig?.length) return false;
  try {
    return verifyMessage(
      benchmarkMessageOf(fx),
      fx.benchmarkSig,
      benchmarkKeyAt(fx.benchmarkSigTime ?? 0, keys),
    );
  } catch (err) {
    if (err instanceof ConsensusError) return false;
    throw err;
  }
}
