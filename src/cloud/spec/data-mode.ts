/**
 * The replication mode in a component's `containerData`, FluxOS's grammar: an optional one-letter
 * prefix, then the absolute path the node's data folder is mounted at.
 * - `/data`: local only (the folder stays on the node; a moved instance starts empty);
 * - `s:/data`: every instance syncs the folder both ways;
 * - `r:/data`: a new instance first receives a full copy, then syncs both ways;
 * - `g:/data`: one primary runs the container, the other instances keep a synced copy on standby.
 * FluxOS also lets a component mount another's folder (`/data|0:/shared`); that form is refused.
 */

export const DATA_MODES = ['local', 's', 'r', 'g'] as const;
export type DataMode = (typeof DATA_MODES)[number];

export interface ContainerDataParts {
  mode: DataMode;
  /** The mount target inside the container ('' when the component keeps no data). */
  path: string;
}

const PREFIXED = /^([a-z]):(.*)$/s;

/**
 * Splits a containerData value into its mode and path. Only the grammar: the path's own rules
 * (absolute, no traversal, …) are the validator's. Unknown prefixes come back as mode 'local' with
 * the whole value as path, so the validator refuses them by their path.
 */
export function splitContainerData(value: string): ContainerDataParts & { prefix?: string } {
  const m = PREFIXED.exec(value);
  if (!m) return { mode: 'local', path: value };
  const [, letter = '', rest = ''] = m;
  if (letter === 's' || letter === 'r' || letter === 'g') return { mode: letter, path: rest };
  return { mode: 'local', path: value, prefix: letter };
}

/** True for the modes whose folder Syncthing shares among the component's instances. */
export function isReplicated(mode: DataMode): boolean {
  return mode !== 'local';
}
