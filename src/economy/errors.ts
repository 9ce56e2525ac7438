/**
 * Every economy failure names a stable code (`claim-replayed`, `unknown-node`, …) and, where it
 * helps, the input field and value at fault. Ledgers check everything before they change anything,
 * so a thrown EconomyError always means the ledger is exactly as it was.
 */
export class EconomyError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(code: string, detail?: string, options?: { field?: string; value?: unknown }) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'EconomyError';
    this.code = code;
    this.field = options?.field;
    this.value = options?.value;
  }
}

export function requirePositiveAmount(value: bigint, field: string): void {
  if (typeof value !== 'bigint' || value <= 0n) {
    throw new EconomyError('bad-amount', `${field} must be a positive bigint of satoshis`, { field, value });
  }
}

export function requireNonNegativeAmount(value: bigint, field: string): void {
  if (typeof value !== 'bigint' || value < 0n) {
    throw new EconomyError('bad-amount', `${field} must be a non-negative bigint`, { field, value });
  }
}

export function requireHeight(value: number, field = 'height'): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EconomyError('bad-height', `${field} must be a non-negative integer`, { field, value });
  }
}

export function requireNonEmpty(value: string, field: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new EconomyError('bad-input', `${field} must be a non-empty string`, { field, value });
  }
}

export function requireTime(value: number, field = 'time'): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EconomyError('bad-time', `${field} must be UTC seconds (a non-negative integer)`, {
      field,
      value,
    });
  }
}
