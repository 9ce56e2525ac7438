/**
 * The OP_RETURN data of a claim transaction: the whole claim in at most 80 bytes.
 *
 *   "FXC" 0x01            marker and version (4 bytes)
 *   u8 n, n bytes ASCII   asset id, e.g. FLUX-ETH
 *   u64 LE                amount, asset units, > 0
 *   compact size          nonce: the source's count of earlier claims of this asset
 *   u8 n, n bytes         target address in wire form (target-wire.ts)
 *
 * The source address is not written: it is the address of the coin the transaction's first input
 * spends, so the transaction's own signature is the source key's signature over the claim.
 */
import { ByteReader, ByteWriter, equalBytes } from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import { findAsset, type ParallelAsset } from './assets.ts';
import { parseTargetAddress } from './target-address.ts';
import { targetFromWire, targetWireBytes } from './target-wire.ts';

export const CLAIM_MARKER = Uint8Array.of(0x46, 0x58, 0x43, 0x01);
const MAX_ASSET_ID = 16;
const MAX_TARGET = 48;

/** A claim as a transaction carries it: everything but the source, which its first input names. */
export interface ClaimData {
  assetId: string;
  targetAddress: string;
  amount: bigint;
  nonce: number;
}

export function isClaimData(data: Uint8Array): boolean {
  return (
    data.length >= CLAIM_MARKER.length && equalBytes(data.subarray(0, CLAIM_MARKER.length), CLAIM_MARKER)
  );
}

function bad(detail: string, field: string, value: unknown): never {
  throw new EconomyError('bad-claim-data', detail, { field, value });
}

/** The OP_RETURN data for a claim; checks the asset, the target address and the amount. */
export function encodeClaimData(c: ClaimData, registry: readonly ParallelAsset[]): Uint8Array {
  const asset = findAsset(registry, c.assetId);
  const target = parseTargetAddress(asset.family, c.targetAddress);
  if (typeof c.amount !== 'bigint' || c.amount <= 0n || c.amount >= 2n ** 64n)
    bad('amount must be 1 … 2^64-1 asset units', 'amount', c.amount);
  if (!Number.isSafeInteger(c.nonce) || c.nonce < 0 || c.nonce > 0xffffffff)
    bad('nonce must be 0 … 2^32-1', 'nonce', c.nonce);
  const id = new TextEncoder().encode(asset.id);
  const wire = targetWireBytes(target);
  return new ByteWriter()
    .bytes(CLAIM_MARKER)
    .u8(id.length)
    .bytes(id)
    .u64(c.amount)
    .compactSize(c.nonce)
    .u8(wire.length)
    .bytes(wire)
    .finish();
}

/** Reads claim data (the marker included); every fault is a `bad-claim-data` naming the field. */
export function decodeClaimData(data: Uint8Array, registry: readonly ParallelAsset[]): ClaimData {
  if (!isClaimData(data)) bad('no claim marker', 'marker', data.length);
  const r = new ByteReader(data);
  try {
    r.bytesN(CLAIM_MARKER.length, 'marker');
    const idLength = r.u8('assetId');
    if (idLength === 0 || idLength > MAX_ASSET_ID) bad(`asset id of ${idLength} bytes`, 'assetId', idLength);
    const assetId = new TextDecoder().decode(r.bytesN(idLength, 'assetId'));
    const asset = findAsset(registry, assetId);
    const amount = r.u64('amount');
    if (amount === 0n) bad('amount is zero', 'amount', amount);
    const nonce = r.compactSize('nonce', 0xffffffff);
    const targetLength = r.u8('targetAddress');
    if (targetLength === 0 || targetLength > MAX_TARGET)
      bad(`target address of ${targetLength} bytes`, 'targetAddress', targetLength);
    const target = targetFromWire(asset.family, r.bytesN(targetLength, 'targetAddress'));
    r.end('claim');
    return { assetId: asset.id, targetAddress: target.text, amount, nonce };
  } catch (err) {
    if (err instanceof EconomyError) throw err;
    return bad(err instanceof Error ? err.message : String(err), 'data', data.length);
  }
}
