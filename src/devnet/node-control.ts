// `devnet kill NODE` and `devnet restart NODE`: a node failing the way a real one does (process and
// Docker engine gone at once, its containers with them) and coming back with the same data.

import { killQuietly, reapDockerd, waitForExit } from './dockerd.ts';
import { startEngine, startNodeProcess } from './engines.ts';
import { isNodeProcess, rpcOf } from './host-process.ts';
import { pending, waitFor } from './poll.ts';
import { retryAnswered } from './step-context.ts';
import { type DevnetState, findNode, type NodeState, writeState } from './state.ts';
import { stopEngine, stopNodeProcess, type TeardownReport } from './teardown.ts';

export interface NodeActionResult {
  node: string;
  host: string;
  /** What was done, in order, e.g. `SIGKILL node process 1234`. */
  actions: string[];
}

/**
 * SIGKILLs the node process and its Docker engine with everything under it (containerd, shims,
 * container processes): no clean shutdown anywhere, as in a power cut. The engine's mounts, cgroups
 * and bridge are then reaped so the host stays clean; the node's own data folder stays.
 */
export async function killNode(state: DevnetState, which: string): Promise<NodeActionResult> {
  const node = findNode(state, which);
  const actions: string[] = [];
  if (isNodeProcess(node.pid, node.dataDir)) {
    killQuietly(node.pid!, 'SIGKILL');
    await waitForExit(node.pid!, 5_000);
    actions.push(`SIGKILL node process ${node.pid}`);
  }
  const d = node.dockerd;
  // reapDockerd kills with SIGKILL every dockerd/containerd/shim process of this engine and every
  // process in its containers' cgroup before it unmounts anything.
  await reapDockerd({ name: d.name, dir: d.dir, bridgeIndex: d.bridgeIndex, netns: d.netns });
  if (d.pid !== undefined) actions.push(`SIGKILL dockerd ${d.pid} and its containers`);
  node.pid = undefined;
  d.pid = undefined;
  node.killed = true;
  writeState(state);
  return { node: node.name, host: node.host, actions };
}

/**
 * Starts the node's engine and process again (stopping them cleanly first if they still run), waits
 * until it has caught up with the network, and re-announces its fluxnode if it expired meanwhile.
 */
export async function restartNode(
  state: DevnetState,
  which: string,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<NodeActionResult> {
  const node = findNode(state, which);
  const actions: string[] = [];
  const report: TeardownReport = { stopped: [], problems: [], removed: false };
  await stopNodeProcess(node, report, () => {});
  await stopEngine(node, report, () => {});
  if (report.problems.length > 0)
    throw new Error(`${node.name} could not be stopped: ${report.problems.join('; ')}`);
  actions.push(...report.stopped.map((s) => `stopped ${s}`));
  const save = () => writeState(state);
  await startEngine(state, node, save);
  actions.push(`started dockerd ${node.dockerd.pid}`);
  await startNodeProcess(state, node, {
    restart: true,
    save,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  actions.push(`started node process ${node.pid}`);
  if (node.collateral) {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    await waitUntilSynced(state, node, { timeoutMs, signal: opts.signal });
    if (await reannounce(state, node, { timeoutMs, signal: opts.signal })) {
      actions.push(`re-announced its fluxnode (START ${node.collateral})`);
    }
  }
  return { node: node.name, host: node.host, actions };
}

/** Waits until the node has caught up with the highest tip another running node reports now. */
async function waitUntilSynced(
  state: DevnetState,
  node: NodeState,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const others = state.nodes.filter((n) => n !== node && nodeRunning(n));
  const heights = await Promise.all(
    others.map((n) =>
      rpcOf(state, n, 3_000)
        .call<number>('getblockcount')
        .catch(() => 0),
    ),
  );
  const target = Math.max(0, ...heights);
  const rpc = rpcOf(state, node, 3_000);
  await waitFor(
    `${node.name} to catch up with height ${target}`,
    async () => {
      const h = await rpc.call<number>('getblockcount');
      return h >= target ? h : pending(`height ${h}`);
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 250, signal: opts.signal },
  );
}

/**
 * A node down for longer than the confirmation window has expired from the fluxnode list, as on the
 * real network; like its operator would, we send a new START for the same collateral.
 * Returns true when a START was sent.
 */
async function reannounce(
  state: DevnetState,
  node: NodeState,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<boolean> {
  const rpc = rpcOf(state, node);
  const status = await rpc.call<{ status: string }>('getfluxnodestatus');
  if (STILL_LISTED.has(status.status.toLowerCase())) return false;
  await retryAnswered(
    `${node.name} to start as a fluxnode again`,
    () => rpc.call('startfluxnode', [node.collateral]),
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: 1_000,
      signal: opts.signal,
    },
  );
  return true;
}

const STILL_LISTED = new Set(['confirmed', 'started']);

export function nodeRunning(node: NodeState): boolean {
  return isNodeProcess(node.pid, node.dataDir);
}
