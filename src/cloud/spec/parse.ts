/**
 * Reading a spec from text. JSON and YAML (1.2 core schema, so `on`/`yes` stay strings) are both
 * accepted; duplicate keys are an error in either, since a spec that means two things cannot be signed.
 */
import { createRequire } from 'node:module';
import { jsonDepth } from '../../consensus/index.ts';
import { AppSpecError } from './schema.ts';

type Yaml = typeof import('yaml');
let yaml: Yaml | undefined;

/** The YAML parser, loaded at first use: a node that reads no spec text is spared its ~70 modules. */
function parseDocument(...args: Parameters<Yaml['parseDocument']>): ReturnType<Yaml['parseDocument']> {
  yaml ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yaml.parseDocument(...args);
}

/** The longest spec text read, in characters (a real spec is a few kilobytes; registered ones travel by gossip). */
export const MAX_SPEC_BYTES = 128 * 1024;
/** Deepest bracket nesting read: a valid spec nests four levels, parsers recurse per level. */
export const MAX_SPEC_DEPTH = 32;

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

/** Size and nesting are checked on the text, before a parser allocates or recurses. */
function checkBounds(text: string): void {
  if (text.length > MAX_SPEC_BYTES)
    throw new AppSpecError([
      {
        field: '',
        value: text.length,
        rule: 'size',
        message: `a spec is at most ${MAX_SPEC_BYTES} characters, this one has ${text.length}`,
      },
    ]);
  // Brackets count in both formats (YAML flow collections); YAML block nesting is bounded by the size.
  const { depth, offset } = jsonDepth(text, MAX_SPEC_DEPTH);
  if (depth > MAX_SPEC_DEPTH)
    throw new AppSpecError([
      {
        field: '',
        value: depth,
        rule: 'depth',
        message: `nested deeper than ${MAX_SPEC_DEPTH} levels (at character ${offset})`,
      },
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
  checkBounds(text);
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
  const [firstError] = doc.errors;
  if (firstError) {
    // Compact block nesting (`- - - - x`) is not bracketed: the parser's own recursion limit finds it.
    const message = firstError.message;
    if (/call stack/i.test(message))
      throw new AppSpecError([
        { field: '', value: undefined, rule: 'depth', message: 'YAML nested too deeply to read' },
      ]);
    throw syntaxError('yaml', message);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw syntaxError('yaml', err instanceof Error ? err.message : String(err));
  }
}
