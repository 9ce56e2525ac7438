/**
 * What a fuzz target is: inputs (a fast-check arbitrary) and a check that returns a finding — a
 * sentence saying what went wrong — or undefined. A finding is a broken promise of the code under
 * test: an untyped exception from a decoder, a 500 or an internal RPC error, a server that stops
 * answering. Typed refusals of bad input are the expected outcome, not findings.
 */
import type fc from 'fast-check';
import { isBug } from '../../src/consensus/errors.ts';

export interface FuzzTarget<I = unknown> {
  name: string;
  input: fc.Arbitrary<I>;
  check(input: I): Promise<string | undefined> | string | undefined;
}

/** Runs `fn`; an error that `expected` does not accept (or any engine error) is a finding. */
export function onlyTyped(fn: () => unknown, expected: (err: unknown) => boolean): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isBug(err) && expected(err)) return undefined;
    return `untyped ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  }
}

/** Corpus files keep inputs as JSON; bytes are written as {"$bytes": "<hex>"}. */
export function toCorpusJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => (v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('hex') } : v),
    2,
  );
}

export function fromCorpusJson(text: string): unknown {
  return JSON.parse(text, (_k, v) =>
    v && typeof v === 'object' && typeof v.$bytes === 'string'
      ? Uint8Array.from(Buffer.from(v.$bytes, 'hex'))
      : v,
  );
}
