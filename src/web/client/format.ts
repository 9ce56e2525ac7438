/// <reference lib="dom" />
import type { Sats } from '../../api/index.ts';

const COIN = 100_000_000n;

/** Satoshis (decimal string) as FLUX, exact, without trailing zeros: "11.25". */
export function flux(sats: Sats | null | undefined): string {
  if (sats === null || sats === undefined) return '–';
  const v = BigInt(sats);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % COIN).toString().padStart(8, '0').replace(/0+$/, '');
  const whole = (a / COIN).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '−' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export function ago(time: number | null | undefined, now = Date.now() / 1000): string {
  if (!time) return '–';
  const s = Math.max(0, Math.round(now - time));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function dateTime(time: number): string {
  return new Date(time * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

/** First and last characters of a long hash or address. */
export function short(text: string | null | undefined, keep = 6): string {
  if (!text) return '–';
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`;
}

export function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function duration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${sec % 60}s`;
}
