/**
 * The one replacer for the JSON that API and CLI print: a bigint that is not an amount (amounts go
 * through `fluxAmount` of api/json.ts, as fluxd prints them) is written as a decimal string so it
 * stays exact. It lives at the bottom of the house so that a CLI command that only prints
 * consensus data does not load the API layer to print it.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
