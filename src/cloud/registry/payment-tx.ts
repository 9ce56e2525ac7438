import {
  classifyScript,
  concatBytes,
  equalBytes,
  fromHex,
  nullDataScript,
  toHex,
  type Transaction,
} from '../../consensus/index.ts';

/** OP_RETURN payload of an app payment: this marker, then the 32-byte spec hash. */
const MARKER = new TextEncoder().encode('fluxapp1');

export function appPaymentData(specHashHex: string): Uint8Array {
  const hash = fromHex(specHashHex, 'specHash');
  if (hash.length !== 32) throw new RangeError(`spec hash must be 32 bytes, got ${hash.length}`);
  return concatBytes(MARKER, hash);
}

export function appPaymentScript(specHashHex: string): Uint8Array {
  return nullDataScript(appPaymentData(specHashHex));
}

/**
 * An app payment is a transaction with an OP_RETURN carrying our marker and a spec hash, and outputs
 * paying the network's app address; `paid` is the sum of those outputs. Anything else is not one.
 */
export function parseAppPayment(
  tx: Transaction,
  appScript: Uint8Array,
): { specHash: string; paid: bigint } | null {
  let specHash: string | null = null;
  let paid = 0n;
  for (const out of tx.outputs) {
    if (equalBytes(out.scriptPubKey, appScript)) {
      paid += out.value;
      continue;
    }
    const t = classifyScript(out.scriptPubKey);
    if (
      t.type === 'nulldata' &&
      t.data.length === MARKER.length + 32 &&
      equalBytes(t.data.subarray(0, MARKER.length), MARKER)
    ) {
      specHash ??= toHex(t.data.subarray(MARKER.length));
    }
  }
  return specHash && paid > 0n ? { specHash, paid } : null;
}
