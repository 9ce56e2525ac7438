/**
 * The field readers of spec validation: typed reads that record an issue (field, value, rule,
 * message) instead of throwing, so one bad field never hides the others.
 */
import type { AppSpecIssue } from './schema.ts';

export class Issues {
  readonly list: AppSpecIssue[] = [];

  add(field: string, value: unknown, rule: string, message: string): void {
    this.list.push({ field, value, rule, message });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Reads a field that must be a string; reports `required`/`type` and returns undefined when it is not. */
export function str(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  fallback?: string,
) {
  const v = obj[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    issues.add(path, v, 'required', `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    issues.add(path, v, 'type', `${key} must be a string, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

export function num(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  fallback?: number,
) {
  const v = obj[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    issues.add(path, v, 'required', `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    issues.add(path, v, 'type', `${key} must be a number, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** An integer field within [min, max]; `rule` names the bound. */
export function int(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  bounds: { min: number; max: number; rule: string; unit?: string },
  fallback?: number,
) {
  const v = num(obj, key, path, issues, fallback);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) {
    issues.add(path, v, 'integer', `${key} must be a whole number`);
    return undefined;
  }
  if (v < bounds.min || v > bounds.max) {
    const unit = bounds.unit ? ` ${bounds.unit}` : '';
    issues.add(path, v, bounds.rule, `${key} must be between ${bounds.min} and ${bounds.max}${unit}`);
    return undefined;
  }
  return v;
}

export function arrayOf<T extends 'string' | 'number'>(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  itemType: T,
): (T extends 'string' ? string : number)[] | undefined {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.add(path, v, 'type', `${key} must be a list of ${itemType}s, not ${typeName(v)}`);
    return undefined;
  }
  let ok = true;
  v.forEach((item, i) => {
    const good =
      itemType === 'number' ? typeof item === 'number' && Number.isFinite(item) : typeof item === itemType;
    if (!good) {
      issues.add(
        `${path}[${i}]`,
        item,
        'type',
        `each entry of ${key} must be a ${itemType}, not ${typeName(item)}`,
      );
      ok = false;
    }
  });
  return ok ? (v as (T extends 'string' ? string : number)[]) : undefined;
}

export function unknownKeys(
  obj: Record<string, unknown>,
  allowed: string[],
  prefix: string,
  issues: Issues,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      issues.add(
        `${prefix}${key}`,
        obj[key],
        'unknown-field',
        `unknown field "${key}" (allowed: ${allowed.join(', ')})`,
      );
    }
  }
}
