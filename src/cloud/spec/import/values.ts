/**
 * Readers shared by the importers. FluxOS stored v1–v3 lists as JSON text (`ports: '[31000]'`) and
 * its front end sends numbers as strings, so both forms are read; anything else is left for the
 * validator to name.
 */

/** A list, a JSON-encoded list, or one bare value; undefined stays undefined. */
export function listOf(v: unknown): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(t);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // Not JSON after all: the validator reports the field with its original text.
      }
    }
    return t === '' ? [] : [v];
  }
  return [v];
}

/** A number, or a string holding one; otherwise the value as given. */
export function numberOf(v: unknown): unknown {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
}

/** Each entry through `numberOf`, so `['31000']` becomes `[31000]`. */
export function numbersOf(v: unknown): unknown[] | undefined {
  return listOf(v)?.map(numberOf);
}

/** Only letters and digits, as fluxnode's component and app names allow. */
export function alnum(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}

export function isRecordValue(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
