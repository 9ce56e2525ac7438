// The cgroups a private dockerd puts its containers in (--cgroup-parent): finding them in every
// mounted hierarchy, the processes they hold, and removing them once empty. Cleanup relies on them to
// find container processes even when dockerd itself has crashed.

import { existsSync, readdirSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { safeRead, safeReaddir, sleep } from './daemon-process.ts';

// ---- cgroups ---------------------------------------------------------------------------------------

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The cgroup folders named `parent` in every mounted hierarchy (cgroup v1 and v2 layouts). */
export function cgroupDirs(parent: string): string[] {
  const found: string[] = [];
  if (existsSync(path.join(CGROUP_ROOT, parent))) found.push(path.join(CGROUP_ROOT, parent));
  for (const entry of safeReaddir(CGROUP_ROOT)) {
    const candidate = path.join(CGROUP_ROOT, entry, parent);
    if (existsSync(candidate)) found.push(candidate);
  }
  return found;
}

export function cgroupProcesses(dirs: string[]): Set<number> {
  const pids = new Set<number>();
  const visit = (dir: string) => {
    for (const line of safeRead(path.join(dir, 'cgroup.procs')).split('\n')) {
      const pid = Number(line);
      if (line && Number.isInteger(pid)) pids.add(pid);
    }
    for (const sub of subdirs(dir)) visit(sub);
  };
  for (const dir of dirs) visit(dir);
  return pids;
}

/** rmdir a cgroup tree bottom-up, retrying while exiting processes still hold it; returns what is left. */
export async function removeCgroupTree(dir: string): Promise<string | undefined> {
  for (const sub of subdirs(dir)) {
    const left = await removeCgroupTree(sub);
    if (left) return left;
  }
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      await rmdir(dir);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      await sleep(50);
    }
  }
  return dir;
}

function subdirs(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) out.push(path.join(dir, e.name));
    }
  } catch {
    // gone already
  }
  return out;
}

// ---- mounts ----------------------------------------------------------------------------------------
