// A component's persistent folder on the host (`<nodeDir>/appdata/<app>/<component>`), made so the
// container can write it. On an engine with user-namespace remapping, root in the container is an
// unprivileged uid on the host (the remapped root, e.g. 100000): the folder is handed to that uid.
// The folders above it stay private: the engine resolves a bind mount's source as the host's root.

import { chmod, chown, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The host uid and gid a container's root maps to; null when the engine does not remap. */
export interface RemappedRoot {
  uid: number;
  gid: number;
}

/**
 * Reads the remapped root from the engine's `info`: with remapping on, its SecurityOptions list
 * `name=userns` and its root folder ends in `<uid>.<gid>` (dockerd keeps a store per mapping).
 */
export function remappedRootOf(info: {
  SecurityOptions?: unknown;
  DockerRootDir?: unknown;
}): RemappedRoot | null {
  const options = Array.isArray(info.SecurityOptions) ? info.SecurityOptions : [];
  if (!options.some((o) => typeof o === 'string' && /(^|,)name=userns(,|$)/.test(o))) return null;
  const m = /\/(\d+)\.(\d+)\/?$/.exec(typeof info.DockerRootDir === 'string' ? info.DockerRootDir : '');
  if (!m) return null;
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/**
 * Creates the component's folder (and the app's above it) and gives it to the container's root.
 * A node that may not change owners (not root, no CAP_CHOWN) opens the folder to every user
 * instead, which only the node's user and root can reach (the node's folder is private); the
 * answer says which happened.
 */
export async function prepareAppData(
  hostDataDir: string,
  root: RemappedRoot | null,
): Promise<'not-remapped' | 'owned' | 'open'> {
  await mkdir(path.dirname(hostDataDir), { recursive: true, mode: 0o750 });
  await mkdir(hostDataDir, { recursive: true, mode: 0o750 });
  if (!root) return 'not-remapped';
  const own = await lstat(hostDataDir);
  if (own.uid === root.uid && own.gid === root.gid) return 'owned';
  try {
    // Data written before remapping was on (or under another mapping) is handed over once, whole.
    await chownTree(hostDataDir, root);
    return 'owned';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await chmod(hostDataDir, 0o777);
    return 'open';
  }
}

async function chownTree(target: string, root: RemappedRoot): Promise<void> {
  const st = await lstat(target);
  if (st.isDirectory()) {
    for (const entry of await readdir(target)) await chownTree(path.join(target, entry), root);
  }
  // lstat and no symlink following: a link inside app data never hands over a host file.
  if (!st.isSymbolicLink()) await chown(target, root.uid, root.gid);
}
