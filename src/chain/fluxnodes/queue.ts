import { fromReverseHex } from '../../consensus/index.ts';
import type { FluxnodeRecord } from './types.ts';

/**
 * The payment queue's order, as fluxd sorts its list of confirmed nodes (ZelnodeListData):
 *  1. the height the node was last paid at, or confirmed at if never paid — lowest first;
 *  2. at equal heights, a node never paid before one already paid;
 *  3. then the collateral outpoint as fluxd's COutPoint orders it: the txid's 32 internal bytes
 *     (the display hex reversed) compared by memcmp, then the output index as a number.
 * The front of each tier's queue is the node that tier pays in the next block.
 */
export function queueOrder(a: FluxnodeRecord, b: FluxnodeRecord): number {
  const ha = queueHeight(a);
  const hb = queueHeight(b);
  if (ha !== hb) return ha - hb;
  const paidA = Boolean(a.lastPaidHeight);
  const paidB = Boolean(b.lastPaidHeight);
  if (paidA !== paidB) return paidA ? 1 : -1;
  return compareCollateral(a.collateral, b.collateral);
}

/** fluxd counts a last-paid height of 0 as never paid. */
function queueHeight(r: FluxnodeRecord): number {
  return r.lastPaidHeight ? r.lastPaidHeight : (r.confirmedHeight ?? r.startHeight);
}

/** Orders two collateral keys ("display txid hex:index") as fluxd's COutPoint operator< does. */
export function compareCollateral(a: string, b: string): number {
  const [txA, nA] = splitKey(a);
  const [txB, nB] = splitKey(b);
  for (let i = 0; i < 32; i++) if (txA[i] !== txB[i]) return txA[i]! - txB[i]!;
  return nA - nB;
}

function splitKey(key: string): [Uint8Array, number] {
  const colon = key.lastIndexOf(':');
  return [fromReverseHex(key.slice(0, colon), 'collateral'), Number(key.slice(colon + 1))];
}
