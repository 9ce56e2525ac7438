/**
 * Every consensus failure names the rule broken (a stable, fluxd-style code such as
 * `bad-txns-vout-negative`), and where it helps the field and the value at fault.
 */
export class ConsensusError extends Error {
  readonly rule: string;
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(rule: string, detail?: string, options?: { field?: string; value?: unknown }) {
    super(detail ? `${rule}: ${detail}` : rule);
    this.name = 'ConsensusError';
    this.rule = rule;
    this.field = options?.field;
    this.value = options?.value;
  }
}

/** Bytes that cannot be read as the structure asked for (truncated, oversized, trailing data). */
export class DecodeError extends ConsensusError {
  readonly offset: number;

  constructor(field: string, offset: number, detail: string) {
    super('decode-error', `${field} at byte ${offset}: ${detail}`, { field, value: offset });
    this.name = 'DecodeError';
    this.offset = offset;
  }
}

/** Result of a check that may fail with a reason, for callers that prefer values to throws. */
export type Verdict = { ok: true } | { ok: false; rule: string; reason: string };

export function verdictOf(fn: () => void): Verdict {
  try {
    fn();
    return { ok: true };
  } catch (err) {
    if (err instanceof ConsensusError) return { ok: false, rule: err.rule, reason: err.message };
    throw err;
  }
}
