// Where everything of a local devnet lives: one loopback address per node (127.0.0.11, .12, …),
// the registry on the address just below the first node, one folder per node under the devnet's
// folder, and which fluxnode tier each node runs. Pure: the same options always give the same layout.

import { DEFAULT_API_PORT, DEFAULT_RPC_PORT, TIERS, type Tier } from '../consensus/index.ts';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { hostNetnsOf, type NetnsHost, nodeNetnsOf } from './netns.ts';

export type TierCounts = Record<Tier, number>;

/** Bad devnet options: names the option and the value at fault. */
export class DevnetConfigError extends Error {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, message: string) {
    super(`${field}: ${message} (got ${JSON.stringify(value)})`);
    this.name = 'DevnetConfigError';
    this.field = field;
    this.value = value;
  }
}

export const DEFAULT_NODES = 5;
export const DEFAULT_BASE_ADDRESS = '127.0.0.11';
/** Node 1's address with `--netns`: the host bridge (and registry) on 10.77.0.10/24, nodes from .11. */
export const DEFAULT_NETNS_BASE_ADDRESS = '10.77.0.11';
export const DEFAULT_REGISTRY_PORT = 5000;
/** Each node serves the default RPC port on its own loopback address (127.0.0.x), as private as 127.0.0.1. */
export { DEFAULT_API_PORT, DEFAULT_RPC_PORT };
export const DEFAULT_P2P_PORT = 36125;
export const DEFAULT_MONITOR_PORT = 9090;
export const MAX_NODES = 50;

export interface DevnetLayoutOptions {
  /** The devnet's folder (absolute or relative to the working directory). */
  dir: string;
  nodes: number;
  tiers: TierCounts;
  /** Address of node 1; node i gets the address i-1 above it, the registry the one below it. */
  baseAddress?: string;
  registryPort?: number;
  apiPort?: number;
  rpcPort?: number;
  p2pPort?: number;
  /** Port of prometheus (`--monitor`), on the registry's address. */
  monitorPort?: number;
  /**
   * Each node and its engine in a network namespace of its own, on a host bridge in a 10.x /24
   * (the registry on the host's address there); addresses then come from that /24, not loopback.
   */
  netns?: boolean;
}

export interface DockerdLayout {
  name: string;
  dir: string;
  bridgeIndex: number;
  /** The node's network namespace (namespaced devnets only). */
  netns?: string;
}

export interface NodeLayout {
  /** 1-based. */
  index: number;
  name: string;
  host: string;
  p2pPort: number;
  apiPort: number;
  rpcPort: number;
  tier: Tier;
  dataDir: string;
  logFile: string;
  dockerd: DockerdLayout;
}

export interface DevnetLayout {
  dir: string;
  registry: { host: string; port: number; dir: string };
  /** Where prometheus runs when the devnet is monitored. */
  monitor: { host: string; port: number; dir: string; configFile: string };
  nodes: NodeLayout[];
  /** The host bridge of a namespaced devnet. */
  netns?: NetnsHost;
}

function wholeNumber(field: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new DevnetConfigError(field, text, 'must be a whole number');
  return Number(text.trim());
}

/** `--nodes`: 1..MAX_NODES. */
export function parseNodeCount(text: string): number {
  const n = wholeNumber('--nodes', text);
  if (n < 1 || n > MAX_NODES) throw new DevnetConfigError('--nodes', text, `must be 1..${MAX_NODES}`);
  return n;
}

/**
 * `--tiers C,N,S`: how many Cumulus, Nimbus and Stratus nodes; they must add up to the node count
 * (every devnet node is a fluxnode, so that apps can land on any of them).
 */
export function parseTiers(text: string, nodes: number): TierCounts {
  const parts = text.split(',');
  if (parts.length !== 3) {
    throw new DevnetConfigError('--tiers', text, 'must be three counts, cumulus,nimbus,stratus (e.g. 2,2,1)');
  }
  const [cumulus = 0, nimbus = 0, stratus = 0] = parts.map((p) => wholeNumber('--tiers', p));
  const counts = { cumulus, nimbus, stratus };
  const total = cumulus + nimbus + stratus;
  if (total !== nodes) {
    throw new DevnetConfigError('--tiers', text, `must add up to the node count ${nodes}, not ${total}`);
  }
  return counts;
}

/** Without --tiers: the proportions of the default 2,2,1 over five nodes, rounded, at least one Cumulus. */
export function defaultTiers(nodes: number): TierCounts {
  const stratus = Math.floor(nodes / 5);
  const nimbus = Math.floor((nodes - stratus) / 2);
  return { cumulus: nodes - stratus - nimbus, nimbus, stratus };
}

/**
 * Where devnet nodes say they are (`--geolocation`), round-robin by node index, so that apps with
 * location rules have somewhere to land and somewhere to be kept from: three continents, with two
 * European and two North American countries among the first five nodes.
 */
export const DEVNET_LOCATIONS: readonly string[] = ['EU_DE', 'NA_US', 'EU_FR', 'AS_SG', 'NA_CA', 'OC_AU'];

/** The location of the devnet node with this 1-based index. */
export function devnetLocation(index: number): string {
  const n = DEVNET_LOCATIONS.length;
  return DEVNET_LOCATIONS[(((index - 1) % n) + n) % n] ?? 'EU_DE';
}

/** The tier of each node in order: the Cumulus nodes first, then Nimbus, then Stratus. */
export function tierSequence(counts: TierCounts): Tier[] {
  return TIERS.flatMap((t) => Array<Tier>(counts[t]).fill(t));
}

function port(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new DevnetConfigError(field, value, 'must be a port number 1..65535');
  }
  return value;
}

export function planDevnet(opts: DevnetLayoutOptions): DevnetLayout {
  const dir = path.resolve(opts.dir);
  const base = opts.baseAddress ?? (opts.netns ? DEFAULT_NETNS_BASE_ADDRESS : DEFAULT_BASE_ADDRESS);
  if (opts.netns) {
    // Only addresses of namespaces we create: a private 10.x /24 that no real network is expected on.
    if (!isIPv4(base) || !base.startsWith('10.')) {
      throw new DevnetConfigError('--base-address', base, 'must be a 10.x.y.z address with --netns');
    }
  } else if (!isIPv4(base) || !base.startsWith('127.')) {
    throw new DevnetConfigError('--base-address', base, 'must be a loopback IPv4 address (127.x.y.z)');
  }
  const octets = base.split('.').map(Number);
  const first = Number(octets[3]);
  const nodes = opts.nodes;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new DevnetConfigError('--nodes', nodes, `must be 1..${MAX_NODES}`);
  }
  // The last octet doubles as the dockerd bridge index (fluxbr<octet>), which must stay in 1..254.
  if (first < 2 || first + nodes - 1 > 254) {
    throw new DevnetConfigError(
      '--base-address',
      base,
      `its last number must leave room for the registry below it and ${nodes} node(s) up to .254`,
    );
  }
  const tiers = tierSequence(opts.tiers);
  if (tiers.length !== nodes) {
    throw new DevnetConfigError('--tiers', opts.tiers, `must add up to the node count ${nodes}`);
  }
  const apiPort = port('--api-port', opts.apiPort ?? DEFAULT_API_PORT);
  const rpcPort = port('--rpc-port', opts.rpcPort ?? DEFAULT_RPC_PORT);
  const p2pPort = port('--p2p-port', opts.p2pPort ?? DEFAULT_P2P_PORT);
  const address = (last: number) => `${octets[0]}.${octets[1]}.${octets[2]}.${last}`;
  return {
    dir,
    ...(opts.netns ? { netns: hostNetnsOf(address(first - 1)) } : {}),
    registry: {
      host: address(first - 1),
      port: port('--registry-port', opts.registryPort ?? DEFAULT_REGISTRY_PORT),
      dir: path.join(dir, 'registry'),
    },
    monitor: {
      host: address(first - 1),
      port: port('--monitor-port', opts.monitorPort ?? DEFAULT_MONITOR_PORT),
      dir: path.join(dir, 'prometheus'),
      configFile: path.join(dir, 'prometheus.yml'),
    },
    nodes: tiers.map((tier, i) => {
      const name = `node${i + 1}`;
      const dataDir = path.join(dir, name);
      return {
        index: i + 1,
        name,
        host: address(first + i),
        p2pPort,
        apiPort,
        rpcPort,
        tier,
        dataDir,
        logFile: path.join(dataDir, 'node.log'),
        // Outside the node's data folder: the node's own files never mix with the engine's.
        dockerd: {
          name,
          dir: path.join(dir, 'docker', name),
          bridgeIndex: first + i,
          ...(opts.netns ? { netns: nodeNetnsOf(address(first + i)).name } : {}),
        },
      };
    }),
  };
}
