/**
 * A template or share that cannot be built or accepted, with a stable code (`bad-payee`,
 * `no-solver`, …), the field at fault and its value. Consensus rule failures stay ConsensusErrors.
 */
export class MiningError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(code: string, detail: string, options?: { field?: string; value?: unknown }) {
    super(`${code}: ${detail}`);
    this.name = 'MiningError';
    this.code = code;
    this.field = options?.field;
    this.value = options?.value;
  }
}
