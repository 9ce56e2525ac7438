// Starting the devnet's daemons (registry, one dockerd per node, node processes) and recording each
// in the state as soon as it exists.

import { DaemonError, startDockerd } from './dockerd.ts';
import { type NodeLaunch, spawnNode, waitForNodeApi } from './host-process.ts';
import { startRegistry } from './registry.ts';
import type { DevnetState, NodeState } from './state.ts';
import { nodeOne } from './state.ts';

export async function startDevnetRegistry(state: DevnetState, save: () => void): Promise<string> {
  const r = state.registry;
  const declaredInsecure = state.netns !== undefined;
  const registry = await startRegistry({ dir: r.dir, host: r.host, port: r.port, declaredInsecure }).catch(
    (err: unknown) => {
      if (err instanceof DaemonError && /EADDRINUSE|EACCES/.test(err.detail)) {
        // Debian's docker-registry package enables a system service on port 5000.
        throw new DaemonError(
          err.daemon,
          `${err.detail}; is another registry using it (\`systemctl stop docker-registry\`)? Or pick another port with --registry-port`,
        );
      }
      throw err;
    },
  );
  r.pid = registry.pid;
  r.address = registry.address;
  save();
  return `${registry.url} (pid ${registry.pid})`;
}

/** Starts the node's own Docker engine and records its socket and pid. */
export async function startEngine(state: DevnetState, node: NodeState, save: () => void): Promise<void> {
  const d = node.dockerd;
  const r = state.registry;
  const engine = await startDockerd({
    name: d.name,
    dir: d.dir,
    bridgeIndex: d.bridgeIndex,
    // In its namespace the engine reaches the registry on the host bridge, not on loopback.
    ...(d.netns ? { netns: d.netns, insecureRegistries: [`${r.host}:${r.port}`] } : {}),
  });
  d.pid = engine.pid;
  d.socketPath = engine.socketPath;
  d.storageDriver = engine.storageDriver;
  save();
}

/** Starts every engine at once; records each that started even when another fails. */
export async function startEngines(state: DevnetState, save: () => void): Promise<string> {
  const results = await Promise.allSettled(state.nodes.map((n) => startEngine(state, n, save)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const drivers = [...new Set(state.nodes.map((n) => n.dockerd.storageDriver))].join('/');
  return `${state.nodes.length} dockerd${state.nodes.length === 1 ? '' : 's'} (${drivers}), bridges ${state.nodes
    .map((n) => `fluxbr${n.dockerd.bridgeIndex}`)
    .join(', ')}`;
}

/** How many nodes mine on a devnet: enough that the chain goes on when any one of them dies. */
export const DEVNET_MINERS = 2;

/** The nodes that mine: the first DEVNET_MINERS (fewer on a smaller devnet). */
export function minerNodes(state: DevnetState): NodeState[] {
  return state.nodes.slice(0, DEVNET_MINERS);
}

/**
 * Each miner's pace: the devnet's block interval times the number of miners, so that together they
 * keep the pace one miner was given.
 */
export function minerIntervalMs(state: DevnetState): number {
  return state.miner.intervalMs * minerNodes(state).length;
}

/**
 * The command line of a node. At first start the others bootstrap to node 1 (first contact only:
 * they learn the rest from it and from the chain). A restarted node gets no bootstrap at all: it
 * finds the network from its peer book and the chain's node list. The miners mine once the devnet
 * has a miner address.
 */
export function launchOf(state: DevnetState, node: NodeState, restart: boolean): NodeLaunch {
  const first = nodeOne(state.nodes);
  const peer = (n: NodeState) => `${n.host}:${n.p2pPort}`;
  const isFirst = node.name === first.name;
  const mines = minerNodes(state).some((n) => n.name === node.name);
  return {
    node,
    rpc: state.rpc,
    bootstrap: restart || isFirst ? [] : [peer(first)],
    mineTo: mines ? state.miner.address : undefined,
    mineIntervalMs: mines ? minerIntervalMs(state) : undefined,
    rpcAllowIp: state.netns?.address,
  };
}

/** Spawns a node process, records its pid at once, then waits for its API. */
export async function startNodeProcess(
  state: DevnetState,
  node: NodeState,
  opts: {
    restart: boolean;
    /** First contact other than node 1 (a node joining later, when node 1 may be down). */
    bootstrap?: string[];
    save: () => void;
    signal?: AbortSignal;
    timeoutMs: number;
  },
): Promise<void> {
  const launch = launchOf(state, node, opts.restart);
  node.pid = spawnNode(opts.bootstrap ? { ...launch, bootstrap: opts.bootstrap } : launch);
  node.killed = false;
  opts.save();
  await waitForNodeApi(state, node, { timeoutMs: opts.timeoutMs, signal: opts.signal });
}

export async function startNodes(
  state: DevnetState,
  opts: { save: () => void; signal?: AbortSignal; timeoutMs: number },
): Promise<string> {
  const [, ...others] = state.nodes;
  await startNodeProcess(state, nodeOne(state.nodes), { ...opts, restart: false });
  await Promise.all(others.map((n) => startNodeProcess(state, n, { ...opts, restart: false })));
  return state.nodes.map((n) => `${n.name} ${n.host}`).join(', ');
}
