// The devnet's own processes on the host: node processes (`fluxnode start`, detached, one per node)
// and the registry. Started in sessions of their own so a Ctrl-C at the terminal reaches only
// `devnet up`, which then stops them in order. Found again by pid (checked against the command line
// in case the pid was reused) or, after a crash lost a pid, by scanning /proc for command lines that
// name the devnet's folder.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type HostProcess,
  inNetns,
  listProcesses,
  processAlive,
  spawnDaemon,
  tailOf,
  terminateProcess,
} from './dockerd.ts';
import { abortableSleep, throwIfAborted } from './poll.ts';
import { DEFAULT_RPC_PORT } from './layout.ts';
import { NodeRpc, type RpcAuth } from './rpc-client.ts';
import type { DevnetState, NodeState } from './state.ts';

/** The CLI entry point the node processes run (`node src/cli/main.ts start …`). */
export const CLI_MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export interface NodeLaunch {
  node: NodeState;
  rpc: RpcAuth;
  /** host:port of the peers to connect to. */
  bootstrap: string[];
  mineTo?: string;
  mineIntervalMs?: number;
  /** A namespaced node's RPC is on its namespace's address: the host (this devnet's driver) may call it. */
  rpcAllowIp?: string;
}

export function nodeArgs(l: NodeLaunch): string[] {
  const n = l.node;
  const args = [
    CLI_MAIN,
    'start',
    '--network',
    'devnet',
    '--datadir',
    n.dataDir,
    '--host',
    n.host,
    '--p2p-port',
    String(n.p2pPort),
    '--api-port',
    String(n.apiPort),
    // RPC on the node's own loopback address: private to this machine, and no port clash between nodes.
    '--rpc-bind',
    n.host,
    '--rpc-port',
    String(rpcPortOf(n)),
  ];
  if (l.rpcAllowIp) args.push('--rpc-allow-ip', l.rpcAllowIp);
  for (const peer of l.bootstrap) args.push('--bootstrap', peer);
  if (n.dockerd.socketPath) args.push('--fluxnode', '--docker-socket', n.dockerd.socketPath);
  if (n.geolocation) args.push('--geolocation', n.geolocation);
  if (l.mineTo) args.push('--mine-to', l.mineTo);
  // Also without --mine-to: `setgenerate true ADDRESS` later mines at this pace.
  if (l.mineIntervalMs !== undefined) args.push('--mine-interval-ms', String(l.mineIntervalMs));
  return args;
}

/** Starts a node process detached, logging to its node.log; returns its pid. */
export function spawnNode(l: NodeLaunch): number {
  mkdirSync(l.node.dataDir, { recursive: true, mode: 0o700 });
  // Secrets stay out of the command line (devnet's wallet passphrase defaults to "devnet").
  const env = {
    ...process.env,
    FLUXNODE_WALLET_PASSPHRASE: process.env.FLUXNODE_WALLET_PASSPHRASE ?? 'devnet',
    FLUXNODE_RPC_USER: l.rpc.user,
    FLUXNODE_RPC_PASSWORD: l.rpc.password,
  };
  // A namespaced node runs in its node's network namespace, beside its engine.
  const [command, args] = inNetns(l.node.dockerd.netns, process.execPath, nodeArgs(l));
  const child = spawnDaemon(command, args, l.node.logFile, env);
  if (child.pid === undefined) throw new Error(`could not spawn the node process for ${l.node.name}`);
  return child.pid;
}

export function rpcOf(state: DevnetState, node: NodeState, timeoutMs?: number): NodeRpc {
  return new NodeRpc(`http://${node.host}:${rpcPortOf(node)}/`, state.rpc, timeoutMs);
}

/** The node's JSON-RPC port (state files written before RPC had a port of its own lack it). */
export function rpcPortOf(node: NodeState): number {
  return node.rpcPort ?? DEFAULT_RPC_PORT;
}

/** The node process died while we waited on it: carries the end of its log. */
export class NodeProcessError extends Error {
  readonly node: string;
  readonly logTail: string;
  constructor(node: string, detail: string, logTail: string) {
    super(`${node}: ${detail}${logTail ? `\n--- last lines of its log ---\n${logTail}` : ''}`);
    this.name = 'NodeProcessError';
    this.node = node;
    this.logTail = logTail;
  }
}

/** Waits until the node answers getblockcount; fails at once if its process exits. */
export async function waitForNodeApi(
  state: DevnetState,
  node: NodeState,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const rpc = rpcOf(state, node, 2_000);
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    throwIfAborted(opts.signal);
    if (node.pid === undefined || !processAlive(node.pid)) {
      throw new NodeProcessError(
        node.name,
        'the node process exited during startup',
        tailOf(node.logFile, 15),
      );
    }
    try {
      await rpc.call('getblockcount');
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new NodeProcessError(
        node.name,
        `its API did not answer within ${opts.timeoutMs / 1000} s (${last})`,
        tailOf(node.logFile, 15),
      );
    }
    await abortableSleep(100, opts.signal);
  }
}

/** True when `pid` is alive and is the node process of this data folder (not a reused pid). */
export function isNodeProcess(pid: number | undefined, dataDir: string): boolean {
  if (pid === undefined || !processAlive(pid)) return false;
  const argv = listProcesses().find((x) => x.pid === pid)?.argv ?? [];
  return argv.includes(CLI_MAIN) && argv.includes(dataDir);
}

/**
 * Processes of this devnet that are not part of a Docker engine: node processes (`… main.ts start
 * --datadir <dir>/…`), the registry (`docker-registry serve <dir>/…`) and prometheus
 * (`prometheus --config.file <dir>/…`). Never this process or
 * its ancestors (a `devnet down --dir <dir>` names the folder too).
 */
export function devnetProcesses(dir: string, kind: 'node' | 'registry' | 'any' = 'any'): HostProcess[] {
  const all = listProcesses();
  const exempt = ancestry(process.pid, all);
  return all.filter((p) => {
    if (exempt.has(p.pid) || !processAlive(p.pid)) return false;
    const exe = path.basename(p.argv[0] ?? '');
    const inDir = p.argv.some((a) => a.startsWith(`${dir}/`));
    if (!inDir) return false;
    if (exe === 'docker-registry' || exe === 'prometheus') return kind !== 'node';
    return kind !== 'registry' && p.argv.includes(CLI_MAIN) && p.argv.includes('start');
  });
}

function ancestry(pid: number, all: HostProcess[]): Set<number> {
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const out = new Set<number>();
  for (let at: number | undefined = pid; at !== undefined && at > 0 && !out.has(at); ) {
    out.add(at);
    at = byPid.get(at)?.ppid;
  }
  return out;
}

/** SIGTERM (a node stops cleanly, never mid-block), SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<void> {
  await terminateProcess(pid, graceMs);
}
