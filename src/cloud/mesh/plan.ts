/**
 * The mesh's reconcile decision, pure: the desired config text against what HAProxy runs now.
 * HAProxy refuses to start without a single listener, so an empty view stops it.
 */
export type MeshAction = 'none' | 'start' | 'reload' | 'stop';

export interface MeshActual {
  /** The config text HAProxy was last (re)loaded with; undefined when it does not run. */
  text: string | undefined;
  running: boolean;
}

export function planMesh(desired: { text: string; listeners: number }, actual: MeshActual): MeshAction {
  if (desired.listeners === 0) return actual.running ? 'stop' : 'none';
  if (!actual.running) return 'start';
  return desired.text === actual.text ? 'none' : 'reload';
}
