import { type ConsensusParams, decodeAddress, type Tier, TIERS } from '../../consensus/index.ts';
import { HttpError } from '../http-server.ts';
import { prefixes } from '../json.ts';

/** Input checks for REST parameters: each failure is a 400 naming the parameter and the value. */

const HEX64 = /^[0-9a-fA-F]{64}$/;
const APP_NAME = /^[A-Za-z0-9]{1,32}$/;

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

export function badRequest(name: string, value: string, expected: string): HttpError {
  return new HttpError(400, `${name} ${show(value)} is not valid: expected ${expected}`);
}

export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}

/** An optional integer query parameter within [min, max]; `fallback` when absent. */
export function intParam(
  query: URLSearchParams,
  name: string,
  opts: { min: number; max: number; fallback: number },
): number;
export function intParam(
  query: URLSearchParams,
  name: string,
  opts: { min: number; max: number; fallback?: undefined },
): number | undefined;
export function intParam(
  query: URLSearchParams,
  name: string,
  opts: { min: number; max: number; fallback?: number },
): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return opts.fallback;
  if (!/^-?\d+$/.test(raw)) throw badRequest(name, raw, `an integer from ${opts.min} to ${opts.max}`);
  const n = Number(raw);
  if (n < opts.min || n > opts.max) throw badRequest(name, raw, `an integer from ${opts.min} to ${opts.max}`);
  return n;
}

/** A block reference: a height (digits) or a block hash (64 hex digits). */
export function blockRef(value: string): number | string {
  if (/^\d{1,10}$/.test(value)) return Number(value);
  if (HEX64.test(value)) return value.toLowerCase();
  throw badRequest('block', value, 'a height or a 64-hex-digit block hash');
}

export function txidParam(value: string): string {
  if (!HEX64.test(value)) throw badRequest('txid', value, '64 hex digits');
  return value.toLowerCase();
}

/** A collateral outpoint as the registry keys it: "txid:n". */
export function collateralParam(value: string): string {
  const [, txid, index] = /^([0-9a-fA-F]{64}):(\d{1,10})$/.exec(value) ?? [];
  if (txid === undefined || Number(index) > 0xffffffff)
    throw badRequest('collateral', value, '"txid:n" (64 hex digits, colon, output index)');
  return `${txid.toLowerCase()}:${Number(index)}`;
}

export function appNameParam(value: string): string {
  if (!APP_NAME.test(value)) throw badRequest('app name', value, '1 to 32 letters and digits');
  return value;
}

export function tierParam(value: string | null): Tier | undefined {
  if (value === null || value === '') return undefined;
  const t = value.toLowerCase();
  if (!(TIERS as readonly string[]).includes(t))
    throw badRequest('tier', value, 'cumulus, nimbus or stratus');
  return t as Tier;
}

export function statusParam(value: string | null): 'started' | 'confirmed' | undefined {
  if (value === null || value === '') return undefined;
  if (value !== 'started' && value !== 'confirmed') throw badRequest('status', value, 'started or confirmed');
  return value;
}

/** A transparent address of this network; returns its type and hash. */
export function addressParam(value: string, params: ConsensusParams) {
  try {
    return decodeAddress(value, prefixes(params));
  } catch (err) {
    throw new HttpError(
      400,
      `address ${show(value)} is not valid on ${params.network}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** A JSON request body that must be an object. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, name: string, maxLength = 1000): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0)
    throw new HttpError(400, `field ${name} must be a non-empty string`);
  if (v.length > maxLength) throw new HttpError(400, `field ${name} is longer than ${maxLength} characters`);
  return v;
}
