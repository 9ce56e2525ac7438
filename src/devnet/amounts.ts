// FLUX amounts as the RPC speaks them (decimal numbers of FLUX) and as we compute them (bigint sats).

import { COIN } from '../consensus/index.ts';

/** A decimal FLUX amount from JSON (number or string, up to 8 decimals) as satoshis, exactly. */
export function fluxToSats(value: unknown): bigint {
  const text = typeof value === 'number' ? value.toFixed(8) : String(value).trim();
  const [, sign, whole, frac = ''] = /^(-?)(\d+)(?:\.(\d{1,8})\d*)?$/.exec(text) ?? [];
  if (whole === undefined) throw new RangeError(`not a FLUX amount: ${JSON.stringify(value)}`);
  const sats = BigInt(whole) * COIN + BigInt(frac.padEnd(8, '0'));
  return sign === '-' ? -sats : sats;
}

/** Satoshis as the number of FLUX the RPC expects (exact for any amount below 2^53 sats). */
export function satsToFluxNumber(sats: bigint): number {
  return Number(sats) / Number(COIN);
}

/** `67,010` / `1,000.5`: for people. */
export function formatFluxShort(sats: bigint): string {
  const whole = sats / COIN;
  const frac = (sats % COIN).toString().padStart(8, '0').replace(/0+$/, '');
  return `${whole.toLocaleString('en-US')}${frac ? `.${frac}` : ''}`;
}
