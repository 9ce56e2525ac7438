// The devnet's memory: one JSON file in its folder, rewritten (atomically) after every step of
// `devnet up` and every kill/restart, so that `devnet down` can remove everything even after a
// crash, a SIGKILL or a Ctrl-C in the middle of a step. Everything a step is about to create is
// recorded BEFORE it is created (the folders, the bridge index), so cleanup never depends on a
// step having finished.

import type { Tier } from '../consensus/index.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type DevnetLayout, type DockerdLayout, devnetLocation, type TierCounts } from './layout.ts';
import type { NetnsHost } from './netns.ts';
import { must } from '../consensus/index.ts';

/** Where the devnet's prometheus runs; recorded in the state before it is started. */
export interface MonitorState {
  host: string;
  port: number;
  /** Its folder: data/ (the time series) and prometheus.log. */
  dir: string;
  configFile: string;
  pid?: number;
}

export const STATE_FILE_NAME = 'devnet.json';
const KIND = 'fluxnode-devnet';

export type DevnetPhase = 'starting' | 'up' | 'failed' | 'stopping';

export interface NodeState {
  index: number;
  name: string;
  host: string;
  p2pPort: number;
  apiPort: number;
  /** JSON-RPC, bound to `host` (absent in state files from before RPC had its own port: 16124). */
  rpcPort?: number;
  tier: Tier;
  /** Where the node says it is (`--geolocation`, see layout.ts devnetLocation); absent in older state files. */
  geolocation?: string;
  dataDir: string;
  logFile: string;
  /** The node process, while one was started (may be dead since). */
  pid?: number;
  dockerd: DockerdLayout & { socketPath?: string; pid?: number; storageDriver?: string };
  /** The fluxnode collateral (`txid:n`) once created. */
  collateral?: string;
  /** True after `devnet kill`, until `devnet restart`. */
  killed?: boolean;
}

export interface AppState {
  name: string;
  specHash: string;
  txid: string;
  image: string;
  digest: string;
  owner: string;
  urls: string[];
}

export interface DevnetState {
  kind: typeof KIND;
  version: 1;
  dir: string;
  createdAt: string;
  updatedAt: string;
  phase: DevnetPhase;
  network: 'devnet';
  tiers: TierCounts;
  /** Every node process's JSON-RPC credentials (passed with --rpc-user/--rpc-password). */
  rpc: { user: string; password: string };
  registry: { host: string; port: number; dir: string; pid?: number; address?: string };
  /** The prometheus of `up --monitor`. */
  monitor?: MonitorState;
  /** `up --netns`: the host bridge; each node's namespace is in its `dockerd.netns`. */
  netns?: NetnsHost;
  nodes: NodeState[];
  /** Node 1 mines to a wallet address of its own; restarts keep mining there. */
  miner: { node: string; address?: string; intervalMs: number };
  sampleImage?: { ref: string; digest: string };
  app?: AppState;
  dashboard: string;
  steps: { name: string; ms: number; detail?: string }[];
}

/** Node 1: the first node, the miner and the funder (every layout has at least one node). */
export function nodeOne<N>(nodes: readonly N[]): N {
  return must(nodes[0], 'node 1 (a devnet has at least one node)');
}

/** The state file is missing, unreadable, or not a devnet's. */
export class DevnetStateError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DevnetStateError';
    this.file = file;
  }
}

export function stateFile(dir: string): string {
  return path.join(path.resolve(dir), STATE_FILE_NAME);
}

/** A fresh state for a layout, before anything is created. */
export function initialState(layout: DevnetLayout, tiers: TierCounts, mineIntervalMs: number): DevnetState {
  const now = new Date().toISOString();
  const first = nodeOne(layout.nodes);
  return {
    kind: KIND,
    version: 1,
    dir: layout.dir,
    createdAt: now,
    updatedAt: now,
    phase: 'starting',
    network: 'devnet',
    tiers,
    rpc: { user: 'devnet', password: randomBytes(18).toString('base64url') },
    registry: { ...layout.registry },
    ...(layout.netns ? { netns: { ...layout.netns } } : {}),
    nodes: layout.nodes.map((n) => ({
      index: n.index,
      name: n.name,
      host: n.host,
      p2pPort: n.p2pPort,
      apiPort: n.apiPort,
      rpcPort: n.rpcPort,
      tier: n.tier,
      geolocation: devnetLocation(n.index),
      dataDir: n.dataDir,
      logFile: n.logFile,
      dockerd: { ...n.dockerd },
    })),
    miner: { node: first.name, intervalMs: mineIntervalMs },
    dashboard: `http://${first.host}:${first.apiPort}/`,
    steps: [],
  };
}

/** Writes the state atomically (a reader sees the old file or the new one, never half of one). */
export function writeState(state: DevnetState): void {
  state.updatedAt = new Date().toISOString();
  mkdirSync(state.dir, { recursive: true, mode: 0o700 });
  const file = stateFile(state.dir);
  const tmp = `${file}.${process.pid}.tmp`;
  // It holds the RPC password: readable by its owner only.
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The state in `dir`, or undefined when there is no state file. */
export function readState(dir: string): DevnetState | undefined {
  const file = stateFile(dir);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DevnetStateError(file, `cannot be read as JSON: ${(err as Error).message}`);
  }
  const s = parsed as Partial<DevnetState>;
  if (s?.kind !== KIND || s.version !== 1) {
    throw new DevnetStateError(file, `is not a fluxnode devnet state file (kind ${JSON.stringify(s?.kind)})`);
  }
  if (!Array.isArray(s.nodes) || typeof s.registry !== 'object' || typeof s.dir !== 'string') {
    throw new DevnetStateError(file, 'is incomplete (nodes, registry or dir missing)');
  }
  if (path.resolve(s.dir) !== path.resolve(dir)) {
    // A moved folder would point cleanup at somewhere else: refuse rather than guess.
    throw new DevnetStateError(file, `belongs to ${s.dir}, not ${path.resolve(dir)}`);
  }
  return s as DevnetState;
}

/** The node a user named: `node2`, `2`, or its address `127.0.0.12`. */
export function findNode(state: DevnetState, which: string): NodeState {
  const w = which.trim();
  const node = state.nodes.find((n) => n.name === w || String(n.index) === w || n.host === w);
  if (!node) {
    throw new DevnetStateError(
      stateFile(state.dir),
      `no node ${JSON.stringify(which)} (nodes: ${state.nodes.map((n) => n.name).join(', ')})`,
    );
  }
  return node;
}
