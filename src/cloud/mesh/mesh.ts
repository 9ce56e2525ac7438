/**
 * The routing mesh of one node: HAProxy answering on every app's public ports at this node's
 * address and forwarding to a live instance, its own first. One level-triggered reconcile: the
 * desired config (from the node's current view) against the text HAProxy runs → start, reload,
 * stop or nothing. Reconciles never overlap; a request during one makes one more run after it.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { MeshMetrics } from '../metrics.ts';
import { DEFAULT_CHECK_MS, meshConfig } from './config.ts';
import { checkConfig, HaproxyProcess, type HaproxyLog } from './haproxy.ts';
import { type MeshAction, planMesh } from './plan.ts';
import type { MeshListener, MeshView } from './view.ts';

export interface MeshLog extends HaproxyLog {
  info(obj: object, msg: string): void;
}

export interface RoutingMeshOptions {
  /** The haproxy binary (requireHaproxy()). */
  binary: string;
  /** Folder for haproxy.cfg and the master's socket. */
  dir: string;
  /** The node's own address: the mesh binds there. */
  bind: string;
  checkMs?: number;
}

export interface RoutingMeshDeps {
  /** The node's current view; undefined while it has none (its cloud agent has not started). */
  view: () => MeshView | undefined | Promise<MeshView | undefined>;
  log: MeshLog;
  metrics: MeshMetrics | null;
}

export interface MeshOutcome {
  action: MeshAction;
  listeners: number;
  /** Ports left out because another process holds them here. */
  busy: number[];
}

export class RoutingMesh {
  readonly #o: RoutingMeshOptions;
  readonly #d: RoutingMeshDeps;
  readonly #haproxy: HaproxyProcess;
  #text: string | undefined;
  #bound = new Set<number>();
  #busy = new Set<number>();
  #listeners: MeshListener[] = [];
  #pass: Promise<MeshOutcome> | undefined;
  #again = false;
  #closed = false;

  constructor(o: RoutingMeshOptions, d: RoutingMeshDeps) {
    this.#o = o;
    this.#d = d;
    this.#haproxy = new HaproxyProcess({
      binary: o.binary,
      configPath: this.configPath,
      log: d.log,
      onExit: (code) => this.#exited(code),
    });
  }

  get configPath(): string {
    return join(this.#o.dir, 'haproxy.cfg');
  }

  get running(): boolean {
    return this.#haproxy.running;
  }

  /** The HAProxy master's process id while it runs. */
  get pid(): number | undefined {
    return this.#haproxy.pid;
  }

  /** The public ports this node answers on now, with the app each leads to. */
  listening(): { app: string; port: number; address: string }[] {
    if (!this.running) return [];
    return this.#listeners.map((l) => ({ app: l.app, port: l.port, address: `${this.#o.bind}:${l.port}` }));
  }

  /** Brings HAProxy in line with the view now; joins a run in progress and runs once more after it. */
  reconcile(): Promise<MeshOutcome> {
    if (this.#pass) {
      this.#again = true;
      return this.#pass;
    }
    const run = async (): Promise<MeshOutcome> => {
      try {
        let out = await this.#reconcileOnce();
        while (this.#again && !this.#closed) {
          this.#again = false;
          out = await this.#reconcileOnce();
        }
        return out;
      } finally {
        this.#pass = undefined;
      }
    };
    this.#pass = run();
    return this.#pass;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#pass?.catch(() => {});
    await this.#haproxy.stop();
    this.#d.metrics?.up.set(0);
  }

  async #reconcileOnce(): Promise<MeshOutcome> {
    const view = await this.#d.view();
    if (this.#closed || !view) return { action: 'none', listeners: 0, busy: [] };
    const stop = this.#d.metrics?.reconcileSeconds.startTimer();
    const listeners = await this.#bindable(view.listeners);
    const text = meshConfig(listeners, {
      bind: this.#o.bind,
      socketPath: join(this.#o.dir, 'haproxy.sock'),
      checkMs: this.#o.checkMs ?? DEFAULT_CHECK_MS,
    });
    const action = planMesh(
      { text, listeners: listeners.length },
      { text: this.#text, running: this.#haproxy.running },
    );
    try {
      await this.#apply(action, text);
      if (action !== 'none') this.#count(action, 'ok');
    } catch (err) {
      this.#count(action, 'failed');
      throw err;
    } finally {
      stop?.();
    }
    if (action !== 'none') this.#adopt(listeners, text);
    return { action, listeners: listeners.length, busy: [...this.#busy].sort((a, b) => a - b) };
  }

  async #apply(action: MeshAction, text: string): Promise<void> {
    if (action === 'stop') return this.#haproxy.stop();
    if (action === 'none') return;
    await this.#write(text);
    if (action === 'start') await this.#haproxy.start();
    else await this.#haproxy.reload();
    this.#d.log.info({ action, pid: this.#haproxy.pid }, 'mesh config applied');
  }

  /** Written beside, checked by haproxy -c, then renamed over: HAProxy never reads half a file. */
  async #write(text: string): Promise<void> {
    const tmp = `${this.configPath}.new`;
    await writeFile(tmp, text, { mode: 0o600 });
    try {
      await checkConfig(this.#o.binary, tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await rename(tmp, this.configPath);
  }

  /**
   * Leaves out ports another process holds on this address (a container published the old way,
   * another program): HAProxy would refuse the whole config for one busy port. Ports HAProxy itself
   * holds are not probed: a reload hands them to the new worker.
   */
  async #bindable(listeners: readonly MeshListener[]): Promise<MeshListener[]> {
    const out: MeshListener[] = [];
    const busy = new Set<number>();
    for (const l of listeners) {
      if (this.#haproxy.running && this.#bound.has(l.port)) out.push(l);
      else if (await portFree(this.#o.bind, l.port)) out.push(l);
      else busy.add(l.port);
    }
    for (const p of busy)
      if (!this.#busy.has(p))
        this.#d.log.warn(
          { port: p, address: this.#o.bind },
          'app port held by another process: left out of the mesh',
        );
    this.#busy = busy;
    this.#d.metrics?.busyPorts.set(busy.size);
    return out;
  }

  #adopt(listeners: MeshListener[], text: string): void {
    const up = this.#haproxy.running;
    this.#text = up ? text : undefined;
    this.#listeners = up ? listeners : [];
    this.#bound = new Set(this.#listeners.map((l) => l.port));
    this.#d.metrics?.up.set(up ? 1 : 0);
    this.#d.metrics?.listeners.set(this.#listeners.length);
    this.#d.metrics?.servers.set(this.#listeners.reduce((n, l) => n + l.servers.length, 0));
  }

  #count(action: MeshAction, outcome: 'ok' | 'failed'): void {
    this.#d.metrics?.changes.inc({ action, outcome });
  }

  #exited(code: number | null): void {
    this.#text = undefined;
    this.#listeners = [];
    this.#bound = new Set();
    this.#d.metrics?.up.set(0);
    if (!this.#closed) this.#d.log.warn({ code }, 'haproxy exited: the next reconcile starts it again');
  }
}

/** True when nothing listens on address:port (an exclusive listen succeeds). */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}
