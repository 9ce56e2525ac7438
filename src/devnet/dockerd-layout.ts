// What a private dockerd is started with and what it hands back (DockerdOptions, Dockerd), and where
// it keeps everything on the host: the folders, sockets and files under its dir, its cgroup parent
// and its bridge, all derived from the options and checked here.

import path from 'node:path';
import { DaemonError } from './daemon-process.ts';

export interface DockerdOptions {
  /** Short name of the daemon (node id): letters, digits, `.`, `_`, `-`. Names its cgroup parent. */
  name: string;
  /** A folder for this daemon alone (e.g. `<nodeDir>/docker`); what it puts there is removed on stop. */
  dir: string;
  /** 1..254: selects bridge `fluxbr<i>` with subnet 198.18.<i>.0/24. Unique among running daemons. */
  bridgeIndex: number;
  /** Force a storage driver; by default overlay2, falling back to vfs when overlay2 cannot start. */
  storageDriver?: string;
  /** How long to wait for the API to answer (default 30 s). */
  startTimeoutMs?: number;
  /**
   * A network namespace (`ip netns add`) to run the daemon in, with its bridge: the node's own
   * network, as on a machine of its own.
   */
  netns?: string;
  /** Registries pulled from over plain HTTP though not on 127.x (the namespaced devnet's). */
  insecureRegistries?: string[];
}

export interface Dockerd {
  name: string;
  dir: string;
  socketPath: string;
  pid: number;
  storageDriver: string;
  bridge: { name: string; gateway: string; subnet: string };
  /** The cgroup (in every hierarchy) holding this daemon's containers. */
  cgroupParent: string;
  /** Removes every container, stops dockerd and its containerd, unmounts, deletes bridge and folder. */
  stop(): Promise<void>;
}

// Unix socket paths are limited to 107 bytes; containerd's socket is the deepest one we create.
const SOCKET_PATH_MAX = 107;
const CONTAINERD_SOCKET_SUFFIX = '/exec/containerd/containerd-debug.sock';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export interface Layout {
  name: string;
  dir: string;
  dataRoot: string;
  execRoot: string;
  pidFile: string;
  socketPath: string;
  configFile: string;
  logFile: string;
  cgroupParent: string;
  bridge: { name: string; gateway: string; subnet: string; cidr: string };
}

export function layoutOf(opts: DockerdOptions): Layout {
  if (!NAME_PATTERN.test(opts.name)) {
    throw new DaemonError('dockerd', `name ${JSON.stringify(opts.name)} must match ${NAME_PATTERN}`);
  }
  if (!Number.isInteger(opts.bridgeIndex) || opts.bridgeIndex < 1 || opts.bridgeIndex > 254) {
    throw new DaemonError('dockerd', `bridgeIndex ${opts.bridgeIndex} must be an integer in 1..254`);
  }
  const dir = path.resolve(opts.dir);
  if (Buffer.byteLength(dir + CONTAINERD_SOCKET_SUFFIX) > SOCKET_PATH_MAX) {
    throw new DaemonError(
      'dockerd',
      `dir ${dir} is too long: unix socket paths inside it would exceed ${SOCKET_PATH_MAX} bytes`,
    );
  }
  const i = opts.bridgeIndex;
  return {
    name: opts.name,
    dir,
    dataRoot: path.join(dir, 'data'),
    execRoot: path.join(dir, 'exec'),
    pidFile: path.join(dir, 'dockerd.pid'),
    socketPath: path.join(dir, 'docker.sock'),
    configFile: path.join(dir, 'daemon.json'),
    logFile: path.join(dir, 'dockerd.log'),
    // The bridge index is part of it: bridges are unique among running daemons (checked at start), so
    // two daemons given the same name still never share, and never reap, each other's cgroup.
    cgroupParent: `fluxnode${i}-${opts.name}`,
    bridge: {
      name: `fluxbr${i}`,
      gateway: `198.18.${i}.1`,
      subnet: `198.18.${i}.0/24`,
      cidr: `198.18.${i}.1/24`,
    },
  };
}
