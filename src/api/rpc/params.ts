/**
 * Readers for the domain values RPC methods take (addresses, app names, asset ids): each checks
 * the form before a method looks anything up, and refuses with fluxd's code for that kind of
 * mistake (-5 for an address, -8 for any other invalid parameter) and a message naming the value.
 */
import { type ConsensusParams, decodeAddress } from '../../consensus/index.ts';
import { appLimitsFor } from '../../cloud/index.ts';
import { prefixes } from '../json.ts';
import { param } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';

/** Longest text any address encoding of ours can have (base58 of 1–2 version bytes, a hash and a checksum). */
const MAX_ADDRESS_CHARS = 64;

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** A transparent address of this network (P2PKH or P2SH). */
export function addressParam(
  p: unknown[],
  i: number,
  name: string,
  params: ConsensusParams,
  opts: { optional?: boolean } = {},
): string | undefined {
  const text = param.string(p, i, name, { optional: opts.optional, maxLength: 1000 });
  if (text === undefined) return undefined;
  if (text.length > MAX_ADDRESS_CHARS)
    throw new RpcError(
      RPC.INVALID_ADDRESS_OR_KEY,
      `Invalid ${name}: ${shown(text)} is too long to be an address`,
    );
  try {
    decodeAddress(text, prefixes(params));
  } catch (err) {
    throw new RpcError(
      RPC.INVALID_ADDRESS_OR_KEY,
      `Invalid ${name} ${shown(text)}: ${(err as Error).message}`,
    );
  }
  return text;
}

/** An app name as specs allow it (letters and digits, the network's length range). */
export function appNameParam(p: unknown[], i: number, params: ConsensusParams): string {
  const text = param.string(p, i, 'name', { maxLength: 1000 })!;
  const { minLength, maxLength } = appLimitsFor(params).name;
  if (text.length < minLength || text.length > maxLength || !/^[a-zA-Z0-9]+$/.test(text))
    throw new RpcError(
      RPC.INVALID_PARAMETER,
      `Invalid app name ${shown(text)}: ${minLength} to ${maxLength} letters a-z, A-Z or digits`,
    );
  return text;
}

/** An identifier from a fixed list (tiers, asset ids, method names). */
export function oneOfParam<T extends string>(
  p: unknown[],
  i: number,
  name: string,
  allowed: readonly T[],
  opts: { optional?: boolean } = {},
): T | undefined {
  const text = param.string(p, i, name, { optional: opts.optional, maxLength: 100 });
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text))
    throw new RpcError(
      RPC.INVALID_PARAMETER,
      `${name} must be one of ${allowed.slice(0, 20).join(', ')}${allowed.length > 20 ? ', …' : ''}; got ${shown(text)}`,
    );
  return text as T;
}
