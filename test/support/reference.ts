/**
 * Where the shared consensus reference lives: `../shared/reference` beside the repository (as on a
 * developer's machine and in CI), or wherever FLUXNODE_REFERENCE_DIR points.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR =
  process.env.FLUXNODE_REFERENCE_DIR ?? fileURLToPath(new URL('../../../shared/reference', import.meta.url));

export interface GenesisVector {
  hash: string;
  merkleRoot: string;
  headerHex: string;
  blockHex: string;
  time: number;
  bits: string;
  nonce: string;
  equihash: { n: number; k: number; personalization: string };
}

export function mainnetGenesisVector(): GenesisVector {
  return JSON.parse(readFileSync(`${REFERENCE_DIR}/vectors/mainnet-genesis.json`, 'utf8')) as GenesisVector;
}
