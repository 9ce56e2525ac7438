import { EconomyError } from '../errors.ts';

/** How a target chain writes its addresses; decides the validator and the leaf's address bytes. */
export type ChainFamily = 'evm' | 'kadena' | 'tron' | 'solana' | 'ergo' | 'algorand';

/** The hash a payout contract on that chain can compute cheaply, used for the claim Merkle tree. */
export type MerkleHashName = 'keccak256' | 'sha256' | 'blake2b256' | 'sha512_256';

export interface ParallelAsset {
  /** Ticker used in claims, e.g. `FLUX-ETH`. */
  id: string;
  chain: string;
  family: ChainFamily;
  /**
   * Smallest units per whole token = 10^decimals. Where `decimalsSource` is null the figure is not
   * confirmed by a document: it is taken to mirror native FLUX (8) so that units can be counted.
   */
  decimals: number;
  decimalsSource: string | null;
  merkleHash: MerkleHashName;
  /** Launch (first distribution), UTC seconds; null while unknown or not launched. */
  launchTime: number | null;
  /** The document the launch date comes from and how precise it is; null when there is none. */
  launchSource: string | null;
  /** The document that names this chain among Flux's parallel assets. */
  source: string;
}

/** Parallel accrual starts here (the Zel → Flux relaunch, 27 March 2021, 00:00 UTC) or at node start if later. */
export const ACCRUAL_EPOCH = Date.UTC(2021, 2, 27) / 1000;

/** Operators and miners accrue 1/10 of a token of every parallel asset per FLUX earned. */
export const PARALLEL_RATE = { numerator: 1n, denominator: 10n } as const;

/** FLUX itself has 8 decimals (COIN = 10^8 satoshis). */
export const FLUX_DECIMALS = 8;

const utc = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 1000;

/** Flux Official on Medium, "Exploring Parallel Assets In The Flux Ecosystem", 8 May 2022. */
const EXPLORING =
  'https://fluxofficial.medium.com/exploring-parallel-assets-in-the-flux-ecosystem-ea40012429d0';
/** Flux Official on Medium, "A Primer on Flux Parallel Asset Distribution, Economics and more" (June 2021). */
const PRIMER =
  'https://fluxofficial.medium.com/a-primer-on-flux-parallel-asset-distribution-economics-and-more-abdefd5bed3c';
/** Issue 16 of this project: Flux's chain list from 2022 on names Base as the tenth chain. */
const TENTH =
  'fluxnode issue 16 (Flux chain list from 2022 on names Base); no Flux document found in the stored corpus';
const NOT_LAUNCHED = null;
const CRYPTOVIUM =
  'https://www.cryptovium.net/project-overview/flux (2022 revision: launched on Kadena, Ethereum, Binance, Tron, Solana and Avalanche)';
/** A third-party knowledge base listing FLUX-MATIC on Polygon. */
const FLUXME = 'https://www.fluxme.io/knowledge/node-hosting/parallel-assets (third party)';
const UNCONFIRMED =
  'kept from the earlier list; no document naming this chain was found in the stored corpus';

function asset(
  id: string,
  chain: string,
  family: ChainFamily,
  merkleHash: MerkleHashName,
  launch: { time: number; source: string } | null,
  source = EXPLORING,
): ParallelAsset {
  return {
    id,
    chain,
    family,
    decimals: FLUX_DECIMALS,
    decimalsSource: null,
    merkleHash,
    launchTime: launch?.time ?? null,
    launchSource: launch?.source ?? NOT_LAUNCHED,
    source,
  };
}

/**
 * The ten parallel chains as Flux lists them (Base, not Harmony, as the tenth). Dates are data: a
 * corrected date is a one-line change. Where a document gives only a month or quarter, its last
 * day is used and the source says so. No decimals are confirmed by a stored document.
 */
export const PARALLEL_ASSETS: readonly ParallelAsset[] = [
  asset('FLUX-KDA', 'Kadena', 'kadena', 'blake2b256', {
    time: utc(2021, 4, 30),
    source: `${EXPLORING}: first parallel asset, launched April 2021; day not given, month end used`,
  }),
  asset('FLUX-ETH', 'Ethereum', 'evm', 'keccak256', {
    time: utc(2021, 6, 15),
    source: `${PRIMER}: snapshot for Flux-ETH and Flux-BSC on 15 June 2021`,
  }),
  asset('FLUX-BSC', 'BNB Smart Chain', 'evm', 'keccak256', {
    time: utc(2021, 6, 15),
    source: `${PRIMER}: snapshot for Flux-ETH and Flux-BSC on 15 June 2021`,
  }),
  asset('FLUX-SOL', 'Solana', 'solana', 'sha256', {
    time: utc(2021, 9, 30),
    source: `${EXPLORING}: distributed by Q3 2021; day not given, quarter end used`,
  }),
  asset('FLUX-TRX', 'Tron', 'tron', 'keccak256', {
    time: utc(2021, 9, 30),
    source: `${EXPLORING}: distributed by Q3 2021; day not given, quarter end used`,
  }),
  // Listed as launched in a 2022 revision of the cryptovium overview; no launch date found.
  asset('FLUX-AVAX', 'Avalanche C-Chain', 'evm', 'keccak256', null, CRYPTOVIUM),
  asset('FLUX-ERG', 'Ergo', 'ergo', 'blake2b256', null, UNCONFIRMED),
  asset('FLUX-ALGO', 'Algorand', 'algorand', 'sha512_256', null, UNCONFIRMED),
  asset('FLUX-MATIC', 'Polygon', 'evm', 'keccak256', null, FLUXME),
  asset('FLUX-BASE', 'Base', 'evm', 'keccak256', null, TENTH),
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
