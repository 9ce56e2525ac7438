/**
 * Which transactions are claims, and what they claim. A claim transaction has an OP_RETURN output
 * holding claim data (parallel/claim-data.ts) and at least one input; the coin its first input
 * spends names the source (the fluxnode payout address whose accrual is claimed). The input's
 * signature covers every output, so only the source's key can make a claim of its accrual.
 */
import {
  addressForScript,
  classifyScript,
  type ConsensusParams,
  type Transaction,
} from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { ParallelAsset } from '../parallel/assets.ts';
import { type ClaimData, decodeClaimData, isClaimData } from '../parallel/claim-data.ts';
import type { ClaimFields } from '../parallel/claim-message.ts';

/** OP_RETURN data of any size: a block may carry what relay policy would not. */
const ANY_SIZE = 1_000_000;

/** The claim data `tx` carries, or null when it carries none; malformed data is `bad-claim-data`. */
export function claimDataOf(tx: Transaction, registry: readonly ParallelAsset[]): ClaimData | null {
  let found: ClaimData | null = null;
  for (const [i, out] of tx.outputs.entries()) {
    const t = classifyScript(out.scriptPubKey, ANY_SIZE);
    if (t.type !== 'nulldata' || !isClaimData(t.data)) continue;
    if (found)
      throw new EconomyError('bad-claim-data', 'one claim per transaction', {
        field: `vout[${i}]`,
        value: i,
      });
    found = decodeClaimData(t.data, registry);
  }
  if (found && tx.inputs.length === 0)
    throw new EconomyError('bad-claim-data', 'a claim needs an input from its source', {
      field: 'vin',
      value: 0,
    });
  return found;
}

/** The claim of `tx` whose first input spends a coin locked by `sourceScript`. */
export function claimFieldsOf(
  data: ClaimData,
  sourceScript: Uint8Array,
  params: ConsensusParams,
): ClaimFields {
  const sourceAddress = addressForScript(sourceScript, params.base58);
  if (!sourceAddress)
    throw new EconomyError('bad-claim-source', 'the first input must spend a coin of a single address', {
      field: 'vin[0]',
      value: Buffer.from(sourceScript).toString('hex'),
    });
  return { ...data, sourceAddress };
}

/** Mempool key of a claim: two pooled claims of one source and asset conflict. */
export function claimConflictKey(f: ClaimFields): string {
  return `claim:${f.assetId}:${f.sourceAddress}`;
}
