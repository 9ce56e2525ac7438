import {
  ConsensusError,
  type ConsensusParams,
  encodeTransaction,
  isFluxnodeTx,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  type Transaction,
  upgradeActive,
} from '../../consensus/index.ts';
import { isCoinbaseTx } from '../connect-plan.ts';

/** Largest transaction before Acadia (Sapling). */
export const MAX_TX_SIZE_BEFORE_SAPLING = 100_000;

/** `t` is the transaction's position in its block, or null for a transaction on its own (mempool). */
function fail(rule: string, detail: string, t: number | null, field: string, value: unknown): never {
  if (t === null) throw new ConsensusError(rule, detail, { field, value });
  throw new ConsensusError(rule, `transaction ${t}: ${detail}`, { field: `txs[${t}].${field}`, value });
}

/**
 * fluxd's height-dependent transaction rules (ContextualCheckTransaction without the proof and
 * fluxnode-registry parts): which transaction formats a block at `height` may carry, expiry, the
 * pre-Sapling size limit, and, from the Flux upgrade, no new value into the shielded pools. The
 * mempool and block templates apply the same function with `t` null, for the block at `height`.
 */
export function checkTransactionContext(
  tx: Transaction,
  t: number | null,
  height: number,
  params: ConsensusParams,
): void {
  const sapling = upgradeActive('acadia', height, params);
  if (!sapling && tx.overwintered) {
    fail('tx-overwinter-not-active', 'overwintered format before Acadia', t, 'overwintered', true);
  }
  if (isFluxnodeTx(tx)) {
    if (!upgradeActive('kamata', height, params)) {
      fail('tx-fluxnodes-not-active', 'fluxnode transaction before Kamata', t, 'version', tx.version);
    }
    return;
  }
  if (sapling) {
    if (tx.version >= SAPLING_TX_VERSION && !tx.overwintered) {
      fail(
        'tx-overwintered-flag-not-set',
        `version ${tx.version} without the overwintered flag`,
        t,
        'overwintered',
        false,
      );
    }
    if (tx.overwintered && tx.versionGroupId !== SAPLING_VERSION_GROUP_ID) {
      fail(
        'bad-sapling-tx-version-group-id',
        `version group 0x${tx.versionGroupId.toString(16)}`,
        t,
        'versionGroupId',
        tx.versionGroupId,
      );
    }
    if (tx.overwintered && tx.version < SAPLING_TX_VERSION) {
      fail('bad-tx-sapling-version-too-low', `version ${tx.version}`, t, 'version', tx.version);
    }
    if (tx.overwintered && tx.version > SAPLING_TX_VERSION) {
      fail('bad-tx-sapling-version-too-high', `version ${tx.version}`, t, 'version', tx.version);
    }
    if (!tx.overwintered)
      fail('tx-sapling-active', 'a pre-Sapling format after Acadia', t, 'overwintered', false);
    if (tx.expiryHeight !== 0 && !isCoinbaseTx(tx) && height > tx.expiryHeight) {
      fail('tx-sapling-expired', `expired at height ${tx.expiryHeight}`, t, 'expiryHeight', tx.expiryHeight);
    }
  } else {
    const size = encodeTransaction(tx).length;
    if (size > MAX_TX_SIZE_BEFORE_SAPLING) {
      fail('bad-txns-oversize', `${size} bytes before Acadia`, t, 'size', size);
    }
  }
  if (upgradeActive('flux', height, params) && tx.inputs.length > 0) {
    if (tx.joinSplits.length > 0 || tx.shieldedOutputs.length > 0) {
      fail(
        'bad-txns-fluxrebrand-vprivacy-not-empty',
        'value may no longer enter the shielded pools',
        t,
        'shieldedOutputs',
        tx.shieldedOutputs.length,
      );
    }
  }
}

/**
 * This node does not verify JoinSplit or Sapling proofs, so by default it refuses any transaction
 * that moves value out of a shielded pool: accepting one unverified would let it create money.
 */
export function checkNoUnverifiedShielded(tx: Transaction, t: number): void {
  if (tx.joinSplits.length > 0 || tx.shieldedSpends.length > 0) {
    fail(
      'bad-txns-shielded-unverified',
      'JoinSplits and Sapling spends are not verified by this node',
      t,
      tx.joinSplits.length > 0 ? 'joinSplits' : 'shieldedSpends',
      tx.joinSplits.length + tx.shieldedSpends.length,
    );
  }
}
