/**
 * Typed failures of cloud messages. Decoding and verifying are separate steps with separate errors:
 * a decode error means the bytes are not a message at all (the sender is broken or hostile), a
 * verify error means a well-formed message that is not acceptable (unknown node, wrong signer, …).
 */

export type MessageKindName =
  | 'heartbeat'
  | 'running-report'
  | 'benchmark'
  | 'spec-announcement'
  | 'owner-request';

/** Bytes that are not a well-formed message: `field` names what could not be read, `value` what was found. */
export class MessageDecodeError extends Error {
  readonly kind: MessageKindName | 'message';
  readonly field: string;
  readonly value: unknown;

  constructor(kind: MessageKindName | 'message', field: string, value: unknown, detail: string) {
    super(`${kind}.${field}: ${detail}`);
    this.name = 'MessageDecodeError';
    this.kind = kind;
    this.field = field;
    this.value = value;
  }
}

/**
 * A well-formed message that must not be believed. `rule` is a stable code:
 * `unknown-node` (no registered node has this id), `bad-signature` (not signed by the node's
 * operator key, or by the spec's owner), `invalid-spec` (the announced spec breaks the spec rules),
 * `not-canonical` (the spec text is not the canonical form its hash is computed over); for owner
 * requests also `unknown-app`, `wrong-node` (signed for another node), `stale-request` (time too far
 * from ours) and `replayed` (a restart already carried out).
 */
export class MessageVerifyError extends Error {
  readonly kind: MessageKindName;
  readonly rule: string;
  readonly field: string;
  readonly value: unknown;
  /** Points against the sender (0: it may be honest, e.g. it knows a node we do not know yet). */
  readonly score: number;

  constructor(
    kind: MessageKindName,
    rule: string,
    field: string,
    value: unknown,
    detail: string,
    score = 25,
  ) {
    super(`${kind} [${rule}] ${field}: ${detail}`);
    this.name = 'MessageVerifyError';
    this.kind = kind;
    this.rule = rule;
    this.field = field;
    this.value = value;
    this.score = score;
  }
}

/** A value handed to an encoder that the format cannot carry; nothing is encoded. */
export class MessageFieldError extends Error {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, detail: string) {
    super(`${field} = ${JSON.stringify(value)}: ${detail}`);
    this.name = 'MessageFieldError';
    this.field = field;
    this.value = value;
  }
}
