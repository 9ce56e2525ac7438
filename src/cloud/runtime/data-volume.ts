// A component's `hdd`, enforced: its data folder is an ext4 filesystem of exactly `hdd` GB held in a
// file and loop-mounted at the folder, so a container that fills it gets ENOSPC and the node's own
// disk is untouched. FluxOS does the same (a file per component, mke2fs -t ext4, mount -o loop,
// remounted at boot); overlay2 on ext4, Docker's usual storage, has no per-container disk quota.
//
// Layout under the node's folder:
//   appvolumes/<app>_<component>.ext4   the filesystem (sparse: it takes host disk as it fills)
//   appdata/<app>/<component>           its mount point, bind-mounted into the container
// Names are letters and digits only (planContainer checks), so `_` cannot be part of either.
//
// What was in the folder before its volume existed (Syncthing's marker, a replica received before
// the container was first made here) is copied in. A raised `hdd` grows the volume in place.
//
// Mounting needs root and loop devices. Where either is missing (or e2fsprogs is), the folder stays
// a plain one: the app runs, its `hdd` is not enforced, and the node says so in its log and on the
// container (label flux.hdd.enforced=false).

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const GIB = 1024 ** 3;
/** No tool call may hang a reconcile pass. */
const TOOL_TIMEOUT_MS = 60_000;
const SUFFIX = '.ext4';

export type HddEnforcement = { enforced: true } | { enforced: false; reason: string };

export interface VolumeLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

const QUIET: VolumeLogger = { info() {}, warn() {} };

/** An executable named `name` on PATH or in the sbin folders root's PATH usually has. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether `dir` is a mount point right now (read from the kernel's mount table, no tools). */
export function isMountPoint(dir: string): boolean {
  let table = '';
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return false;
  }
  for (const line of table.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    // mountinfo escapes space, tab, newline and backslash as octal.
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) =>
      String.fromCharCode(Number.parseInt(o, 8)),
    );
    if (point === dir) return true;
  }
  return false;
}

/** The loop devices (e.g. /dev/loop3) whose backing file is `file` (from sysfs, no tools). */
export function loopDevicesOf(file: string): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/sys/block').filter((n) => /^loop\d+$/.test(n));
  } catch {
    return out;
  }
  for (const name of names) {
    let backing = '';
    try {
      backing = readFileSync(`/sys/block/${name}/loop/backing_file`, 'utf8').trim();
    } catch {
      continue; // not attached
    }
    if (backing.replace(/ \(deleted\)$/, '') === file) out.push(`/dev/${name}`);
  }
  return out;
}

export class DataVolumes {
  readonly #nodeDir: string;
  readonly #log: VolumeLogger;
  #support: HddEnforcement | undefined;
  readonly #check: () => string | undefined;

  /** `check` says why this host cannot mount volumes (default: root, loop devices and tools are asked). */
  constructor(
    nodeDir: string,
    log: VolumeLogger = QUIET,
    check: () => string | undefined = unsupportedReason,
  ) {
    this.#nodeDir = nodeDir;
    this.#log = log;
    this.#check = check;
  }

  /** The component's data folder (the mount point when enforced). */
  dataDir(app: string, component: string): string {
    return path.join(this.#nodeDir, 'appdata', app, component);
  }

  imageFile(app: string, component: string): string {
    return path.join(this.#nodeDir, 'appvolumes', `${app}_${component}${SUFFIX}`);
  }

  /** Whether this host can make size-limited volumes (root, loop devices, the tools); asked once. */
  support(): HddEnforcement {
    if (this.#support) return this.#support;
    const why = this.#check();
    this.#support = why ? { enforced: false, reason: why } : { enforced: true };
    if (why)
      this.#log.warn({ reason: why }, 'app hdd not enforced on this node: data folders are plain folders');
    return this.#support;
  }

  /**
   * Makes the component's data folder ready: a mounted volume of `hddGB` where the host allows,
   * else a plain folder. Idempotent: a folder already mounted stays as it is.
   */
  async prepare(app: string, component: string, hddGB: number): Promise<HddEnforcement> {
    const dir = this.dataDir(app, component);
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const support = this.support();
    if (!support.enforced) return support;
    const file = this.imageFile(app, component);
    if (isMountPoint(dir)) {
      await this.#grow(app, component, file, dir, hddGB);
      return { enforced: true };
    }
    const fresh = !existsSync(file);
    try {
      if (fresh) await makeVolume(file, hddGB);
      // Data already in the plain folder (Syncthing's markers or a copy it received before the
      // container was first made here, or data from before hdd was enforced) moves into the volume;
      // mounting over it would hide it.
      if (fresh && (await readdir(dir)).length > 0) await this.#moveInto(file, dir);
      await mountVolume(file, dir);
    } catch (err) {
      if (fresh) await rm(file, { force: true });
      return this.#plain(app, component, `cannot make or mount the volume: ${firstLine(err)}`);
    }
    if (fresh) this.#log.info({ app, component, hddGB }, 'app data volume created');
    return { enforced: true };
  }

  /**
   * An update that raised `hdd`: the file and its filesystem grow, while mounted where the kernel
   * lets us, else unmounted for a moment (when no container holds it any more: the reconciler
   * removes the old one before making the new). A lowered `hdd` keeps the larger volume until the
   * app leaves the node (ext4 cannot shrink while mounted).
   */
  async #grow(app: string, component: string, file: string, dir: string, hddGB: number): Promise<void> {
    const want = Math.round(hddGB * GIB);
    const fs = statfsSync(dir);
    // statfs counts what ext4 leaves for files: a few percent below the file's size.
    if (fs.blocks * fs.bsize >= want * 0.9) return;
    try {
      if (statSync(file).size < want) await setSize(file, want);
      if (!(await growOnline(file)) && !(await growOffline(file, dir))) {
        this.#log.warn(
          { app, component, hddGB },
          'app data volume in use: it grows when its container is made again',
        );
        return;
      }
      this.#log.info({ app, component, hddGB }, 'app data volume grown');
    } catch (err) {
      this.#log.warn({ app, component, hddGB, err: firstLine(err) }, 'cannot grow an app data volume');
    }
  }

  /** Copies what `dir` holds into the new volume `file` (which must hold it), then empties `dir`. */
  async #moveInto(file: string, dir: string): Promise<void> {
    const staging = `${file}.staging`;
    await mkdir(staging, { recursive: true, mode: 0o700 });
    try {
      await run('mount', ['-o', 'loop,nosuid,nodev', file, staging]);
      try {
        // cp -a keeps owners, modes and times; it fails (ENOSPC) when the data exceeds hdd.
        await run('cp', ['-a', `${dir}/.`, staging]);
      } finally {
        await unmount(staging);
      }
    } finally {
      await rmdir(staging).catch(() => {});
    }
    for (const entry of await readdir(dir)) await rm(path.join(dir, entry), { recursive: true, force: true });
  }

  /** Unmounts the component's volume (freeing its loop device) and deletes it with the folder. */
  async release(app: string, component: string): Promise<void> {
    const dir = this.dataDir(app, component);
    const file = this.imageFile(app, component);
    if (isMountPoint(dir)) await unmount(dir);
    // Normally freed by the unmount (mount -o loop sets autoclear); a leftover is detached here.
    for (const dev of loopDevicesOf(file)) await run('losetup', ['-d', dev]).catch(() => {});
    await rm(file, { force: true });
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Mounts again every volume whose folder is not mounted (after the host restarted: mounts do not
   * outlive it, the files do). Returns how many were mounted.
   */
  async restore(): Promise<number> {
    if (!this.support().enforced) return 0;
    let names: string[] = [];
    try {
      names = await readdir(path.join(this.#nodeDir, 'appvolumes'));
    } catch {
      return 0;
    }
    let mounted = 0;
    for (const name of names) {
      const m = /^([A-Za-z0-9]+)_([A-Za-z0-9]+)\.ext4$/.exec(name);
      if (!m?.[1] || !m[2]) continue;
      const dir = this.dataDir(m[1], m[2]);
      if (isMountPoint(dir)) continue;
      try {
        await mkdir(dir, { recursive: true, mode: 0o750 });
        await mountVolume(this.imageFile(m[1], m[2]), dir);
        mounted++;
      } catch (err) {
        this.#log.warn(
          { app: m[1], component: m[2], err: firstLine(err) },
          'cannot remount an app data volume',
        );
      }
    }
    if (mounted > 0) this.#log.info({ mounted }, 'app data volumes remounted');
    return mounted;
  }

  #plain(app: string, component: string, reason: string): HddEnforcement {
    this.#log.warn({ app, component, reason }, 'app hdd not enforced: plain data folder');
    return { enforced: false, reason };
  }
}

/** Why this host cannot make volumes, or undefined when it can. */
function unsupportedReason(): string | undefined {
  if (process.platform !== 'linux') return `loop-mounted volumes need Linux, not ${process.platform}`;
  if (process.getuid?.() !== 0) return 'the node does not run as root (mounting needs it)';
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control is missing)';
  for (const tool of ['mkfs.ext4', 'resize2fs', 'mount', 'umount', 'losetup', 'cp']) {
    if (!findTool(tool)) return `${tool} is not installed (scripts/setup-host.sh installs it)`;
  }
  return undefined;
}

async function setSize(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

/** resize2fs on the mounted filesystem (needs a kernel and capabilities that allow it). */
async function growOnline(file: string): Promise<boolean> {
  const [dev] = loopDevicesOf(file);
  if (!dev) return false;
  try {
    await run('losetup', ['-c', dev]);
    await run('resize2fs', [dev]);
    return true;
  } catch {
    return false;
  }
}

/** Unmounts, checks and resizes the file, mounts again; false when something else still holds it. */
async function growOffline(file: string, dir: string): Promise<boolean> {
  const [dev] = loopDevicesOf(file);
  await run('umount', [dir]);
  if (dev && loopDevicesOf(file).includes(dev)) {
    // A container still has it mounted: the same device goes back, nothing is resized under it.
    await run('mount', ['-o', 'nosuid,nodev', dev, dir]);
    return false;
  }
  try {
    // resize2fs wants a freshly checked filesystem; exit 1 means e2fsck fixed something, fine.
    await run('e2fsck', ['-f', '-p', file]).catch((err: { code?: number }) => {
      if (err.code !== 1) throw err;
    });
    await run('resize2fs', [file]);
  } finally {
    await mountVolume(file, dir);
  }
  return true;
}

/** A sparse file of `hddGB` GiB holding a fresh ext4 filesystem. */
async function makeVolume(file: string, hddGB: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.truncate(Math.round(hddGB * GIB));
  } finally {
    await handle.close();
  }
  // -m 0: no blocks kept back for root, so the app gets all of what it paid for;
  // -E nodiscard: nothing to discard in a new sparse file, and it would cost a pass over it.
  await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'nodiscard', file]);
}

async function mountVolume(file: string, dir: string): Promise<void> {
  await run('mount', ['-o', 'loop,nosuid,nodev', file, dir]);
  // The app sees its own folder, not the filesystem's lost+found (some refuse a non-empty data dir);
  // e2fsck makes it again if it ever needs it.
  await rmdir(path.join(dir, 'lost+found')).catch(() => {});
  await chmod(dir, 0o750);
}

async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch {
    // Still busy (a container not quite gone): detach now, the kernel frees it when the last user goes.
    await run('umount', ['--lazy', dir]);
  }
}

async function run(tool: string, args: string[]): Promise<void> {
  const bin = findTool(tool);
  if (!bin) throw new Error(`${tool} is not installed`);
  await execFileAsync(bin, args, { timeout: TOOL_TIMEOUT_MS });
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return String(e.stderr || e.message || err).split('\n')[0] ?? '';
}
