// `devnet status`: what runs, seen from the state file, the host's processes and each node's RPC.

import path from 'node:path';
import Docker from 'dockerode';
import { type ListedLocation, type ListedApp, locationUrl } from './app-steps.ts';
import { listProcesses, processAlive } from './dockerd.ts';
import { minerNodes } from './engines.ts';
import { isNodeProcess, rpcOf, rpcPortOf } from './host-process.ts';
import { monitorRunning, monitorUrl } from './monitor.ts';
import type { DevnetState, NodeState } from './state.ts';

export interface NodeStatus {
  name: string;
  host: string;
  tier: string;
  /** Where the node says it is (`--geolocation`). */
  geolocation?: string;
  api: string;
  /** JSON-RPC (on the node's loopback address; the devnet's credentials are in devnet.json). */
  rpc: string;
  /** running; down (killed with `devnet kill`, or crashed). */
  process: 'running' | 'down';
  pid?: number;
  engine: 'running' | 'down';
  containers?: number;
  height?: number;
  peers?: number;
  /** The fluxnode's status in the network's list (e.g. confirmed, started, expired). */
  fluxnode?: string;
  collateral?: string;
  error?: string;
}

export interface AppStatus {
  name: string;
  instances: number;
  /** `nodeName`: the devnet node (node1, …) the location is, by collateral or address. */
  locations: (ListedLocation & { url: string; nodeName?: string })[];
}

export interface DevnetStatus {
  dir: string;
  phase: string;
  dashboard: string;
  registry: { address: string; running: boolean };
  /** The prometheus of `up --monitor`, when the devnet has one. */
  monitor?: { url: string; running: boolean };
  /** `node` is the first miner (kept for scripts); `nodes` every node that mines. */
  miner: { node: string; nodes: string[]; address?: string };
  nodes: NodeStatus[];
  apps: AppStatus[];
}

function engineAlive(n: NodeState): boolean {
  const pid = n.dockerd.pid;
  if (pid === undefined || !processAlive(pid)) return false;
  const p = listProcesses().find((x) => x.pid === pid);
  return p?.argv.some((a) => a.includes(`${n.dockerd.dir}/`)) ?? false;
}

async function containerCount(socketPath: string): Promise<number | undefined> {
  try {
    const list = await new Docker({ socketPath, timeout: 3_000 }).listContainers({ all: false });
    return list.length;
  } catch {
    return undefined;
  }
}

async function nodeStatus(state: DevnetState, n: NodeState): Promise<NodeStatus> {
  const running = isNodeProcess(n.pid, n.dataDir);
  const engine = engineAlive(n);
  const s: NodeStatus = {
    name: n.name,
    host: n.host,
    tier: n.tier,
    geolocation: n.geolocation,
    api: `http://${n.host}:${n.apiPort}/`,
    rpc: `http://${n.host}:${rpcPortOf(n)}/`,
    process: running ? 'running' : 'down',
    pid: running ? n.pid : undefined,
    engine: engine ? 'running' : 'down',
    collateral: n.collateral,
  };
  if (engine && n.dockerd.socketPath) s.containers = await containerCount(n.dockerd.socketPath);
  if (!running) return s;
  const rpc = rpcOf(state, n, 3_000);
  try {
    [s.height, s.peers] = await Promise.all([
      rpc.call<number>('getblockcount'),
      rpc.call<number>('getconnectioncount'),
    ]);
  } catch (err) {
    s.error = (err as Error).message;
  }
  return s;
}

interface Listed {
  txhash: string;
  outidx: number;
  status: string;
}

export async function devnetStatus(state: DevnetState): Promise<DevnetStatus> {
  const nodes = await Promise.all(state.nodes.map((n) => nodeStatus(state, n)));
  const apps: AppStatus[] = [];
  // The network's view (fluxnode list, apps) from the first node that answers.
  for (const n of state.nodes) {
    if (nodes.find((s) => s.name === n.name)?.process !== 'running') continue;
    const rpc = rpcOf(state, n, 5_000);
    try {
      const list = await rpc.call<Listed[]>('viewdeterministicfluxnodelist');
      for (const s of nodes) {
        const hit = list.find((f) => `${f.txhash}:${f.outidx}` === s.collateral);
        if (hit) s.fluxnode = hit.status.toLowerCase();
      }
      const listed = await rpc.call<ListedApp[]>('listapps');
      for (const a of listed) {
        apps.push({
          name: a.name,
          instances: a.instances,
          locations: a.locations.map((l) => ({
            ...l,
            url: locationUrl(l, undefined),
            nodeName: state.nodes.find((x) => x.collateral === l.node || l.ip.split(':')[0] === x.host)?.name,
          })),
        });
      }
      break;
    } catch {
      // this node cannot tell; ask the next one
    }
  }
  const regPid = state.registry.pid;
  const registryRunning =
    regPid !== undefined &&
    processAlive(regPid) &&
    (listProcesses()
      .find((p) => p.pid === regPid)
      ?.argv.some((a) => a.startsWith(`${path.resolve(state.registry.dir)}/`)) ??
      false);
  return {
    dir: state.dir,
    phase: state.phase,
    dashboard: state.dashboard,
    registry: {
      address: state.registry.address ?? `${state.registry.host}:${state.registry.port}`,
      running: registryRunning,
    },
    monitor: state.monitor && { url: monitorUrl(state.monitor), running: monitorRunning(state) },
    miner: {
      node: state.miner.node,
      nodes: minerNodes(state).map((n) => n.name),
      address: state.miner.address,
    },
    nodes,
    apps,
  };
}
