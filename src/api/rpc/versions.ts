/**
 * The numbers fluxd reports about itself, in fluxd's encodings: the client version as one integer,
 * the p2p protocol version it speaks, and the relay fee floor in FLUX per kB.
 */
import type { NodeContext } from '../context.ts';
import { fluxAmount } from '../json.ts';

/** fluxd v9's protocol version: what `getnetworkinfo` and `getinfo` report. */
export const PROTOCOL_VERSION = 170021;

/**
 * "major.minor.patch" as bitcoind-family clients expect `version`: an integer
 * 1,000,000·major + 10,000·minor + 100·patch + 50 (the build number fluxd gives a release).
 */
export function clientVersion(text: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) return 0;
  return Number(m[1]) * 1_000_000 + Number(m[2]) * 10_000 + Number(m[3]) * 100 + 50;
}

/** The mempool's fee floor, FLUX per 1,000 bytes. */
export function relayFee(ctx: NodeContext): number {
  return fluxAmount(ctx.mempool.minFeePerKb);
}
