// The runtime's own small view of an app: only what it takes to run a component. The cloud/spec
// module owns the full, validated app spec and maps it onto these shapes.

/** One component of an app spec, as far as running it is concerned. */
export interface RuntimeComponent {
  /** Component name; with the app name it forms the container name `flux<component>_<app>`. */
  name: string;
  /** Image reference, including the registry it is pulled from (e.g. `127.0.0.1:5000/flux/hello:1`). */
  image: string;
  /** Host ports, published on the node's address; `ports[i]` forwards to `containerPorts[i]`. */
  ports: number[];
  containerPorts: number[];
  /** `KEY=value` entries. */
  env: string[];
  /** Replaces the image's CMD when not empty. */
  commands: string[];
  /** Absolute path in the container where the node's app-data folder is mounted; '' for none. */
  containerData: string;
  /** CPU cores (fractions allowed). */
  cpu: number;
  /** Memory limit in MB. */
  ram: number;
  /**
   * Disk in GB: the size of the data folder's volume (data-volume.ts), where the host can mount one.
   * The root filesystem is read-only and /tmp a small tmpfs, so the data folder is where writes go.
   */
  hdd: number;
  /** The spec's writableRootFilesystem: the root filesystem is writable (read-only otherwise). */
  writableRoot?: boolean;
}

/** The app a component belongs to. */
export interface RuntimeApp {
  name: string;
  /** Hash of the registered spec, so the reconciler can tell an outdated container from a current one. */
  specHash: string;
}

/** Where this runtime's containers live: fixed for one node. */
export interface NodePlacement {
  /** This node's identity, stored in the `flux.node` label and given to containers as FLUX_NODE. */
  nodeId: string;
  /** The node's IPv4 address: published ports listen only there. */
  hostIp: string;
  /** The node's folder; app data goes to `<nodeDir>/appdata/<app>/<component>`. */
  nodeDir: string;
  /**
   * The node's routing mesh owns the public TCP ports: containers publish TCP at the instance port
   * (public + 10,000) instead. Without a mesh, every port is published as the spec says.
   */
  mesh?: boolean;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** A container carrying our labels, as listed by the engine. */
export interface ManagedContainer {
  id: string;
  name: string;
  app: string;
  component: string;
  specHash: string;
  node: string;
  image: string;
  state: ContainerState;
  /** The engine's human status, e.g. `Up 3 seconds` or `Exited (137) 2 seconds ago`. */
  status: string;
  /** Creation time, ms since the epoch. */
  created: number;
  /** Whether its data folder is a volume of its `hdd` size; absent for a component without data. */
  hddEnforced?: boolean;
  /** Its address on the app's own network (while it has one): the routing mesh reaches it there. */
  ip?: string;
}

/** A lifecycle event of one of our containers (create, start, die, stop, kill, restart, destroy, oom, …). */
export interface ContainerEvent {
  action: string;
  id: string;
  name: string;
  app: string;
  component: string;
  specHash: string;
  node: string;
  /** ms since the epoch. */
  time: number;
  /** Present on `die` events. */
  exitCode?: number;
}

/** One line a container wrote, with the engine's time of it (ms since the epoch). */
export interface LogLine {
  time: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** A running container's use of the machine, one sample. */
export interface ContainerUsage {
  memoryBytes: number;
  memoryLimitBytes: number;
  /** CPU time used since it started. */
  cpuSeconds: number;
}

/** The part of the engine's stats document read here. */
export interface EngineStats {
  memory_stats?: { usage?: number; limit?: number };
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
}
