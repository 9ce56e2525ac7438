// Turns a component and the node's placement into the engine's container-create request. Pure: it
// validates everything first, so a bad component never reaches the engine.

import { isIPv4 } from 'node:net';
import path from 'node:path';
import type Docker from 'dockerode';
import { splitContainerData } from '../spec/data-mode.ts';
import { INSTANCE_PORT_OFFSET, instancePort } from '../mesh/ports.ts';
import { RuntimeInputError } from './errors.ts';
import {
  appNetworkName,
  containerName,
  LABEL_APP,
  LABEL_COMPONENT,
  LABEL_HDD,
  LABEL_NODE,
  LABEL_SPEC_HASH,
} from './labels.ts';
import type { NodePlacement, RuntimeApp, RuntimeComponent } from './types.ts';

export interface ContainerLimits {
  /** Most processes/threads a container may have (fork bombs stop there). */
  pidsLimit: number;
  /** Capabilities given back after dropping all: empty by default, at most NET_BIND_SERVICE (see below). */
  capAdd: string[];
  /** Seconds between SIGTERM and SIGKILL when the container is stopped. */
  stopTimeoutSec: number;
}

// Docker ≥ 20.10 sets net.ipv4.ip_unprivileged_port_start=0 inside each container's network
// namespace, so an app binds ports below 1024 (httpd on 80) with every capability dropped:
// NET_BIND_SERVICE is not needed, and nothing is added back unless a node operator asks. It is the
// only capability an operator may add: Kubernetes' "restricted" pod security allows no other.
export const ALLOWED_CAP_ADD: readonly string[] = ['NET_BIND_SERVICE'];

/**
 * Writable places of a container whose root filesystem is read-only: memory-backed, sized, wiped
 * at every start. Persistent data goes to the component's containerData mount.
 */
export const TMPFS: Readonly<Record<string, string>> = {
  '/tmp': 'rw,nosuid,nodev,size=64m',
  '/run': 'rw,nosuid,nodev,size=8m',
};

export const DEFAULT_LIMITS: ContainerLimits = { pidsLimit: 256, capAdd: [], stopTimeoutSec: 10 };

export interface ContainerPlan {
  name: string;
  /** Host folder bind-mounted at the component's containerData ('' when it has none). */
  hostDataDir: string;
  options: Docker.ContainerCreateOptions;
}

const NAME_RE = /^[A-Za-z0-9]{1,63}$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CAP_RE = /^[A-Z_]+$/;
const MB = 1024 * 1024;

export function planContainer(
  app: RuntimeApp,
  component: RuntimeComponent,
  node: NodePlacement,
  limits: ContainerLimits = DEFAULT_LIMITS,
): ContainerPlan {
  check('app.name', app.name, NAME_RE.test(app.name), 'must be 1..63 letters or digits');
  check(
    'app.specHash',
    app.specHash,
    typeof app.specHash === 'string' && app.specHash.length > 0 && app.specHash.length <= 256,
    'must be a non-empty string',
  );
  check('component.name', component.name, NAME_RE.test(component.name), 'must be 1..63 letters or digits');
  check(
    'component.image',
    component.image,
    typeof component.image === 'string' && /^[^\s]+$/.test(component.image),
    'must be an image reference without spaces',
  );
  check(
    'node.nodeId',
    node.nodeId,
    typeof node.nodeId === 'string' && node.nodeId.length > 0,
    'must be non-empty',
  );
  check('node.hostIp', node.hostIp, isIPv4(node.hostIp), 'must be an IPv4 address');
  check('node.nodeDir', node.nodeDir, path.isAbsolute(node.nodeDir), 'must be an absolute path');

  check(
    'component.containerPorts',
    component.containerPorts,
    component.containerPorts.length === component.ports.length,
    `must have as many entries as ports (${component.ports.length})`,
  );
  component.ports.forEach((p, i) => {
    checkPort(`component.ports[${i}]`, p);
    if (node.mesh)
      check(
        `component.ports[${i}]`,
        p,
        p + INSTANCE_PORT_OFFSET <= 65535,
        `must be ≤ ${65535 - INSTANCE_PORT_OFFSET} behind the routing mesh (its instance port is ${INSTANCE_PORT_OFFSET} above)`,
      );
  });
  component.containerPorts.forEach((p, i) => {
    checkPort(`component.containerPorts[${i}]`, p);
  });
  check(
    'component.ports',
    component.ports,
    new Set(component.ports).size === component.ports.length,
    'must not repeat a port',
  );
  component.env.forEach((e, i) => {
    const eq = typeof e === 'string' ? e.indexOf('=') : -1;
    check(`component.env[${i}]`, e, eq > 0 && ENV_KEY_RE.test(e.slice(0, eq)), 'must be KEY=value');
  });
  component.commands.forEach((c, i) => {
    check(`component.commands[${i}]`, c, typeof c === 'string', 'must be a string');
  });
  check(
    'component.cpu',
    component.cpu,
    Number.isFinite(component.cpu) && component.cpu > 0 && Math.round(component.cpu * 1e9) >= 1e7,
    'must be at least 0.01 cores',
  );
  check(
    'component.ram',
    component.ram,
    Number.isInteger(component.ram) && component.ram >= 6,
    'must be a whole number of MB, at least 6 (the engine minimum)',
  );
  check(
    'component.hdd',
    component.hdd,
    Number.isFinite(component.hdd) && component.hdd >= 0,
    'must be a number of GB ≥ 0',
  );
  check(
    'limits.pidsLimit',
    limits.pidsLimit,
    Number.isInteger(limits.pidsLimit) && limits.pidsLimit > 0,
    'must be > 0',
  );
  limits.capAdd.forEach((c, i) => {
    check(
      `limits.capAdd[${i}]`,
      c,
      CAP_RE.test(c) && ALLOWED_CAP_ADD.includes(c),
      `may only be ${ALLOWED_CAP_ADD.join(', ')} (every other capability stays dropped)`,
    );
  });

  const containerData = dataPath(component.containerData);
  const hostDataDir = containerData ? appDataDir(node.nodeDir, app.name, component.name) : '';

  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  component.ports.forEach((hostPort, i) => {
    // Flux publishes each port for both protocols; apps choose which one they use. Behind the
    // routing mesh, HAProxy holds the public TCP port and the container's TCP port is published at
    // the instance port (cloud/mesh/ports.ts); UDP, which the mesh does not carry, stays public.
    for (const proto of ['tcp', 'udp']) {
      const key = `${component.containerPorts[i]}/${proto}`;
      const published = node.mesh && proto === 'tcp' ? instancePort(hostPort) : hostPort;
      exposed[key] = {};
      bindings[key] = [{ HostIp: node.hostIp, HostPort: String(published) }];
    }
  });

  const name = containerName(app.name, component.name);
  const memory = component.ram * MB;
  return {
    name,
    hostDataDir,
    options: {
      name,
      Image: component.image,
      Cmd: component.commands.length > 0 ? [...component.commands] : undefined,
      // The app learns where it runs; its own env comes last so a spec can still override these.
      Env: [
        `FLUX_NODE=${node.nodeId}`,
        `FLUX_APP=${app.name}`,
        `FLUX_COMPONENT=${component.name}`,
        ...component.env,
      ],
      Labels: {
        [LABEL_APP]: app.name,
        [LABEL_COMPONENT]: component.name,
        [LABEL_SPEC_HASH]: app.specHash,
        [LABEL_NODE]: node.nodeId,
        [LABEL_HDD]: String(component.hdd),
      },
      ExposedPorts: exposed,
      StopTimeout: limits.stopTimeoutSec,
      HostConfig: {
        NanoCpus: Math.round(component.cpu * 1e9),
        Memory: memory,
        // Equal to Memory: no swap on top of the RAM the spec paid for.
        MemorySwap: memory,
        PidsLimit: limits.pidsLimit,
        Privileged: false,
        CapDrop: ['ALL'],
        CapAdd: [...limits.capAdd],
        SecurityOpt: ['no-new-privileges:true'],
        // Nothing of the image can be changed at run time; tmpfs and the data mount take the writes.
        // Only a spec asking for it (writableRootFilesystem) gets a writable root.
        ReadonlyRootfs: component.writableRoot !== true,
        Tmpfs: Object.fromEntries(Object.entries(TMPFS).filter(([at]) => at !== containerData)),
        // The app's own network (never the host network, never the Docker socket): its components
        // reach each other by container name, other apps' containers are elsewhere.
        NetworkMode: appNetworkName(app.name),
        PortBindings: bindings,
        // The reconciler decides about restarts; the engine restarting on its own would race it.
        RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
        // A tiny init (docker-init) as PID 1 forwards SIGTERM and reaps zombies, so apps that
        // ignore signals as PID 1 (busybox httpd does) still stop promptly.
        Init: true,
        Mounts: containerData
          ? [{ Type: 'bind', Source: hostDataDir, Target: containerData, ReadOnly: false }]
          : [],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      },
    },
  };
}

/** The host folder of a component's data on a node (also the Syncthing folder of cloud/appdata). */
export function appDataDir(nodeDir: string, app: string, component: string): string {
  return path.join(nodeDir, 'appdata', app, component);
}

/**
 * The mount target from a spec's containerData. The mode prefix (`s:`, `r:`, `g:`, spec/data-mode.ts)
 * concerns replication between nodes (cloud/appdata), not the mount itself; it is dropped here.
 */
export function dataPath(containerData: string): string {
  const raw = containerData.trim();
  if (raw === '') return '';
  const target = splitContainerData(raw).path;
  check(
    'component.containerData',
    containerData,
    path.posix.isAbsolute(target) && path.posix.normalize(target) === target && target !== '/',
    'must be an absolute, normalized path other than /',
  );
  return target;
}

function checkPort(field: string, port: number): void {
  check(field, port, Number.isInteger(port) && port >= 1 && port <= 65535, 'must be an integer in 1..65535');
}

function check(field: string, value: unknown, ok: boolean, rule: string): void {
  if (!ok) throw new RuntimeInputError(field, value, rule);
}
