/**
 * Compose's value grammars that need reading: port mappings, memory sizes, CPU counts, environment
 * lists and command lines. Each reader returns undefined for what it cannot read; the caller notes it.
 */
import { isRecordValue } from './values.ts';

export interface PortMapping {
  published: number | undefined;
  target: number;
}

/** `"31000:80"`, `"127.0.0.1:31000:80/tcp"`, `"80"`, `8080`, or `{target, published}`; ranges are not read. */
export function readPort(v: unknown): PortMapping | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? { published: undefined, target: v } : undefined;
  if (isRecordValue(v)) {
    const target = Number(v.target);
    const published = v.published === undefined ? undefined : Number(v.published);
    if (!Number.isInteger(target) || (published !== undefined && !Number.isInteger(published)))
      return undefined;
    return { published, target };
  }
  if (typeof v !== 'string') return undefined;
  const parts = v.replace(/\/(tcp|udp|sctp)$/, '').split(':');
  if (parts.some((p) => !/^\d+$/.test(p)) && parts.length < 3) return undefined;
  const target = Number(parts.at(-1));
  const published = parts.length >= 2 ? Number(parts.at(-2)) : undefined;
  if (!Number.isInteger(target) || (published !== undefined && !Number.isInteger(published)))
    return undefined;
  return { published, target };
}

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** Compose's byte sizes (`512m`, `1g`, `1.5GB`, or a number of bytes) in megabytes. */
export function readMegabytes(v: unknown): number | undefined {
  if (typeof v === 'number') return v / 1024 ** 2;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = UNIT_BYTES[(m[2] ?? '').toLowerCase() || 'b'];
  return unit === undefined ? undefined : (Number(m[1]) * unit) / 1024 ** 2;
}

export function readCpus(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** `environment:` as a list of `KEY=value` or a map; a key without a value stays `KEY=`. */
export function readEnvironment(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (isRecordValue(v))
    return Object.entries(v).map(
      ([k, val]) => `${k}=${val === null || val === undefined ? '' : String(val)}`,
    );
  return [];
}

/**
 * A command line: a list as is, a string split the way a shell would split plain words and quotes
 * (no variables or escapes beyond a backslash before a character).
 */
export function readCommand(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string') return undefined;
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < v.length; i++) {
    const ch = v.charAt(i);
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < v.length) {
      word += v.charAt(++i);
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (quote) return undefined;
  if (started) words.push(word);
  return words;
}

/** The container path of a volume entry: `name:/path[:ro]`, `./dir:/path`, `/path`, or `{target}`. */
export function volumeTarget(v: unknown): { target: string; source: string | undefined } | undefined {
  if (isRecordValue(v))
    return typeof v.target === 'string'
      ? { target: v.target, source: typeof v.source === 'string' ? v.source : undefined }
      : undefined;
  if (typeof v !== 'string') return undefined;
  const parts = v.split(':');
  if (parts.length === 1) return { target: v, source: undefined };
  const [source, target] = parts;
  return target === undefined ? undefined : { target, source };
}
