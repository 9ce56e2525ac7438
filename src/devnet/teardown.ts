// Removes a devnet completely: node processes, every Docker engine with its containers, mounts,
// cgroups and bridge, the registry, prometheus, and finally the folder. Driven by the state file but never
// trusting it alone: processes whose pid was not recorded yet (a Ctrl-C between spawn and the next
// state write) are found by their command lines, engines by their folders (reapDockerd).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import {
  listProcesses,
  loopDevicesUnder,
  mountsUnder,
  processAlive,
  reapDockerd,
  requireTool,
  terminateProcess,
} from './dockerd.ts';
import { devnetProcesses, isNodeProcess, stopProcess } from './host-process.ts';
import { stopMonitor } from './monitor.ts';
import { removeDevnetNamespaces } from './netns.ts';
import { type DevnetState, type NodeState, writeState } from './state.ts';

const execFileAsync = promisify(execFile);

export interface TeardownReport {
  /** What was stopped, e.g. `node node2 (pid 1234)`. */
  stopped: string[];
  /** What could not be removed; empty when nothing is left behind. */
  problems: string[];
  /** The devnet folder is gone. */
  removed: boolean;
}

export interface TeardownOptions {
  /** Remove the folder at the end (default true). */
  removeFolder?: boolean;
  log?: (line: string) => void;
}

/** Stops and removes everything the devnet in `state` made. Safe to run any number of times. */
export async function teardownDevnet(
  state: DevnetState,
  opts: TeardownOptions = {},
): Promise<TeardownReport> {
  const report: TeardownReport = { stopped: [], problems: [], removed: false };
  const log = opts.log ?? (() => {});
  const dir = path.resolve(state.dir);
  if (existsSync(dir)) {
    state.phase = 'stopping';
    try {
      writeState(state);
    } catch {
      // A read-only or half-removed folder must not stop the cleanup.
    }
  }

  // Nodes first: their cloud agents would otherwise restart the containers we remove next.
  await Promise.all(state.nodes.map((n) => stopNodeProcess(n, report, log)));
  for (const p of devnetProcesses(dir, 'node')) {
    log(`stopping leftover process ${p.pid} (${path.basename(p.argv[1] ?? p.argv[0] ?? '')})`);
    await terminateProcess(p.pid, 10_000);
    report.stopped.push(`process ${p.pid}`);
  }

  await Promise.all(state.nodes.map((n) => stopEngine(n, report, log)));
  await stopRegistry(state, report, log);
  const monitor = await stopMonitor(state, log);
  if (monitor !== null) report.stopped.push(monitor);
  // A registry or node started by a step that was interrupted before its pid was recorded.
  for (const p of devnetProcesses(dir)) {
    await terminateProcess(p.pid, 5_000);
    report.stopped.push(`process ${p.pid}`);
  }
  for (const p of devnetProcesses(dir)) report.problems.push(`process ${p.pid} survived SIGKILL`);

  if (state.netns) {
    // Nothing runs in them any more: the namespaces, their veths and the host bridge go.
    const left = await removeDevnetNamespaces(
      state.netns,
      state.nodes.map((n) => n.host),
    );
    report.problems.push(...left);
    if (left.length === 0) report.stopped.push(`network namespaces and bridge ${state.netns.bridge}`);
  }

  for (const mount of mountsUnder(dir)) {
    try {
      await execFileAsync(requireTool('umount'), ['--lazy', mount]);
    } catch (err) {
      report.problems.push(`umount ${mount}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  // App data volumes: their unmount frees the loop device (autoclear); one still held is detached.
  for (const dev of loopDevicesUnder(dir)) {
    try {
      await execFileAsync(requireTool('losetup'), ['-d', dev]);
      report.stopped.push(`loop device ${dev}`);
    } catch (err) {
      report.problems.push(`losetup -d ${dev}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  if (opts.removeFolder ?? true) {
    if (mountsUnder(dir).length > 0) {
      report.problems.push(`mounts remain under ${dir}; the folder is kept`);
    } else {
      try {
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        report.removed = !existsSync(dir);
      } catch (err) {
        report.problems.push(`rm ${dir}: ${(err as Error).message}`);
      }
    }
  }
  return report;
}

/** Stops a node process cleanly (SIGTERM, SIGKILL after 15 s) when it is running. */
export async function stopNodeProcess(
  n: NodeState,
  report: TeardownReport,
  log: (l: string) => void,
): Promise<void> {
  if (!isNodeProcess(n.pid, n.dataDir)) return;
  log(`stopping ${n.name} (pid ${n.pid})`);
  await stopProcess(n.pid!, 15_000);
  report.stopped.push(`node ${n.name} (pid ${n.pid})`);
}

/** Stops a node's Docker engine (containers first) and reaps whatever it leaves, even when it is dead. */
export async function stopEngine(
  n: NodeState,
  report: TeardownReport,
  log: (l: string) => void,
): Promise<void> {
  const d = n.dockerd;
  const pid = d.pid;
  const alive = pid !== undefined && isDockerdOf(pid, d.dir);
  if (alive) {
    log(`stopping the Docker engine of ${n.name} (pid ${pid})`);
    // Containers removed through the API first, so containerd unwinds mounts and network namespaces
    // in order; what a dead or hung engine leaves is reaped below either way.
    if (d.socketPath) await removeContainers(d.socketPath).catch(() => {});
    await terminateProcess(pid!, 10_000);
    report.stopped.push(`dockerd ${n.name} (pid ${pid})`);
  }
  try {
    await reapDockerd({ name: d.name, dir: d.dir, bridgeIndex: d.bridgeIndex, netns: d.netns });
  } catch (err) {
    report.problems.push((err as Error).message);
  }
}

function isDockerdOf(pid: number, dir: string): boolean {
  if (!processAlive(pid)) return false;
  const p = listProcesses().find((x) => x.pid === pid);
  return (
    p !== undefined &&
    path.basename(p.argv[0] ?? '') === 'dockerd' &&
    p.argv.some((a) => a.includes(`=${dir}/`) || a.includes(`unix://${dir}/`))
  );
}

async function removeContainers(socketPath: string): Promise<void> {
  const docker = new Docker({ socketPath, timeout: 10_000 });
  const all = await docker.listContainers({ all: true });
  await Promise.all(
    all.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
}

async function stopRegistry(
  state: DevnetState,
  report: TeardownReport,
  log: (l: string) => void,
): Promise<void> {
  const pid = state.registry.pid;
  if (pid === undefined || !processAlive(pid)) return;
  const p = listProcesses().find((x) => x.pid === pid);
  const ours =
    p !== undefined &&
    path.basename(p.argv[0] ?? '') === 'docker-registry' &&
    p.argv.some((a) => a.startsWith(`${path.resolve(state.registry.dir)}/`));
  if (!ours) return;
  log(`stopping the registry (pid ${pid})`);
  await terminateProcess(pid, 5_000);
  report.stopped.push(`registry (pid ${pid})`);
}
