/**
 * What this node's mesh should forward, from its own view of the cloud: for every public TCP port
 * of every active app, the instances that serve it (the live nodes whose running reports list the
 * component as running, see agent/locations.ts). Pure: the same inputs give the same listeners, in the same
 * order, so the generated config text only changes when the view does.
 */
import type { AppLocation } from '../agent/locations.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import { instancePort } from './ports.ts';

/** One instance behind a public port: a node's address and the instance port there. */
export interface MeshServer {
  node: string;
  address: string;
  port: number;
  /** This node's own instance (tried first; the others stand by). */
  own: boolean;
}

/** One public port of one app component, and where it leads. */
export interface MeshListener {
  app: string;
  component: string;
  port: number;
  /** Own instance first, then the others by node id. */
  servers: MeshServer[];
}

export interface MeshViewInput {
  apps: readonly RegisteredApp[];
  /** Where each app runs, by app name (agent.allLocations()). */
  locations: ReadonlyMap<string, readonly AppLocation[]>;
  /** This node's id (collateral) and its own address. */
  self: { node: string; address: string };
  /**
   * This node's own running containers by `app/component` → their address on the app's network.
   * The mesh reaches its own instance there, straight, instead of through the published instance
   * port (one proxy hop less); without an entry it uses the instance port like the other nodes do.
   */
  local?: ReadonlyMap<string, string>;
}

export interface MeshView {
  /** By port. */
  listeners: MeshListener[];
  /** Ports an older app already claims (`app:port`): one address:port can lead to one app only. */
  shadowed: string[];
}

export function meshView(input: MeshViewInput): MeshView {
  const byPort = new Map<number, MeshListener>();
  const shadowed: string[] = [];
  // The older registration keeps a contested port, so a newcomer cannot take over an address.
  const apps = [...input.apps].sort((a, b) => a.registeredHeight - b.registeredHeight || cmp(a.name, b.name));
  for (const app of apps) {
    const where = input.locations.get(app.name) ?? [];
    for (const c of app.spec.components)
      for (const port of c.ports) {
        if (byPort.has(port)) {
          shadowed.push(`${app.name}:${port}`);
          continue;
        }
        const inside = input.local?.get(`${app.name}/${c.name}`);
        const containerPort = c.containerPorts[c.ports.indexOf(port)] ?? port;
        const servers = where
          .filter((l) => l.components.some((x) => x.name === c.name && x.state === 'running'))
          .map((l) =>
            serverOf(l, port, input.self, inside ? { address: inside, port: containerPort } : undefined),
          )
          .sort((a, b) => Number(b.own) - Number(a.own) || cmp(a.node, b.node));
        byPort.set(port, { app: app.name, component: c.name, port, servers });
      }
  }
  // A port whose app runs nowhere (not yet placed, stopped by its owner) is not listened on: a
  // client is refused at once, as without a mesh, instead of accepted and dropped.
  const listeners = [...byPort.values()].filter((l) => l.servers.length > 0);
  return { listeners: listeners.sort((a, b) => a.port - b.port), shadowed };
}

function serverOf(
  l: AppLocation,
  port: number,
  self: MeshViewInput['self'],
  inside: { address: string; port: number } | undefined,
): MeshServer {
  if (l.node !== self.node) return { node: l.node, address: l.ip, port: instancePort(port), own: false };
  return { node: l.node, ...(inside ?? { address: self.address, port: instancePort(port) }), own: true };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
