// Shared by the tests that need real Docker daemons (test/devnet/docker*.test.ts,
// test/cloud/runtime*.test.ts). Not a test file itself.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  findTool,
  listProcesses,
  loopDevicesUnder,
  mountsUnder,
  processAlive,
} from '../../../src/devnet/dockerd.ts';

const HOST_TOOLS = [
  'dockerd',
  'containerd',
  'runc',
  'docker-proxy',
  'docker-registry',
  'busybox',
  'ip',
  'umount',
];

/**
 * The `skip` option for Docker test suites: a reason to skip only when the host lacks the Docker
 * tools AND we are not in CI. In CI (CI set) the suites run regardless, so missing tools fail loudly.
 */
export function dockerSkip(): string | false {
  const missing = HOST_TOOLS.filter((t) => !findTool(t));
  if (missing.length === 0 || process.env.CI) return false;
  return `Docker host tools missing (${missing.join(', ')}); run scripts/setup-host.sh as root to test them`;
}

/** A TCP port nobody listens on at `host` right now. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0 }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** GETs a URL, retrying while the connection is refused (docker-proxy may take a moment). */
export async function fetchText(url: string, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Resolves true when nothing accepts a connection at host:port. */
export function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(2_000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(true));
  });
}

/** What is still on the host that belongs under `dir`: live processes naming it, mounts, the folder. */
/**
 * Unmounts what is mounted under `dir` (app data volumes) and frees the loop devices behind it: for
 * a test's after() hook, before it removes its folder. Errors are ignored (best effort).
 */
export function releaseMounts(dir: string): void {
  for (const m of mountsUnder(dir)) {
    try {
      execFileSync(findTool('umount') ?? 'umount', ['--lazy', m], { stdio: 'ignore' });
    } catch {
      // gone meanwhile
    }
  }
  for (const dev of loopDevicesUnder(dir)) {
    try {
      execFileSync(findTool('losetup') ?? 'losetup', ['-d', dev], { stdio: 'ignore' });
    } catch {
      // freed meanwhile
    }
  }
}

export function leftovers(dir: string): string[] {
  const found: string[] = [];
  for (const p of listProcesses()) {
    if (p.pid !== process.pid && p.argv.some((a) => a.includes(dir)) && processAlive(p.pid)) {
      found.push(`process ${p.pid}: ${p.argv.join(' ')}`);
    }
  }
  for (const m of mountsUnder(dir)) found.push(`mount ${m}`);
  for (const dev of loopDevicesUnder(dir)) found.push(`loop device ${dev}`);
  if (existsSync(dir)) found.push(`folder ${dir}`);
  return found;
}

/** The cgroup folders (any hierarchy) named `name` right under the cgroup root or a v1 controller. */
export function cgroupsNamed(name: string): string[] {
  const root = '/sys/fs/cgroup';
  const candidates = [path.join(root, name)];
  try {
    for (const c of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const point = c.split(' ')[4];
      if (point?.startsWith(`${root}/`)) candidates.push(path.join(point, name));
    }
  } catch {
    // no mountinfo: nothing more to look at
  }
  return candidates.filter((c) => existsSync(c));
}

/** `Cap*`/`NoNewPrivs` lines of /proc/<pid>/status as a map. */
export function processStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}
