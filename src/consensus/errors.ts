/**
 * Every consensus failure names the rule broken (a stable, fluxd-style code such as
 * `bad-txns-vout-negative`), where it helps the field and the value at fault, and how bad it is:
 * `score` is what the peer that sent it deserves (bcoin's VerifyError). 100 for a broken rule no
 * honest node relays; 0 for a refusal an honest peer can cause (we lack a parent yet, it saw
 * another double spend first, our pool is full, our policy differs).
 */
export class ConsensusError extends Error {
  readonly rule: string;
  readonly field: string | undefined;
  readonly value: unknown;
  readonly score: number;

  constructor(rule: string, detail?: string, options?: { field?: string; value?: unknown; score?: number }) {
    super(detail ? `${rule}: ${detail}` : rule);
    this.name = 'ConsensusError';
    this.rule = rule;
    this.field = options?.field;
    this.value = options?.value;
    this.score = options?.score ?? BROKEN_RULE_SCORE;
  }
}

/** The score of a rule an honest node never breaks. */
export const BROKEN_RULE_SCORE = 100;
/** The score of a refusal an honest peer can cause. */
export const NO_FAULT = 0;

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

/**
 * Errors the JavaScript engine raises for code that went wrong (a property of undefined, a stack
 * overflow), as opposed to a typed verdict on input. Servers answer these as internal errors and
 * log them; fuzzing counts them as findings.
 */
export function isBug(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError;
}
