/**
 * The one JSON encoding of state the node stores (table rows, undo records): a bigint is written
 * as the string "123n" and read back as a bigint, so stored state round-trips exactly. API and CLI
 * output use `jsonReplacer` of `consensus/output-json.ts` instead (amounts as fluxd prints them).
 */

/** JSON.stringify replacer: bigint → "123n". */
export function storedBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/** JSON.parse reviver: "123n" → 123n (the inverse of `storedBigint`). */
export function reviveStoredBigint(_key: string, value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value;
}
