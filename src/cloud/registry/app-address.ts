import { sha256 } from '@noble/hashes/sha2.js';
import { type ConsensusParams, encodeAddress, hash160, scriptForAddress } from '../../consensus/index.ts';

/** FluxOS's app registration address on mainnet (from FluxOS's config). */
const MAINNET_APP_ADDRESS = 't1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6';

/**
 * The address app payments go to. Other networks use an address derived from a fixed phrase:
 * nobody holds its key, so what is paid there is out of circulation, as app payments should be.
 */
export function appPaymentAddress(params: ConsensusParams): string {
  if (params.network === 'mainnet') return MAINNET_APP_ADDRESS;
  const prefixes = { pubkeyHash: params.base58.pubkeyHash, scriptHash: params.base58.scriptHash };
  const hash = hash160(sha256(new TextEncoder().encode(`fluxnode ${params.network} app payments`)));
  return encodeAddress('p2pkh', hash, prefixes);
}

export function appPaymentScriptFor(params: ConsensusParams): Uint8Array {
  const prefixes = { pubkeyHash: params.base58.pubkeyHash, scriptHash: params.base58.scriptHash };
  return scriptForAddress(appPaymentAddress(params), prefixes);
}
