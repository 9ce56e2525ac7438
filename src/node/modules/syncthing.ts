/**
 * The node's own Syncthing (Debian's `syncthing`), which replicates app data between the nodes that
 * run an app's instances (cloud/appdata configures it over its REST API). A supervised child: its
 * config and database live in `<dataDir>/syncthing`, its sync port and REST port are on the node's
 * address, and nothing is announced or relayed beyond the nodes it is told about (no global or
 * local discovery, no relays, no NAT traversal, no usage or crash reports, no upgrades). If it
 * exits while the node runs, it is started again after a growing pause. It runs without Syncthing's
 * own monitor process, and with `setpriv` present it gets SIGKILL when the node process dies, so a
 * killed node's data stops syncing with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SyncthingApi } from '../../cloud/index.ts';
import type { NodeModule } from '../module.ts';

export interface SyncthingModuleOptions {
  dataDir: string;
  /** The node's address: the sync port listens there, and the REST port too when it is loopback. */
  host: string;
  syncPort: number;
  restPort: number;
  binary: string;
}

const READY_TIMEOUT_MS = 30_000;
const GUI_USER = 'fluxnode';
const STOP_TIMEOUT_MS = 5_000;
const MAX_RESTART_PAUSE_MS = 30_000;

export class SyncthingModule implements NodeModule {
  readonly name = 'syncthing';
  /** Its REST API, once open (undefined: not running, e.g. no syncthing binary on this host). */
  api: SyncthingApi | undefined;
  /** The sync listen address other nodes dial. */
  address = '';
  readonly #o: SyncthingModuleOptions;
  readonly #log: Logger;
  readonly #home: string;
  readonly #key: string;
  #child: ChildProcess | undefined;
  #open = false;
  #pauseMs = 1_000;
  #rest = '';
  #restart: NodeJS.Timeout | undefined;

  constructor(o: SyncthingModuleOptions, log: Logger) {
    this.#o = o;
    this.#log = log;
    this.#home = join(o.dataDir, 'syncthing');
    this.#key = this.#apiKey();
  }

  /** host:port of its REST API and GUI, once open. */
  get restAddress(): string {
    return this.#rest;
  }

  async open(): Promise<void> {
    const binary = onPath(this.#o.binary);
    if (!binary) {
      this.#log.warn({ binary: this.#o.binary }, 'no syncthing: replicated app data stays local');
      return;
    }
    this.#open = true;
    this.#rest = `${restHost(this.#o.host)}:${this.#o.restPort || (await freePort(restHost(this.#o.host)))}`;
    this.address = `tcp://${hostPort(this.#o.host, this.#o.syncPort || (await freePort(this.#o.host)))}`;
    const api = new SyncthingApi({ url: `http://${this.#rest}`, apiKey: this.#key });
    this.#writeConfig();
    this.#spawn(binary);
    try {
      await this.#ready(api);
      // A config written by an older run may lack these: enforce them on every start.
      await api.patchOptions(closedNetworkOptions(this.address));
      await this.#guiPassword(api);
      this.api = api;
      this.#log.info(
        { address: this.address, rest: this.#rest, device: await api.deviceId() },
        'syncthing started',
      );
    } catch (err) {
      // A node without a working Syncthing still runs: its replicated app data stays local, as on a
      // host without the binary. Stop what was started, and say so loudly.
      await this.close();
      this.api = undefined;
      this.#log.error(
        { err: err instanceof Error ? err.message : String(err), rest: this.#rest },
        'syncthing failed to start: replicated app data stays local',
      );
    }
  }

  async #ready(api: SyncthingApi): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await api.ping())) {
      if (Date.now() > deadline) throw new Error(`syncthing did not answer at ${this.#rest}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Its web GUI asks for a password (the REST key, which only the node's user can read): other
   * users of the machine reach the port but not the controls. Set once; Syncthing restarts its
   * GUI listener after, so wait for it again.
   */
  async #guiPassword(api: SyncthingApi): Promise<void> {
    const gui = await api.gui();
    if (gui.user === GUI_USER) return;
    const set = () => api.patchGui({ user: GUI_USER, password: this.#key }).catch(() => undefined);
    // The GUI listener restarts as it applies the change, and may cut the answer to this very
    // request: whether it took is read back, and the change sent again while it has not.
    await set();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const now = await api.gui().catch(() => undefined);
      if (now?.user === GUI_USER) return;
      if (Date.now() > deadline) throw new Error(`syncthing did not take its GUI password at ${this.#rest}`);
      if (now !== undefined) await set();
    }
  }

  async close(): Promise<void> {
    this.#open = false;
    clearTimeout(this.#restart);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  #spawn(binary: string): void {
    const args = [
      'serve',
      `--home=${this.#home}`,
      `--gui-address=http://${this.#rest}`,
      '--no-browser',
      '--no-restart',
      '--no-upgrade',
      '--no-default-folder',
    ];
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', binary, ...args]] : [binary, args];
    // Its log: this run's output only (each start begins the file afresh).
    const out = openSync(join(this.#home, 'syncthing.log'), 'w', 0o600);
    const child = spawn(cmd, argv, {
      stdio: ['ignore', out, out],
      // STMONITORED: no monitor process of its own (we supervise it), so the one process we start
      // is Syncthing itself and dies with the node (a monitor's child would outlive it).
      // The REST key goes in its environment, which other users cannot read (argv they can).
      env: {
        ...process.env,
        STGUIAPIKEY: this.#key,
        STMONITORED: '1',
        STNOUPGRADE: '1',
        STNODEFAULTFOLDER: '1',
        STNORESTART: '1',
      },
    });
    closeSync(out);
    this.#child = child;
    child.once('error', (err) => this.#log.error({ err: err.message }, 'syncthing failed to start'));
    child.once('exit', (code, signal) => {
      if (!this.#open) return;
      this.#log.warn({ code, signal, againInMs: this.#pauseMs }, 'syncthing exited');
      this.#restart = setTimeout(() => this.#open && this.#spawn(binary), this.#pauseMs);
      this.#pauseMs = Math.min(this.#pauseMs * 2, MAX_RESTART_PAUSE_MS);
    });
  }

  /** The REST key: made once, kept in the home folder (readable by the node's user only). */
  #apiKey(): string {
    const file = join(this.#o.dataDir, 'syncthing', 'apikey');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(join(this.#o.dataDir, 'syncthing'), { recursive: true, mode: 0o700 });
    const key = randomBytes(24).toString('hex');
    writeFileSync(file, key, { mode: 0o600 });
    return key;
  }

  /** A first config, so that even the first start never announces or relays anything. */
  #writeConfig(): void {
    const file = join(this.#home, 'config.xml');
    if (existsSync(file)) return;
    const o = closedNetworkOptions(this.address);
    const options = Object.entries(o)
      .map(([k, v]) =>
        Array.isArray(v) ? v.map((x) => `<listenAddress>${x}</listenAddress>`).join('') : `<${k}>${v}</${k}>`,
      )
      .join('\n    ');
    writeFileSync(
      file,
      `<configuration version="35">\n  <options>\n    ${options}\n  </options>\n</configuration>\n`,
      { mode: 0o600 },
    );
  }
}

/** The options that keep Syncthing to the nodes it is told about. */
function closedNetworkOptions(address: string): Record<string, unknown> {
  return {
    listenAddresses: [address],
    globalAnnounceEnabled: false,
    localAnnounceEnabled: false,
    relaysEnabled: false,
    natEnabled: false,
    urAccepted: -1,
    autoUpgradeIntervalH: 0,
    crashReportingEnabled: false,
    startBrowser: false,
    // A node that comes back is dialled within seconds, not Syncthing's default minute: a standby
    // must catch up before it may be the one to take over.
    reconnectionIntervalS: 5,
  };
}

/** REST stays on loopback unless the node's own address is a loopback one (devnets). */
function restHost(host: string): string {
  return host.startsWith('127.') || host === '::1' || host === 'localhost' ? host : '127.0.0.1';
}

/** The binary's full path: as given when it has a slash, else the first match on PATH. */
function onPath(binary: string): string | undefined {
  if (binary.includes('/')) return existsSync(binary) ? binary : undefined;
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(':');
  return dirs.map((d) => join(d, binary)).find((p) => existsSync(p));
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0 }, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
