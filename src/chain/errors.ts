/**
 * The stored chain state is not what the chain logic left there (a missing undo record, a spent
 * output that is not in the UTXO set, a tip that is not in the index, another network's database).
 * Never caused by a peer's data: it means corruption or a bug, and the node must not go on.
 */
export class ChainStateError extends Error {
  readonly problems: string[];

  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message);
    this.name = 'ChainStateError';
    this.problems = problems;
  }
}

export const CHAIN_CONFIG_ERRORS = {
  'duplicate-extension': 'two state extensions have the same name',
  'unknown-dependency': 'an extension depends on one the chain does not have',
  'dependency-cycle': 'extensions depend on each other in a cycle',
} as const;

export type ChainConfigErrorCode = keyof typeof CHAIN_CONFIG_ERRORS;

/** The chain was opened with a set of extensions it cannot run (refused before anything is written). */
export class ChainConfigError extends Error {
  readonly code: ChainConfigErrorCode;
  readonly field: string;
  readonly value: string;

  constructor(code: ChainConfigErrorCode, message: string, at: { field: string; value: string }) {
    super(`${CHAIN_CONFIG_ERRORS[code]}: ${message}`);
    this.name = 'ChainConfigError';
    this.code = code;
    this.field = at.field;
    this.value = at.value;
  }
}
