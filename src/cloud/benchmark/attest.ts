/**
 * The bench component's signature on a CONFIRM: fluxd's benchmark daemon (fluxbench) attests the
 * tier a node's hardware passed by signing the CONFIRM's benchmark message with the network's
 * benchmark key. Here the devnet (and regtest) have such a key with a known secret; on mainnet and
 * testnet only Flux's own daemon holds it, so this node cannot attest there.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  benchmarkMessageOf,
  type ConsensusParams,
  publicKeyOf,
  signMessage,
  toHex,
  type Transaction,
} from '../../consensus/index.ts';

/** The devnet benchmark key's secret: sha256 of a fixed label, so every devnet bench process has it. */
export const DEVNET_BENCHMARK_SECRET: Uint8Array = sha256(
  new TextEncoder().encode('fluxnode devnet benchmark key'),
);

/** Signs a CONFIRM's benchmark attestation (benchmarkSig) with `key`, in place; returns the tx. */
export function attestBenchmark(tx: Transaction, key: Uint8Array): Transaction {
  const fx = tx.fluxnode;
  if (!fx) throw new RangeError('only a fluxnode CONFIRM carries a benchmark');
  fx.benchmarkSig = signMessage(benchmarkMessageOf(fx), key, { compressed: true });
  return tx;
}

/**
 * The attester of a network whose benchmark key this node holds (devnet, regtest), or null when
 * only Flux's benchmark daemon can sign (mainnet, testnet).
 */
export function benchmarkAttesterFor(params: ConsensusParams): ((tx: Transaction) => Transaction) | null {
  const ours = toHex(publicKeyOf(DEVNET_BENCHMARK_SECRET, true));
  const held = params.fluxnodes.benchmarkKeys.some((k) => k.pubKey === ours);
  return held ? (tx) => attestBenchmark(tx, DEVNET_BENCHMARK_SECRET) : null;
}
