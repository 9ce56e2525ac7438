/**
 * The routing mesh role: on a fluxnode, HAProxy answers on every app's public ports at the node's
 * address and forwards to a live instance, this node's own first (cloud/mesh). It follows the
 * cloud agent's view: every change of the live set, a running report or the placement, every
 * block, and a timer (level-triggered: a missed event is caught on the next tick) asks for one
 * reconcile. Without haproxy the node runs on with a warning and no mesh; `--no-mesh` turns it off.
 *
 * Why HAProxy owns the public port on every node, hosting or not: a user expects `<any node>:<port>`
 * to behave alike everywhere, including on a node whose own instance just died (it fails over to
 * the others instead of refusing). So a container publishes its TCP ports at the instance port
 * (public + 10,000) and the mesh forwards to it, locally and from the other nodes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Chain } from '../../chain/index.ts';
import {
  type CloudAgent,
  type ManagedContainer,
  MESH_ERRORS,
  MeshError,
  type MeshMetrics,
  type MeshView,
  meshView,
  type RegisteredApp,
  RoutingMesh,
  requireHaproxy,
} from '../../cloud/index.ts';
import type { NodeModule } from '../module.ts';

export interface MeshModuleOptions {
  /** The node's own address: the mesh binds there. */
  host: string;
  dataDir: string;
  /** Reconcile at least this often even without an event. */
  intervalMs?: number;
  /** Where to look for haproxy (default: PATH, then the sbin folders). */
  searchDirs?: string[];
}

export interface MeshModuleDeps {
  chain: Chain;
  /** The cloud agent, once it has started. */
  agent: () => CloudAgent | undefined;
  /** This node's app containers (the agent's runtime), once the agent has started. */
  containers: () => Promise<readonly ManagedContainer[]>;
  activeApps: () => RegisteredApp[];
  log: Logger;
  metrics: MeshMetrics | null;
}

const AGENT_EVENTS = ['live', 'report', 'placement'] as const;
// A burst of events (a report from every node after a change) becomes one reconcile.
const DEBOUNCE_MS = 100;
const REPEAT_WARN_MS = 60_000;

export class MeshModule implements NodeModule {
  readonly name = 'mesh';
  readonly #o: MeshModuleOptions;
  readonly #d: MeshModuleDeps;
  mesh: RoutingMesh | undefined;
  #attached: CloudAgent | undefined;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #lastFailure: { message: string; at: number } | undefined;
  readonly #poke = () => this.#schedule();

  constructor(o: MeshModuleOptions, d: MeshModuleDeps) {
    this.#o = o;
    this.#d = d;
  }

  /** True once open() found haproxy: containers then publish at their instance ports. */
  get enabled(): boolean {
    return this.mesh !== undefined;
  }

  async open(): Promise<void> {
    let binary: string;
    try {
      binary = requireHaproxy(this.#o.searchDirs);
    } catch (err) {
      if (!(err instanceof MeshError) || err.code !== MESH_ERRORS.haproxyMissing) throw err;
      this.#d.log.warn({ code: err.code, err: err.message }, 'routing mesh disabled');
      return;
    }
    const dir = join(this.#o.dataDir, 'mesh');
    await mkdir(dir, { recursive: true });
    this.mesh = new RoutingMesh(
      { binary, dir, bind: this.#o.host },
      { view: () => this.#view(), log: this.#d.log, metrics: this.#d.metrics },
    );
    this.#d.chain.on('tip', this.#poke);
    this.#timer = setInterval(this.#poke, this.#o.intervalMs ?? 5_000);
    this.#timer.unref();
    this.#d.log.info({ haproxy: binary, address: this.#o.host }, 'routing mesh on');
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    this.#d.chain.off('tip', this.#poke);
    for (const e of AGENT_EVENTS) this.#attached?.off(e, this.#poke);
    await this.mesh?.close();
  }

  /** `host:port` where this node answers for an app ([] without a mesh, or before it listens). */
  addressesOf(app: string): string[] {
    return (this.mesh?.listening() ?? []).filter((l) => l.app === app).map((l) => l.address);
  }

  async #view(): Promise<MeshView | undefined> {
    const agent = this.#d.agent();
    if (!agent) return undefined;
    const local = new Map<string, string>();
    for (const c of await this.#d.containers())
      if (c.state === 'running' && c.ip) local.set(`${c.app}/${c.component}`, c.ip);
    return meshView({
      apps: this.#d.activeApps(),
      locations: agent.allLocations(),
      self: { node: agent.nodeId, address: this.#o.host },
      local,
    });
  }

  #schedule(): void {
    const agent = this.#d.agent();
    if (agent && agent !== this.#attached) {
      this.#attached = agent;
      for (const e of AGENT_EVENTS) agent.on(e, this.#poke);
    }
    if (this.#soon || !this.mesh) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      this.mesh?.reconcile().then(
        () => {
          this.#lastFailure = undefined;
        },
        (err) => this.#failed(err),
      );
    }, DEBOUNCE_MS);
  }

  /** The same failure again (each timer tick retries) is logged at warn once a minute, else at debug. */
  #failed(err: unknown): void {
    const fields = { code: (err as MeshError).code, err: (err as Error).message };
    const now = Date.now();
    const last = this.#lastFailure;
    const again = last?.message === fields.err && now - last.at < REPEAT_WARN_MS;
    if (!again) this.#lastFailure = { message: fields.err, at: now };
    this.#d.log[again ? 'debug' : 'warn'](fields, 'mesh reconcile failed');
  }
}
