// How a private dockerd keeps app containers apart from the host and from each other: the daemon
// flags for user-namespace remapping and for iptables, and the host preparation remapping needs.
//
// - User namespaces (--userns-remap=default): every engine maps a container's root to the
//   unprivileged `dockremap` user's subordinate ids (/etc/subuid, /etc/subgid; scripts/setup-host.sh
//   creates them, and dockerd itself would when absent), so uid 0 in a container is uid 100000 or
//   so on the host. dockerd then keeps its images and containers in `<data-root>/<uid>.<gid>` (and
//   its runtime state in `<exec-root>.<uid>.<gid>`, next to the exec root) and refuses to start when
//   a folder above the store does not let that uid pass (search permission, o+x).
// - iptables: Docker's chains are global to a network namespace, and several engines rewriting the
//   same chains corrupt each other's state. An engine alone in a namespace of its own (`devnet up
//   --netns`) has its own tables, so it runs with iptables on: Docker's isolation chains drop
//   traffic between two app networks, and the default bridge has inter-container traffic off. An
//   engine sharing the host's namespace keeps iptables off (see dockerd.ts).

import { readdirSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';

/** The user whose subordinate ids containers run as (dockerd's `default` remapping). */
export const REMAP_USER = 'dockremap';

export interface IsolationOptions {
  /** The engine runs in a network namespace of its own: iptables on. */
  netns?: string;
}

/** The dockerd flags for user namespaces and packet filtering. */
export function isolationArgs(opts: IsolationOptions): string[] {
  const userns = '--userns-remap=default';
  if (!opts.netns) return [userns, '--iptables=false', '--ip-masq=false', '--ip-forward=false'];
  // In its own namespace the engine owns the tables and the namespace's forwarding switch.
  return [userns, '--iptables=true', '--ip-masq=true', '--ip-forward=true', '--icc=false'];
}

/**
 * Gives `dataRoot` and every folder above it search permission for others (o+x, never read), which the
 * remapped root needs to reach its layers; returns the folders changed. This is what dockerd's own
 * error message asks for; without it a devnet in a private temporary folder (mode 0700) cannot start.
 */
export async function allowRemappedTraversal(dataRoot: string): Promise<string[]> {
  const changed: string[] = [];
  for (let dir = path.resolve(dataRoot); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode & 0o7777;
    if ((mode & 0o001) !== 0) continue;
    await chmod(dir, mode | 0o001);
    changed.push(dir);
  }
  return changed;
}

/** The exec roots dockerd made next to `execRoot` for remapped ids (`exec.100000.100000`). */
export function remappedExecRoots(execRoot: string): string[] {
  const name = path.basename(execRoot);
  let entries: string[];
  try {
    entries = readdirSync(path.dirname(execRoot));
  } catch {
    return [];
  }
  const own = (e: string) => e.startsWith(`${name}.`) && /^\d+\.\d+$/.test(e.slice(name.length + 1));
  return entries.filter(own).map((e) => path.join(path.dirname(execRoot), e));
}
