/**
 * Reading a spec from text. JSON and YAML (1.2 core schema, so `on`/`yes` stay strings) are both
 * accepted; duplicate keys are an error in either, since a spec that means two things cannot be signed.
 */
import { parseDocument } from 'yaml';
import { AppSpecError } from './schema.ts';

export type SpecFormat = 'json' | 'yaml';

/** `json` for `.json` files, `yaml` for `.yaml`/`.yml`, undefined (guess from content) otherwise. */
export function formatFromPath(path: string): SpecFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

function syntaxError(format: SpecFormat, detail: string): AppSpecError {
  return new AppSpecError([
    { field: '', value: undefined, rule: 'syntax', message: `not valid ${format.toUpperCase()}: ${detail}` },
  ]);
}

/** Finds keys repeated inside one JSON object, which JSON.parse silently collapses. */
function jsonDuplicateKey(text: string): string | undefined {
  // Re-read with the YAML parser, which reports duplicates; JSON is (for this purpose) YAML.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  return dup?.message;
}

/**
 * Parses spec text into a plain value (not yet validated: pass the result to `validateAppSpec`).
 * Without `format`, text whose first non-blank character is `{` is read as JSON, anything else as YAML.
 * Throws AppSpecError with rule `syntax` when the text is not well-formed.
 */
export function parseAppSpec(text: string, format?: SpecFormat): unknown {
  const fmt: SpecFormat = format ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
  if (fmt === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw syntaxError('json', err instanceof Error ? err.message : String(err));
    }
    const dup = jsonDuplicateKey(text);
    if (dup) throw syntaxError('json', dup);
    return value;
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw syntaxError('yaml', doc.errors[0].message);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw syntaxError('yaml', err instanceof Error ? err.message : String(err));
  }
}
