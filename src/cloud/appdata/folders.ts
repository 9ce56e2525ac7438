/**
 * The Syncthing configuration this node should have, as a pure function: one folder per replicated
 * component placed here, shared with the other nodes placed the same app that published a sync
 * endpoint, and those nodes as devices. Tuned for fast replication: a file watcher with a short
 * delay, and a rescan every minute as a safety net.
 */
import type { SyncEndpoint } from '../messages/running-report.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import { isReplicated, type DataMode, splitContainerData } from '../spec/data-mode.ts';
import type { StDevice, StFolder } from './syncthing-api.ts';

/** Every folder id the agent manages starts so; others (an operator's own) are left alone. */
export const FOLDER_PREFIX = 'fluxapp-';

export function folderId(app: string, component: string): string {
  return `${FOLDER_PREFIX}${app}-${component}`;
}

// copyOwnershipFromParent: a file Syncthing writes takes the owner of its folder, which the runtime
// gave to the engine's remapped root (runtime/app-data.ts), so the container can still change it.
// It needs Syncthing to hold CAP_CHOWN, as it does when the node runs as root (the devnet).
export const FOLDER_TUNING = {
  fsWatcherEnabled: true,
  fsWatcherDelayS: 1,
  rescanIntervalS: 60,
  copyOwnershipFromParent: true,
} as const;

export interface ReplicatedComponent {
  app: string;
  component: string;
  specHash: string;
  mode: DataMode;
  folder: string;
  /** Host folder (the container's data mount). */
  path: string;
  /** Other nodes the app is placed on (sorted). */
  peers: string[];
}

/** The replicated components placed on `self`. */
export function replicatedHere(
  self: string,
  assignment: ReadonlyMap<string, readonly string[]>,
  apps: readonly RegisteredApp[],
  hostDir: (app: string, component: string) => string,
): ReplicatedComponent[] {
  const out: ReplicatedComponent[] = [];
  for (const app of apps) {
    const nodes = assignment.get(app.name);
    if (!nodes?.includes(self)) continue;
    for (const c of app.spec.components) {
      const { mode } = splitContainerData(c.containerData.trim());
      if (!isReplicated(mode)) continue;
      out.push({
        app: app.name,
        component: c.name,
        specHash: app.specHash,
        mode,
        folder: folderId(app.name, c.name),
        path: hostDir(app.name, c.name),
        peers: nodes.filter((n) => n !== self).sort(),
      });
    }
  }
  return out;
}

export interface DesiredSyncConfig {
  folders: StFolder[];
  devices: StDevice[];
}

/**
 * Folders and devices wanted. `ready(folder)`: the folder had a full copy here (it stays
 * send-receive once it was); `writer(folder)`: this node runs the container (its writes must go
 * out). An `s:` folder is always send-receive; `r:`/`g:` are receive-only until ready or writing.
 */
export function desiredSyncConfig(
  selfDevice: string,
  components: readonly ReplicatedComponent[],
  endpoints: (node: string) => SyncEndpoint | undefined,
  ready: (folder: string) => boolean,
  writer: (folder: string) => boolean,
): DesiredSyncConfig {
  const devices = new Map<string, StDevice>();
  const folders: StFolder[] = [];
  for (const c of components) {
    const shared: { deviceID: string }[] = [{ deviceID: selfDevice }];
    for (const peer of c.peers) {
      const ep = endpoints(peer);
      if (!ep || ep.device === selfDevice) continue;
      devices.set(ep.device, { deviceID: ep.device, name: peer, addresses: [ep.address] });
      shared.push({ deviceID: ep.device });
    }
    const sendReceive = c.mode === 's' || ready(c.folder) || writer(c.folder);
    folders.push({
      id: c.folder,
      label: `${c.app}/${c.component}`,
      path: c.path,
      type: sendReceive ? 'sendreceive' : 'receiveonly',
      devices: shared.sort((a, b) => cmp(a.deviceID, b.deviceID)),
      ...FOLDER_TUNING,
    });
  }
  return { folders, devices: [...devices.values()].sort((a, b) => cmp(a.deviceID, b.deviceID)) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
