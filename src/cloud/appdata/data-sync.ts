/**
 * The app-data step of a reconcile round: decides which replicated components this node runs and
 * which it only holds (roles.ts), brings the node's Syncthing to the wanted folders and devices
 * (folders.ts − actual config → plan.ts → REST calls), and reads how far each folder is behind.
 * A receive-only folder that has had a full copy turns send-receive, and stays so.
 *
 * Without a reachable Syncthing the roles are still decided (a `g:` app still runs once), only
 * nothing is replicated; the failure is logged and the next round tries again.
 */
import type { RunningState, SyncEndpoint } from '../messages/running-report.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { AgentLogger } from '../agent/types.ts';
import { desiredSyncConfig, FOLDER_PREFIX, type ReplicatedComponent, replicatedHere } from './folders.ts';
import { planSync, type SyncAction } from './plan.ts';
import { runsHere } from './roles.ts';
import type { StConfig, StFolder, SyncthingApi } from './syncthing-api.ts';

/** The Syncthing calls the step makes (SyncthingApi fits; unit tests use an in-memory twin). */
export type SyncthingPort = Pick<
  SyncthingApi,
  'deviceId' | 'config' | 'putFolder' | 'deleteFolder' | 'putDevice' | 'deleteDevice' | 'folderStatus'
>;

export interface DataSyncOptions {
  api: SyncthingPort;
  /** The sync listen address other nodes dial, e.g. `tcp://127.0.0.11:16129`. */
  address: string;
  log: AgentLogger;
}

export interface DataRoundInput {
  self: string;
  assignment: ReadonlyMap<string, readonly string[]>;
  apps: readonly RegisteredApp[];
  hostDir: (app: string, component: string) => string;
  /** The state a node's newest report gives the component (self included). */
  stateOf: (node: string, app: string, component: string) => RunningState | undefined;
  endpoints: (node: string) => SyncEndpoint | undefined;
}

export interface DataRound {
  /** `app/component` placed here whose container does not run here, with what the node holds. */
  held: Map<string, 'standby' | 'syncing'>;
  /** `app/component` → bytes its folder lacks. */
  needBytes: Map<string, number>;
}

export const dataKey = (app: string, component: string): string => `${app}/${component}`;

export class DataSync {
  readonly #o: DataSyncOptions;
  #device: string | undefined;

  constructor(o: DataSyncOptions) {
    this.#o = o;
  }

  /** What the running report carries, once the device id is known. */
  endpoint(): SyncEndpoint | undefined {
    return this.#device ? { device: this.#device, address: this.#o.address } : undefined;
  }

  async round(input: DataRoundInput): Promise<DataRound> {
    const components = replicatedHere(input.self, input.assignment, input.apps, input.hostDir);
    const actual = await this.#actual();
    const ready = new Set(
      actual?.folders
        .filter((f) => f.id.startsWith(FOLDER_PREFIX) && f.type === 'sendreceive')
        .map((f) => f.id),
    );
    const runs = new Map<string, boolean>();
    for (const c of components) {
      const stateOf = (n: string) => input.stateOf(n, c.app, c.component);
      const nodes = [input.self, ...c.peers];
      runs.set(
        c.folder,
        runsHere({ mode: c.mode, self: input.self, nodes, stateOf, ready: ready.has(c.folder) }),
      );
    }
    const out: DataRound = { held: new Map(), needBytes: new Map() };
    if (actual && this.#device) {
      const desired = desiredSyncConfig(
        this.#device,
        components,
        input.endpoints,
        (f) => ready.has(f),
        (f) => runs.get(f) === true,
      );
      await this.#apply(planSync(desired, actual, this.#device));
      await this.#progress(components, desired.folders, ready, out);
    }
    for (const c of components)
      if (!runs.get(c.folder))
        out.held.set(dataKey(c.app, c.component), ready.has(c.folder) ? 'standby' : 'syncing');
    return out;
  }

  async #actual(): Promise<StConfig | undefined> {
    try {
      this.#device ??= await this.#o.api.deviceId();
      return await this.#o.api.config();
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'syncthing not reachable');
      return undefined;
    }
  }

  async #apply(actions: SyncAction[]): Promise<void> {
    const api = this.#o.api;
    for (const a of actions) {
      try {
        if (a.kind === 'remove-folder') await api.deleteFolder(a.id);
        else if (a.kind === 'remove-device') await api.deleteDevice(a.id);
        else if (a.kind === 'put-device') await api.putDevice(a.device);
        else await api.putFolder(a.folder);
        this.#o.log.info({ action: a.kind, id: actionId(a) }, 'syncthing configured');
      } catch (err) {
        this.#o.log.warn(
          { action: a.kind, id: actionId(a), err: (err as Error).message },
          'syncthing call failed',
        );
      }
    }
  }

  /** Reads each folder's progress; a receive-only folder with a full copy turns send-receive. */
  async #progress(
    components: readonly ReplicatedComponent[],
    folders: readonly StFolder[],
    ready: Set<string>,
    out: DataRound,
  ): Promise<void> {
    for (const c of components) {
      try {
        const s = await this.#o.api.folderStatus(c.folder);
        out.needBytes.set(dataKey(c.app, c.component), s.needBytes);
        const folder = folders.find((f) => f.id === c.folder);
        const full = s.state === 'idle' && s.needBytes === 0 && s.globalBytes > 0;
        if (folder?.type === 'receiveonly' && full) {
          await this.#o.api.putFolder({ ...folder, type: 'sendreceive' });
          ready.add(c.folder);
          this.#o.log.info({ folder: c.folder, bytes: s.globalBytes }, 'first full copy received');
        }
      } catch (err) {
        this.#o.log.debug({ folder: c.folder, err: (err as Error).message }, 'folder status unavailable');
      }
    }
  }
}

function actionId(a: SyncAction): string {
  return a.kind === 'put-device' ? a.device.deviceID : a.kind === 'put-folder' ? a.folder.id : a.id;
}
