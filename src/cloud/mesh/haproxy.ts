/**
 * One HAProxy in master-worker mode, as a child process of the node. The node starts it, reloads
 * it (SIGUSR2: the master re-reads the config and forks a new worker that takes over the listening
 * sockets, while the old worker finishes its connections) and stops it. It is started under
 * `setpriv --pdeathsig TERM` when util-linux's setpriv is there, so a node killed with SIGKILL
 * takes its HAProxy with it instead of leaving the app ports held by an orphan.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { MESH_ERRORS, MeshError } from './errors.ts';

export interface HaproxyLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The folders searched: PATH, then the sbin folders (Debian puts haproxy in /usr/sbin). */
export function searchPath(path = process.env.PATH ?? ''): string[] {
  return [...path.split(delimiter).filter(Boolean), ...SBIN];
}

/** The first executable named `name` in `dirs`. */
export function findExecutable(name: string, dirs = searchPath()): string | undefined {
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The haproxy binary, or a MeshError saying where it was looked for and how to install it. */
export function requireHaproxy(dirs = searchPath()): string {
  const found = findExecutable('haproxy', dirs);
  if (found) return found;
  throw new MeshError(
    MESH_ERRORS.haproxyMissing,
    'haproxy',
    dirs.join(delimiter),
    `haproxy not found in ${dirs.join(', ')}: install Debian's haproxy package (scripts/setup-host.sh does) or start with --no-mesh`,
  );
}

/** `haproxy -c`: throws MeshError(config-invalid) with HAProxy's own alerts. */
export function checkConfig(binary: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-c', '-q', '-f', file], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const alerts = `${stdout}${stderr}`.trim().split('\n').slice(-5).join(' | ');
      reject(
        new MeshError(MESH_ERRORS.configInvalid, 'config', file, `haproxy -c refused ${file}: ${alerts}`),
      );
    });
  });
}

type Outcome = 'success' | 'failure' | 'exit';
const LOAD_TIMEOUT_MS = 10_000;

export class HaproxyProcess {
  readonly #binary: string;
  readonly #config: string;
  readonly #log: HaproxyLog;
  readonly #onExit: (code: number | null) => void;
  #child: ChildProcess | undefined;
  #waiters: ((o: Outcome) => void)[] = [];
  #alerts: string[] = [];

  constructor(o: {
    binary: string;
    configPath: string;
    log: HaproxyLog;
    onExit?: (code: number | null) => void;
  }) {
    this.#binary = o.binary;
    this.#config = o.configPath;
    this.#log = o.log;
    this.#onExit = o.onExit ?? (() => {});
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the master and waits until its first worker runs the config. */
  async start(): Promise<void> {
    if (this.#child) return;
    const setpriv = findExecutable('setpriv');
    const args = ['-W', '-db', '-f', this.#config];
    const child = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'TERM', '--', this.#binary, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(this.#binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on('line', (l) => this.#line(l));
    child.on('exit', (code) => this.#exited(child, code));
    child.on('error', (err) => {
      this.#log.warn({ err: err.message }, 'haproxy failed to spawn');
      // A process that never started emits no 'exit'.
      if (child.pid === undefined) this.#exited(child, null);
    });
    const outcome = await this.#outcome();
    if (outcome !== 'success') {
      await this.stop();
      throw new MeshError(
        MESH_ERRORS.startFailed,
        'haproxy',
        this.#config,
        `haproxy did not start: ${this.#lastAlerts()}`,
      );
    }
  }

  /** Has the master load the config file again; throws MeshError(reload-failed) if it kept the old one. */
  async reload(): Promise<void> {
    const child = this.#child;
    if (!child) return this.start();
    const done = this.#outcome();
    child.kill('SIGUSR2');
    const outcome = await done;
    if (outcome !== 'success')
      throw new MeshError(
        MESH_ERRORS.reloadFailed,
        'haproxy',
        this.#config,
        `haproxy kept its old config: ${this.#lastAlerts()}`,
      );
  }

  /** SIGTERM to the master (it stops its workers), SIGKILL if it is still there after 5 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (child.exitCode !== null || child.signalCode !== null) return this.#exited(child, child.exitCode);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #outcome(): Promise<Outcome> {
    this.#alerts = [];
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle('failure'), LOAD_TIMEOUT_MS);
      const settle = (o: Outcome) => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== settle);
        resolve(o);
      };
      this.#waiters.push(settle);
    });
  }

  #line(line: string): void {
    // The master says how each (re)load went; a reload waits for that line.
    if (/\bLoading success\b/.test(line)) this.#settle('success');
    else if (/\bLoading failure\b/.test(line)) this.#settle('failure');
    else if (line.startsWith('[ALERT]')) this.#alerts = [...this.#alerts.slice(-4), line];
    this.#log.debug({ line }, 'haproxy');
  }

  #settle(o: Outcome): void {
    for (const w of [...this.#waiters]) w(o);
  }

  #exited(child: ChildProcess, code: number | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#settle('exit');
    this.#onExit(code);
  }

  #lastAlerts(): string {
    return this.#alerts.join(' | ') || 'no alert from haproxy';
  }
}
