// General helpers for daemons and processes on the host, shared by the private Docker engines
// (dockerd.ts), the registry and the devnet's node processes: the errors they raise, finding host
// tools, spawning a detached daemon and waiting for it, listing, waiting for and killing processes
// through /proc, mount points, and small file reads that treat a missing file as empty.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';

/** A host daemon failed to start or stop; `logTail` holds the end of its log when there is one. */
export class DaemonError extends Error {
  readonly daemon: string;
  readonly detail: string;
  readonly logTail: string;
  constructor(daemon: string, detail: string, logTail = '') {
    super(`${daemon}: ${detail}${logTail ? `\n--- last lines of its log ---\n${logTail}` : ''}`);
    this.name = 'DaemonError';
    this.daemon = daemon;
    this.detail = detail;
    this.logTail = logTail;
  }
}

/** A binary the host should provide (see scripts/setup-host.sh) is not installed. */
export class HostToolMissingError extends Error {
  readonly tool: string;
  constructor(tool: string) {
    super(`${tool} not found on this host: run scripts/setup-host.sh (as root) to install it`);
    this.name = 'HostToolMissingError';
    this.tool = tool;
  }
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The command line that runs `command args` inside network namespace `ns` (as is without one).
 * nsenter enters the network namespace alone and execs the command, so the pid spawned is the
 * command's own. (`ip netns exec` would also give it a mount namespace with a fresh /sys, where
 * dockerd finds no cgroups.)
 */
export function inNetns(ns: string | undefined, command: string, args: string[]): [string, string[]] {
  return ns ? [requireTool('nsenter'), [`--net=/run/netns/${ns}`, '--', command, ...args]] : [command, args];
}

/** rmdir that leaves a folder alone when it still holds something (or is gone already). */
export async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => {});
}

/** Mount points at or below `dir`, deepest first (the order they must be unmounted in). */
export function mountsUnder(dir: string): string[] {
  const points = new Set<string>();
  for (const line of safeRead('/proc/self/mountinfo').split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    // mountinfo escapes space, tab, newline and backslash as octal.
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) =>
      String.fromCharCode(Number.parseInt(o, 8)),
    );
    if (point === dir || point.startsWith(`${dir}/`)) points.add(point);
  }
  return [...points].sort((a, b) => b.length - a.length);
}

/**
 * Loop devices whose backing file is at or below `dir` (app data volumes of the devnet's nodes),
 * read from sysfs. A deleted backing file still counts: its device is still taken.
 */
export function loopDevicesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of safeReaddir('/sys/block')) {
    if (!/^loop\d+$/.test(name)) continue;
    const backing = safeRead(`/sys/block/${name}/loop/backing_file`)
      .trim()
      .replace(/ \(deleted\)$/, '');
    if (backing === dir || backing.startsWith(`${dir}/`)) out.push(`/dev/${name}`);
  }
  return out;
}

// ---- processes --------------------------------------------------------------------------------

export interface HostProcess {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every process visible in /proc, with its parent and command line. */
export function listProcesses(): HostProcess[] {
  const out: HostProcess[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = safeRead(`/proc/${entry}/stat`);
    const cmdline = safeRead(`/proc/${entry}/cmdline`);
    if (!stat) continue;
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({
      pid: Number(entry),
      ppid: Number(afterName[1]),
      argv: cmdline.split('\0').filter((a) => a.length > 0),
    });
  }
  return out;
}

export function descendantsOf(pid: number): number[] {
  const all = listProcesses();
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const p of all) {
      if (p.ppid === parent && !found.includes(p.pid)) {
        found.push(p.pid);
        frontier.push(p.pid);
      }
    }
  }
  return found;
}

/** True while the process exists and is not a zombie (a reaped-never child of a non-reaping init). */
export function processAlive(pid: number): boolean {
  const stat = safeRead(`/proc/${pid}/stat`);
  if (!stat) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function terminateProcess(pid: number, graceMs: number): Promise<void> {
  if (!processAlive(pid)) return;
  killQuietly(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return;
  killQuietly(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns a daemon in its own session with stdout and stderr appended to `logFile`. It keeps running
 * if this process exits; the returned handle only serves to notice an early exit.
 */
export function spawnDaemon(
  command: string,
  args: string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): ChildProcess {
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...(env ?? process.env), PATH: daemonPath() },
    });
    child.on('error', () => {}); // reported through exitCode / waitUntilReady
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

/** Polls `ready` until it answers true; fails fast with the log tail if the daemon exits first. */
export async function waitUntilReady(
  label: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  let exit: string | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
  });
  child.once('error', (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new DaemonError(label, `could not be spawned: ${spawnError.message}`);
    if (exit !== undefined || (child.pid !== undefined && !processAlive(child.pid))) {
      throw new DaemonError(label, `exited during startup (${exit ?? 'gone'})`, tailOf(logFile));
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      if (child.pid !== undefined) await terminateProcess(child.pid, 2_000);
      throw new DaemonError(label, `did not become ready within ${timeoutMs} ms`, tailOf(logFile));
    }
    await sleep(50);
  }
}

/** The last `lines` lines of a log file ('' when it does not exist). */
export function tailOf(file: string, lines = 25): string {
  return safeRead(file).trimEnd().split('\n').slice(-lines).join('\n');
}

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new DaemonError(what, 'must run as root (it creates bridges, mounts and cgroups)');
  }
}

/** Absolute path of a host binary, searching PATH and the sbin folders root normally has. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function requireTool(name: string): string {
  const found = findTool(name);
  if (!found) throw new HostToolMissingError(name);
  return found;
}

function daemonPath(): string {
  const dirs = [...SEARCH_PATH, ...(process.env.PATH ?? '').split(':').filter(Boolean)];
  return [...new Set(dirs)].join(':');
}

export function pidFromFile(file: string): number | undefined {
  const pid = Number(safeRead(file).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function errorText(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const [line = ''] = (e.stderr?.trim() || e.message || String(err)).split('\n');
  return line;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
