/**
 * What an import could not carry over as written. Every field of the source that is dropped or
 * changed gets one note, so an owner can read the report and decide before paying for the spec.
 */

export type ImportAction = 'dropped' | 'changed' | 'defaulted';

export interface ImportNote {
  /** Where in the source, e.g. `compose[1].domains` or `services.db.healthcheck`. */
  field: string;
  action: ImportAction;
  /** The source's value (for `dropped`/`changed`), or the value chosen (for `defaulted`). */
  value: unknown;
  reason: string;
}

/** An imported spec (plain data: pass it to `validateAppSpec`) and the notes on the way there. */
export interface ImportResult {
  /** `fluxos-v1` … `fluxos-v8`, or `compose`. */
  source: string;
  spec: Record<string, unknown>;
  notes: ImportNote[];
}

/** The error for a source that cannot be imported at all (not a spec, an encrypted one, no services). */
export class SpecImportError extends Error {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, message: string) {
    super(message);
    this.name = 'SpecImportError';
    this.field = field;
    this.value = value;
  }
}

export class NoteBook {
  readonly list: ImportNote[] = [];

  dropped(field: string, value: unknown, reason: string): void {
    this.list.push({ field, action: 'dropped', value, reason });
  }

  changed(field: string, value: unknown, reason: string): void {
    this.list.push({ field, action: 'changed', value, reason });
  }

  defaulted(field: string, value: unknown, reason: string): void {
    this.list.push({ field, action: 'defaulted', value, reason });
  }
}

/** Values that carry nothing (empty strings, lists and objects, false): dropping them needs no note. */
export function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.every((x) => x === '' || x === undefined || x === null);
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/**
 * FluxOS and compose run containers with a writable root filesystem; a fluxnode component's is
 * read-only unless its spec says `writableRootFilesystem: true` (docs/security.md).
 */
export const READ_ONLY_ROOT =
  'the root filesystem is read-only on fluxnode (writes go to containerData, /tmp and /run); set writableRootFilesystem: true if the image writes elsewhere';
