/**
 * Bounds an app spec must respect. They are data, passed in, so a devnet on one laptop can shrink the
 * tier table while mainnet keeps FluxOS's figures.
 *
 * Mainnet figures are FluxOS's (RunOnFlux/flux, ZelBack/config/default.js, 2022): node tiers
 * Cumulus 4 cores / 7,000 MB / 220 GB, Nimbus 8 / 30,000 / 440, Stratus 16 / 61,000 / 880, of
 * which 1 core / 2,000 MB / 40 GB stay locked for the node itself; public ports 31000–39999 with a
 * list of banned ports; 3–100 instances; lifetime 5,000–264,000 blocks in steps of 1,000, 22,000
 * by default; at most 5 components of at most 5 ports each; 20 environment variables and 20
 * command arguments of at most 400 characters; names of at most 32 letters and digits.
 */

import { type Tier, TIERS } from '../../consensus/index.ts';

/** Resources: cpu in cores (0.1 steps), ram in MB, hdd in GB. */
export interface Resources {
  cpu: number;
  ram: number;
  hdd: number;
}

/** An inclusive range of ports, or one port. */
export type PortRule = number | readonly [number, number];

export interface AppSpecLimits {
  /** What one node of each tier offers to apps (its hardware minus what the node keeps for itself). */
  tiers: Record<Tier, Resources>;
  /** Smallest amounts a component may ask for. */
  minComponent: Resources;
  ports: { min: number; max: number; reserved: readonly PortRule[]; perComponent: number; total: number };
  components: { min: number; max: number };
  instances: { min: number; max: number };
  /** Lifetime in blocks; `default` applies when the spec leaves `expire` out. */
  expire: { min: number; max: number; step: number; default: number };
  name: {
    minLength: number;
    maxLength: number;
    reservedPrefixes: readonly string[];
    reserved: readonly string[];
  };
  descriptionMaxLength: number;
  repotagMaxLength: number;
  containerDataMaxLength: number;
  env: { maxCount: number; maxLength: number };
  commands: { maxCount: number; maxLength: number };
  geolocationMaxCount: number;
  /** Base58check version bytes (hex) an owner address may carry: P2PKH only, since the owner signs. */
  ownerAddressVersions: readonly string[];
  /** What an image must meet: checked at validation (blocklist) and before every pull (all three). */
  images: ImageRules;
}

export interface ImageRules {
  /** Largest image (config and layers as stored in the registry, compressed). */
  maxBytes: number;
  /** Architectures accepted (linux only), in Docker's names. */
  architectures: readonly string[];
  /** Refused repositories: `host/path` (`library/x` or `user/x` on Docker Hub); a trailing `/` blocks a namespace. */
  blocked: readonly string[];
}

function minus(a: Resources, b: Resources): Resources {
  return { cpu: Math.round((a.cpu - b.cpu) * 10) / 10, ram: a.ram - b.ram, hdd: a.hdd - b.hdd };
}

const FLUXOS_NODE_SPECS: Record<Tier, Resources> = {
  cumulus: { cpu: 4, ram: 7000, hdd: 220 },
  nimbus: { cpu: 8, ram: 30000, hdd: 440 },
  stratus: { cpu: 16, ram: 61000, hdd: 880 },
};
const FLUXOS_LOCKED: Resources = { cpu: 1, ram: 2000, hdd: 40 };

export const MAINNET_APP_LIMITS: AppSpecLimits = {
  tiers: {
    cumulus: minus(FLUXOS_NODE_SPECS.cumulus, FLUXOS_LOCKED),
    nimbus: minus(FLUXOS_NODE_SPECS.nimbus, FLUXOS_LOCKED),
    stratus: minus(FLUXOS_NODE_SPECS.stratus, FLUXOS_LOCKED),
  },
  minComponent: { cpu: 0.1, ram: 100, hdd: 1 },
  ports: {
    min: 31000,
    max: 39999,
    // FluxOS's banned list; none falls inside 31000–39999 today, but a devnet that widens the range needs it.
    reserved: [
      [16100, 16299],
      [26100, 26299],
      [30000, 30099],
      8384,
      27017,
      22,
      23,
      25,
      3389,
      5900,
      5800,
      161,
      512,
      513,
      5901,
      3388,
      4444,
      123,
    ],
    perComponent: 5,
    total: 10,
  },
  components: { min: 1, max: 5 },
  instances: { min: 3, max: 100 },
  expire: { min: 5000, max: 264000, step: 1000, default: 22000 },
  name: { minLength: 1, maxLength: 32, reservedPrefixes: ['zel', 'flux'], reserved: ['watchtower'] },
  descriptionMaxLength: 256,
  repotagMaxLength: 200,
  containerDataMaxLength: 200,
  env: { maxCount: 20, maxLength: 400 },
  commands: { maxCount: 20, maxLength: 400 },
  geolocationMaxCount: 10,
  ownerAddressVersions: ['1cb8'],
  // Empty until the network decides otherwise: the mechanism is in place, the list is policy.
  images: { maxBytes: 5 * 1024 ** 3, architectures: ['amd64', 'arm64'], blocked: [] },
};

/**
 * A devnet runs every node on one machine, so each tier offers a sliver of a laptop; lifetimes are
 * short so expiry can be watched; owners may use testnet/regtest (`tm…`) or mainnet-style addresses.
 */
export const DEVNET_APP_LIMITS: AppSpecLimits = {
  ...MAINNET_APP_LIMITS,
  tiers: {
    cumulus: { cpu: 0.5, ram: 512, hdd: 2 },
    nimbus: { cpu: 1, ram: 1024, hdd: 4 },
    stratus: { cpu: 2, ram: 2048, hdd: 8 },
  },
  expire: { min: 10, max: 264000, step: 1, default: 22000 },
  ownerAddressVersions: ['1d25', '1cb8'],
};

/** The largest amount of each resource any one tier offers: the most a single app instance can use. */
export function largestTier(limits: AppSpecLimits): Resources {
  const all = TIERS.map((t) => limits.tiers[t]);
  return {
    cpu: Math.max(...all.map((r) => r.cpu)),
    ram: Math.max(...all.map((r) => r.ram)),
    hdd: Math.max(...all.map((r) => r.hdd)),
  };
}

export function portIsReserved(port: number, reserved: readonly PortRule[]): boolean {
  return reserved.some((r) => (typeof r === 'number' ? r === port : port >= r[0] && port <= r[1]));
}
