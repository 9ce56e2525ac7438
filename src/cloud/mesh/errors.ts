/** Why the routing mesh could not do its job; each carries the value at fault. */
export const MESH_ERRORS = {
  /** No haproxy binary where the node looks: the node runs on, without a mesh. */
  haproxyMissing: 'haproxy-missing',
  /** `haproxy -c` refused the generated config (a bug in the generator, or an odd host). */
  configInvalid: 'config-invalid',
  /** HAProxy exited, or did not report "Loading success", when started. */
  startFailed: 'start-failed',
  /** HAProxy's master kept the old config: the new one failed to load. */
  reloadFailed: 'reload-failed',
} as const;

export type MeshErrorCode = (typeof MESH_ERRORS)[keyof typeof MESH_ERRORS];

export class MeshError extends Error {
  readonly code: MeshErrorCode;
  readonly field: string;
  readonly value: unknown;

  constructor(code: MeshErrorCode, field: string, value: unknown, message: string) {
    super(message);
    this.name = 'MeshError';
    this.code = code;
    this.field = field;
    this.value = value;
  }
}
