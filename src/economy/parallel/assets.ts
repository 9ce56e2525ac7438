import { EconomyError } from '../errors.ts';

/** How a target chain writes its addresses; decides the validator and the leaf's address bytes. */
export type ChainFamily = 'evm' | 'kadena' | 'tron' | 'solana' | 'ergo' | 'algorand';

/** The hash a payout contract on that chain can compute cheaply, used for the claim Merkle tree. */
export type MerkleHashName = 'keccak256' | 'sha256' | 'blake2b256' | 'sha512_256';

export interface ParallelAsset {
  /** Ticker used in claim messages, e.g. `FLUX-ETH`. */
  id: string;
  chain: string;
  family: ChainFamily;
  /** Smallest units per whole token = 10^decimals. */
  decimals: number;
  merkleHash: MerkleHashName;
  /** Launch (first distribution), UTC seconds; null while no date is set. */
  launchTime: number | null;
  /** Where the launch date comes from and how precise it is. */
  launchSource: string;
}

/** Parallel accrual starts here (the Zel → Flux relaunch, 27 March 2021, 00:00 UTC) or at node start if later. */
export const ACCRUAL_EPOCH = Date.UTC(2021, 2, 27) / 1000;

/** Operators accrue 1/10 of a token of every parallel asset per FLUX earned. */
export const PARALLEL_RATE = { numerator: 1n, denominator: 10n } as const;

/** FLUX itself has 8 decimals (COIN = 10^8 satoshis). */
export const FLUX_DECIMALS = 8;

const utc = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 1000;

/**
 * The parallel chains as of 2022. Dates are data: a corrected date is a one-line change.
 * Decimals: FLUX-ETH's 8 is confirmed by public token lists; the others are taken to mirror native
 * FLUX (8) and are not independently confirmed.
 */
export const PARALLEL_ASSETS: readonly ParallelAsset[] = [
  {
    id: 'FLUX-KDA',
    chain: 'Kadena',
    family: 'kadena',
    decimals: 8,
    merkleHash: 'blake2b256',
    launchTime: utc(2021, 4, 30),
    launchSource:
      'Flux Official (Medium, 8 May 2022): first parallel asset, launched April 2021; day not published, month end used',
  },
  {
    id: 'FLUX-ETH',
    chain: 'Ethereum',
    family: 'evm',
    decimals: 8,
    merkleHash: 'keccak256',
    launchTime: utc(2021, 6, 15),
    launchSource: 'Flux Official (Medium): snapshot for Flux-ETH and Flux-BSC on 15 June 2021',
  },
  {
    id: 'FLUX-BSC',
    chain: 'BNB Smart Chain',
    family: 'evm',
    decimals: 8,
    merkleHash: 'keccak256',
    launchTime: utc(2021, 6, 15),
    launchSource: 'Flux Official (Medium): snapshot for Flux-ETH and Flux-BSC on 15 June 2021',
  },
  {
    id: 'FLUX-SOL',
    chain: 'Solana',
    family: 'solana',
    decimals: 8,
    merkleHash: 'sha256',
    launchTime: utc(2021, 9, 30),
    launchSource:
      'Flux Official (Medium, 8 May 2022): distributed by Q3 2021; day not published, quarter end used',
  },
  {
    id: 'FLUX-TRX',
    chain: 'Tron',
    family: 'tron',
    decimals: 8,
    merkleHash: 'keccak256',
    launchTime: utc(2021, 9, 30),
    launchSource:
      'Flux Official (Medium, 8 May 2022): distributed by Q3 2021; day not published, quarter end used',
  },
  {
    id: 'FLUX-AVAX',
    chain: 'Avalanche C-Chain',
    family: 'evm',
    decimals: 8,
    merkleHash: 'keccak256',
    launchTime: null,
    launchSource: 'announced, not yet launched; no date set',
  },
  {
    id: 'FLUX-ERG',
    chain: 'Ergo',
    family: 'ergo',
    decimals: 8,
    merkleHash: 'blake2b256',
    launchTime: null,
    launchSource: 'announced, not yet launched; no date set',
  },
  {
    id: 'FLUX-ALGO',
    chain: 'Algorand',
    family: 'algorand',
    decimals: 8,
    merkleHash: 'sha512_256',
    launchTime: null,
    launchSource: 'announced, not yet launched; no date set',
  },
  {
    id: 'FLUX-MATIC',
    chain: 'Polygon',
    family: 'evm',
    decimals: 8,
    merkleHash: 'keccak256',
    launchTime: null,
    launchSource: 'announced, not yet launched; no date set',
  },
  {
    id: 'FLUX-ONE',
    chain: 'Harmony',
    family: 'evm',
    decimals: 8,
    merkleHash: 'keccak256',
    launchTime: null,
    launchSource: 'announced, not yet launched; no date set (0x-form addresses only)',
  },
];

export function findAsset(registry: readonly ParallelAsset[], id: string): ParallelAsset {
  const asset = registry.find((a) => a.id === id);
  if (!asset)
    throw new EconomyError('unknown-asset', `no parallel asset ${JSON.stringify(id)}`, {
      field: 'assetId',
      value: id,
    });
  return asset;
}

/** An asset is claimable from its launch time on; before that (or with no date) its accrual is pending. */
export function isLaunched(asset: ParallelAsset, now: number): boolean {
  return asset.launchTime !== null && now >= asset.launchTime;
}

/** A registry with one asset's launch date set (e.g. when a new chain's date is announced). */
export function withLaunchTime(
  registry: readonly ParallelAsset[],
  id: string,
  launchTime: number,
  launchSource = 'scheduled',
): ParallelAsset[] {
  findAsset(registry, id);
  if (!Number.isSafeInteger(launchTime) || launchTime < 0) {
    throw new EconomyError('bad-launch-time', 'launch time must be UTC seconds', {
      field: 'launchTime',
      value: launchTime,
    });
  }
  return registry.map((a) => (a.id === id ? { ...a, launchTime, launchSource } : a));
}

export function validateRegistry(registry: readonly ParallelAsset[]): void {
  const seen = new Set<string>();
  for (const a of registry) {
    if (seen.has(a.id))
      throw new EconomyError('duplicate-asset', `asset ${a.id} listed twice`, { field: 'id', value: a.id });
    seen.add(a.id);
    if (!Number.isInteger(a.decimals) || a.decimals < 0 || a.decimals > 18) {
      throw new EconomyError('bad-decimals', `asset ${a.id} decimals out of range`, {
        field: 'decimals',
        value: a.decimals,
      });
    }
  }
}
