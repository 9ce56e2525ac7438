// One private Docker engine per devnet node.
//
// Every node of a local devnet gets its own dockerd with its own data-root, exec-root (and so its own
// managed containerd), pidfile, unix socket and bridge, so that stopping a node stops exactly its
// containers and nothing else. The recipe below was pinned down by experiment on Debian 12
// (docker.io 20.10, containerd 1.6, running as root without systemd):
//
// - Storage: overlay2 works on an ext4 host; on hosts where it cannot (overlay on overlay, old
//   kernels) dockerd refuses to start and we retry once with vfs, which works anywhere (it copies
//   layers instead of stacking them, fine for small app images).
// - Bridge: dockerd only ever creates the bridge named docker0 itself; any other name given with
//   --bridge must already exist, and --bip cannot be combined with --bridge. Two daemons sharing
//   docker0 would fight over it, so we create one bridge per daemon (fluxbr<i>, 198.18.<i>.1/24 —
//   198.18.0.0/15 is the RFC 2544 benchmarking range, unlikely to collide with a real network).
// - Isolation flags (dockerd-isolation.ts): every daemon remaps user namespaces, so a container's
//   root is an unprivileged host uid. iptables is on only for a daemon in a network namespace of its
//   own (`netns`). Sharing the host's, it runs with --iptables=false, --ip-masq=false and
//   --ip-forward=false: Docker's iptables chains are global to a namespace, and several daemons
//   rewriting them at once (each flushes and re-creates its rules at start) corrupt each other's
//   state. Without iptables, published ports are served by docker-proxy (the userland proxy): it
//   listens on HostIp:HostPort in the host and forwards to the container over the bridge, so
//   `-p 127.0.0.11:31000:80` answers from the host. The host's sysctls stay as they were. The price:
//   containers get no NAT to the outside world, which devnet apps do not need, and nothing filters
//   traffic between app networks beyond the host's own forwarding setting.
// - --cgroup-parent=/fluxnode-<name>: containers land in a cgroup of their own per daemon, which
//   lets cleanup find and kill every container process even when dockerd itself has crashed
//   (containerd shims are reparented to init and outlive a killed dockerd).
// - --config-file: a private daemon.json (the pool app networks come from, trusted registries) so
//   that a host's /etc/docker/daemon.json cannot add settings (a TCP host, another data-root).
//
// Measured here: dockerd answers _ping about 0.2 s after spawn; a graceful stop after removing the
// containers takes well under a second.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import {
  DaemonError,
  descendantsOf,
  errorText,
  inNetns,
  killQuietly,
  listProcesses,
  mountsUnder,
  pidFromFile,
  processAlive,
  removeIfEmpty,
  requireRoot,
  requireTool,
  spawnDaemon,
  terminateProcess,
  waitForExit,
  waitUntilReady,
} from './daemon-process.ts';
import { cgroupDirs, cgroupProcesses, removeCgroupTree } from './dockerd-cgroups.ts';
import { allowRemappedTraversal, isolationArgs, remappedExecRoots } from './dockerd-isolation.ts';
import { type Dockerd, type DockerdOptions, type Layout, layoutOf } from './dockerd-layout.ts';

export type { Dockerd, DockerdOptions } from './dockerd-layout.ts';

// The general process helpers moved to daemon-process.ts; importers still find them here.
export {
  DaemonError,
  findTool,
  type HostProcess,
  HostToolMissingError,
  inNetns,
  killQuietly,
  listProcesses,
  loopDevicesUnder,
  mountsUnder,
  processAlive,
  removeIfEmpty,
  requireRoot,
  requireTool,
  sleep,
  spawnDaemon,
  tailOf,
  terminateProcess,
  waitForExit,
  waitUntilReady,
} from './daemon-process.ts';

const execFileAsync = promisify(execFile);

// Processes a dockerd can leave behind; only these are ever killed by cleanup.
const DOCKER_PROCESS_NAMES = new Set([
  'dockerd',
  'containerd',
  'containerd-shim',
  'containerd-shim-runc-v1',
  'containerd-shim-runc-v2',
  'docker-proxy',
  'runc',
]);

/**
 * The daemon's private config. Apps get a network each (fluxnet_<app>); the engine's default pools
 * (172.17.0.0/16 …) would hand every daemon on the host the same subnets, and two bridges with one
 * subnet break routing between the host and both. So each daemon draws /28s from a /24 of its own,
 * 198.19.<i>.0/24 (still RFC 2544): 16 app networks of 13 containers per devnet node.
 */
export function daemonConfig(l: Pick<Layout, 'bridge'>): Record<string, unknown> {
  const i = l.bridge.gateway.split('.')[2];
  return { 'default-address-pools': [{ base: `198.19.${i}.0/24`, size: 28 }] };
}

/** Host bridges (`br-…`) carrying an address from the daemon's app network pool. */
async function appBridges(l: Pick<Layout, 'bridge'>): Promise<string[]> {
  const pool = daemonConfig(l)['default-address-pools'] as { base: string }[];
  const prefix = pool[0]?.base.replace(/0\/24$/, '') ?? '';
  const { stdout } = await execFileAsync(requireTool('ip'), ['-o', '-4', 'addr', 'show']).catch(() => ({
    stdout: '',
  }));
  const out = new Set<string>();
  for (const line of String(stdout).split('\n')) {
    const [, bridge, address] = /^\d+:\s+(br-[0-9a-f]+)\s+inet\s+(\S+)/.exec(line) ?? [];
    if (bridge && address?.startsWith(prefix)) out.add(bridge);
  }
  return [...out];
}

function daemonArgs(
  l: Layout,
  storageDriver: string,
  dockerProxy: string,
  netns: string | undefined,
): string[] {
  return [
    `--config-file=${l.configFile}`,
    `--data-root=${l.dataRoot}`,
    `--exec-root=${l.execRoot}`,
    `--pidfile=${l.pidFile}`,
    `--host=unix://${l.socketPath}`,
    `--storage-driver=${storageDriver}`,
    `--bridge=${l.bridge.name}`,
    ...isolationArgs({ netns }),
    '--userland-proxy=true',
    `--userland-proxy-path=${dockerProxy}`,
    `--cgroup-parent=/${l.cgroupParent}`,
    '--exec-opt=native.cgroupdriver=cgroupfs',
    '--live-restore=false',
    // At its own shutdown dockerd waits this long for containers without a StopTimeout of their
    // own. stop() removes all containers before shutting dockerd down, so this is a backstop.
    '--shutdown-timeout=5',
    '--log-level=warn',
  ];
}

/** Starts a private dockerd and waits until its API answers. */
export async function startDockerd(opts: DockerdOptions): Promise<Dockerd> {
  const l = layoutOf(opts);
  requireRoot('dockerd');
  const dockerd = requireTool('dockerd');
  for (const tool of ['containerd', 'runc', 'ip', 'umount']) requireTool(tool);
  const dockerProxy = requireTool('docker-proxy');

  const running = pidFromFile(l.pidFile);
  if (running !== undefined && processAlive(running)) {
    throw new DaemonError('dockerd', `a dockerd (pid ${running}) already runs in ${l.dir}; stop it first`);
  }
  const owner = bridgeUser(l.bridge.name, l.dir);
  if (owner !== undefined) {
    throw new DaemonError(
      'dockerd',
      `bridge ${l.bridge.name} is in use by dockerd pid ${owner}; pick another bridgeIndex`,
    );
  }
  // Whatever a crashed run left in this folder (mounts, shims, the bridge) goes first.
  await reapDockerd(opts);

  const drivers = opts.storageDriver ? [opts.storageDriver] : ['overlay2', 'vfs'];
  let failure: unknown;
  for (const driver of drivers) {
    try {
      return await launch(opts, l, dockerd, dockerProxy, driver, opts.startTimeoutMs ?? 30_000);
    } catch (err) {
      failure = err;
      await reapDockerd(opts).catch(() => {});
      const storageTrouble =
        err instanceof DaemonError && /graphdriver|storage.driver|overlay/i.test(err.logTail);
      if (!storageTrouble) break;
    }
  }
  throw failure;
}

async function launch(
  opts: DockerdOptions,
  l: Layout,
  dockerd: string,
  dockerProxy: string,
  storageDriver: string,
  timeoutMs: number,
): Promise<Dockerd> {
  await mkdir(l.dataRoot, { recursive: true, mode: 0o700 });
  await mkdir(l.execRoot, { recursive: true, mode: 0o700 });
  await allowRemappedTraversal(l.dataRoot);
  const config = {
    ...daemonConfig(l),
    ...(opts.insecureRegistries ? { 'insecure-registries': opts.insecureRegistries } : {}),
  };
  await writeFile(l.configFile, `${JSON.stringify(config)}\n`);
  await createBridge(l.bridge, opts.netns);

  const [command, args] = inNetns(opts.netns, dockerd, daemonArgs(l, storageDriver, dockerProxy, opts.netns));
  const child = spawnDaemon(command, args, l.logFile);
  const label = `dockerd ${l.name}`;
  await waitUntilReady(label, child, l.logFile, timeoutMs, () => pingSocket(l.socketPath));
  const pid = child.pid!;

  const info = await new Docker({ socketPath: l.socketPath }).info();
  let stopping: Promise<void> | undefined;
  return {
    name: l.name,
    dir: l.dir,
    socketPath: l.socketPath,
    pid,
    storageDriver: String(info.Driver),
    bridge: { name: l.bridge.name, gateway: l.bridge.gateway, subnet: l.bridge.subnet },
    cgroupParent: l.cgroupParent,
    stop() {
      stopping ??= stopDockerd(opts, l, pid);
      return stopping;
    },
  };
}

async function stopDockerd(opts: DockerdOptions, l: Layout, pid: number): Promise<void> {
  // Removing containers through the API first lets containerd tear down shims, netns and overlay
  // mounts in order; dockerd's own shutdown would wait for every container's stop timeout.
  await removeAllContainers(l.socketPath).catch(() => {});
  // App networks next: dockerd keeps them (and their host bridges) across restarts otherwise.
  await new Docker({ socketPath: l.socketPath, timeout: 10_000 }).pruneNetworks().catch(() => {});
  const children = descendantsOf(pid);
  await terminateProcess(pid, 10_000);
  for (const child of children) killQuietly(child, 'SIGKILL');
  await reapDockerd(opts);
}

async function removeAllContainers(socketPath: string): Promise<void> {
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

/**
 * Removes everything a dockerd started with these options may have left on the host, whether it
 * stopped cleanly or crashed: its processes (dockerd, containerd, shims, container processes),
 * mounts under its folder, its cgroups, its bridge and the folder itself. Safe to call any time the
 * daemon is not meant to run; throws a DaemonError listing anything it could not remove.
 */
export async function reapDockerd(opts: DockerdOptions): Promise<void> {
  const l = layoutOf(opts);
  const problems: string[] = [];

  const victims = new Set<number>();
  for (const p of listProcesses()) {
    const exe = path.basename(p.argv[0] ?? '');
    if (DOCKER_PROCESS_NAMES.has(exe) && p.argv.some((a) => refersTo(a, l.dir))) victims.add(p.pid);
  }
  const cgroups = cgroupDirs(l.cgroupParent);
  for (const pid of cgroupProcesses(cgroups)) victims.add(pid);
  victims.delete(process.pid);
  for (const pid of victims) killQuietly(pid, 'SIGKILL');
  for (const pid of victims) {
    if (!(await waitForExit(pid, 5_000))) problems.push(`process ${pid} survived SIGKILL`);
  }

  // Only mounts inside the folders dockerd was given: the caller's folder may itself be a mount point.
  const execRoots = [l.execRoot, ...remappedExecRoots(l.execRoot)];
  const ownMounts = () => [...mountsUnder(l.dataRoot), ...execRoots.flatMap((dir) => mountsUnder(dir))];
  for (const mount of ownMounts()) {
    try {
      await execFileAsync(requireTool('umount'), ['--lazy', mount]);
    } catch (err) {
      problems.push(`umount ${mount}: ${errorText(err)}`);
    }
  }

  for (const dir of cgroups) {
    const leftover = await removeCgroupTree(dir);
    if (leftover) problems.push(`cgroup ${leftover} could not be removed`);
  }

  if (opts.netns) {
    // The bridge lives in the node's namespace: removed here, or with the namespace at teardown.
    if (existsSync(`/run/netns/${opts.netns}`)) {
      await execFileAsync(requireTool('ip'), ['-n', opts.netns, 'link', 'delete', l.bridge.name]).catch(
        () => {},
      );
    }
  } else if (existsSync(`/sys/class/net/${l.bridge.name}`)) {
    const owner = bridgeUser(l.bridge.name, l.dir);
    if (owner !== undefined) {
      problems.push(`bridge ${l.bridge.name} is used by another dockerd (pid ${owner}); left in place`);
    } else {
      try {
        await execFileAsync(requireTool('ip'), ['link', 'delete', l.bridge.name]);
      } catch (err) {
        problems.push(`ip link delete ${l.bridge.name}: ${errorText(err)}`);
      }
    }
  }

  // Bridges of app networks a crashed daemon left on the host: those with an address in its pool.
  for (const bridge of opts.netns ? [] : await appBridges(l)) {
    await execFileAsync(requireTool('ip'), ['link', 'delete', bridge]).catch((err) =>
      problems.push(`ip link delete ${bridge}: ${errorText(err)}`),
    );
  }

  if (ownMounts().length === 0) {
    // Only what startDockerd creates: a caller's own files in the folder are never touched.
    for (const own of [l.dataRoot, ...execRoots, l.pidFile, l.socketPath, l.configFile, l.logFile]) {
      await rm(own, { recursive: true, force: true }).catch((err) => problems.push(`rm ${own}: ${err}`));
    }
    await removeIfEmpty(l.dir);
  } else {
    problems.push(`mounts remain under ${l.dir}; its files are kept`);
  }
  if (problems.length > 0)
    throw new DaemonError(`dockerd ${l.name}`, `cleanup incomplete: ${problems.join('; ')}`);
}

async function createBridge(bridge: Layout['bridge'], netns: string | undefined): Promise<void> {
  const ipTool = requireTool('ip');
  // In a namespace of its own the bridge cannot clash with the host's (reapDockerd removed a stale one).
  const ip = (args: string[]) => execFileAsync(ipTool, netns ? ['-n', netns, ...args] : args);
  if (!netns && existsSync(`/sys/class/net/${bridge.name}`)) {
    const owner = bridgeUser(bridge.name, '');
    throw new DaemonError(
      'dockerd',
      owner === undefined
        ? `bridge ${bridge.name} already exists; delete it (ip link delete ${bridge.name}) or pick another bridgeIndex`
        : `bridge ${bridge.name} is in use by dockerd pid ${owner}; pick another bridgeIndex`,
    );
  }
  try {
    await ip(['link', 'add', 'name', bridge.name, 'type', 'bridge']);
    await ip(['addr', 'add', bridge.cidr, 'dev', bridge.name]);
    await ip(['link', 'set', bridge.name, 'up']);
  } catch (err) {
    await ip(['link', 'delete', bridge.name]).catch(() => {});
    throw new DaemonError(
      'dockerd',
      `could not create bridge ${bridge.name} (${bridge.cidr}): ${errorText(err)}`,
    );
  }
}

/** The pid of a live dockerd (other than one running in `exceptDir`) configured with this bridge. */
function bridgeUser(bridge: string, exceptDir: string): number | undefined {
  for (const p of listProcesses()) {
    if (path.basename(p.argv[0] ?? '') !== 'dockerd') continue;
    if (!p.argv.includes(`--bridge=${bridge}`)) continue;
    if (exceptDir && p.argv.some((a) => refersTo(a, exceptDir))) continue;
    if (processAlive(p.pid)) return p.pid;
  }
  return undefined;
}

function refersTo(arg: string, dir: string): boolean {
  const at = arg.indexOf(dir);
  if (at < 0) return false;
  const next = arg[at + dir.length];
  return next === undefined || next === '/';
}

function pingSocket(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
