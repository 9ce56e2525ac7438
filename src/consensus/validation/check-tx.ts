import { toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import {
  DELEGATES_SIGNING,
  DELEGATES_UPDATE,
  FLUXNODE_TX_TYPE_NORMAL_BIT,
  FLUXNODE_TX_TYPE_P2SH_BIT,
  FLUXNODE_TX_UPGRADEABLE_VERSION,
  hasDelegatesFeature,
} from '../primitives/fluxnode-tx.ts';
import { isNullOutPoint, outpointKey } from '../primitives/outpoint.ts';
import {
  encodeTransaction,
  isFluxnodeTx,
  OVERWINTER_VERSION_GROUP_ID,
  SAPLING_VERSION_GROUP_ID,
} from '../primitives/transaction.ts';
import { FLUXNODE_CONFIRM, FLUXNODE_START, type Transaction } from '../primitives/types.ts';
import { must } from '../must.ts';

/*
 * Stateless transaction rules: the ones fluxd's CheckTransaction applies without the chain, in the
 * same order and under the same rule names. Not here: signature and proof checks (START/CONFIRM
 * signatures, JoinSplit/Sapling proofs), the P2SH "redeem script is multisig" test (script
 * parsing), and every height- or UTXO-dependent rule (contextual checks in the chain layer).
 */

/** Network-rule sizes from fluxd's consensus.h (the same on every network). */
export const MAX_TX_SIZE_AFTER_SAPLING = 2_000_000;
export const TX_EXPIRY_HEIGHT_THRESHOLD = 500_000_000;
export const SPROUT_MIN_TX_VERSION = 1;
export const OVERWINTER_MIN_TX_VERSION = 3;
export const MAX_SCRIPT_SIZE = 10_000;
/** A CONFIRM's ip may be 40 bytes, or 60 once its benchmark was signed at or after this time. */
export const FLUXNODE_IP_SIZE_V1 = 40;
export const FLUXNODE_IP_SIZE_V2 = 60;
export const FLUXNODE_IP_SIZE_V2_FROM_BENCHMARK_TIME = 1_647_262_800;
export const MAX_DELEGATE_KEYS = 4;

export interface TxLimits {
  /** The network's MAX_MONEY in satoshis; every amount must lie in [0, maxMoney]. */
  maxMoney: bigint;
  /** Largest serialized transaction; default MAX_TX_SIZE_AFTER_SAPLING. */
  maxTxSize?: number;
}

export function isCoinbase(tx: Transaction): boolean {
  const first = tx.inputs[0];
  return tx.inputs.length === 1 && first !== undefined && isNullOutPoint(first.prevout);
}

function fail(rule: string, detail: string, field: string, value: unknown): never {
  throw new ConsensusError(rule, detail, { field, value });
}

function inMoneyRange(v: bigint, maxMoney: bigint): boolean {
  return v >= 0n && v <= maxMoney;
}

function checkVersion(tx: Transaction): void {
  if (!tx.overwintered && tx.version < SPROUT_MIN_TX_VERSION) {
    fail('bad-txns-version-too-low', `version ${tx.version}`, 'version', tx.version);
  }
  if (!tx.overwintered) return;
  if (tx.version < OVERWINTER_MIN_TX_VERSION) {
    fail('bad-tx-overwinter-version-too-low', `overwintered version ${tx.version}`, 'version', tx.version);
  }
  if (tx.versionGroupId !== OVERWINTER_VERSION_GROUP_ID && tx.versionGroupId !== SAPLING_VERSION_GROUP_ID) {
    fail(
      'bad-tx-version-group-id',
      `group id 0x${tx.versionGroupId.toString(16)}`,
      'versionGroupId',
      tx.versionGroupId,
    );
  }
  if (tx.expiryHeight >= TX_EXPIRY_HEIGHT_THRESHOLD) {
    fail(
      'bad-tx-expiry-height-too-high',
      `expiry height ${tx.expiryHeight}`,
      'expiryHeight',
      tx.expiryHeight,
    );
  }
}

function isCompressedPubKey(k: Uint8Array): boolean {
  return k.length === 33 && (k[0] === 0x02 || k[0] === 0x03);
}

/** fluxd's "upgraded P2SH" test: the P2SH bit set, the normal bit not. */
function isP2shStartVersion(v: number): boolean {
  const both = (v & FLUXNODE_TX_TYPE_NORMAL_BIT) !== 0 && (v & FLUXNODE_TX_TYPE_P2SH_BIT) !== 0;
  return !both && (v & FLUXNODE_TX_TYPE_P2SH_BIT) !== 0;
}

function checkFluxnode(tx: Transaction): void {
  if (
    tx.inputs.length > 0 ||
    tx.outputs.length > 0 ||
    tx.joinSplits.length > 0 ||
    tx.shieldedSpends.length > 0 ||
    tx.shieldedOutputs.length > 0
  ) {
    fail(
      'bad-txns-fluxnode-tx-not-empty',
      'fluxnode transaction with inputs, outputs or shielded parts',
      'tx',
      null,
    );
  }
  const f = tx.fluxnode;
  if (!f || (f.type !== FLUXNODE_START && f.type !== FLUXNODE_CONFIRM)) {
    fail('bad-txns-fluxnode-tx-invalid-type', `type ${f?.type}`, 'fluxnode.type', f?.type);
  }
  if (isNullOutPoint(f.collateral)) {
    fail(
      'bad-txns-fluxnode-tx-null-prevout',
      'null collateral outpoint',
      'fluxnode.collateral',
      outpointKey(f.collateral),
    );
  }
  const p2sh = tx.version === FLUXNODE_TX_UPGRADEABLE_VERSION && isP2shStartVersion(f.fluxTxVersion ?? 0);
  if (p2sh && (f.redeemScript?.length ?? 0) > MAX_SCRIPT_SIZE) {
    fail(
      'bad-txns-fluxnode-tx-redeemscript-to-large',
      `redeem script of ${f.redeemScript?.length} bytes`,
      'fluxnode.redeemScript',
      f.redeemScript?.length,
    );
  }
  // With the delegates feature bit, fluxd requires valid delegate data; a cleared flag leaves its
  // default (type "none"), which is invalid too.
  if (tx.version === FLUXNODE_TX_UPGRADEABLE_VERSION && hasDelegatesFeature(f.fluxTxVersion)) {
    const d = f.usingDelegates ? f.delegates : undefined;
    const valid =
      d !== undefined &&
      (d.type === DELEGATES_UPDATE || d.type === DELEGATES_SIGNING) &&
      d.keys.length <= MAX_DELEGATE_KEYS &&
      d.keys.every(isCompressedPubKey);
    if (!valid) {
      fail(
        'bad-txns-fluxnode-tx-delegate-data-invalid',
        d ? `delegate type ${d.type}, ${d.keys.length} keys` : 'delegates feature without delegate data',
        'fluxnode.delegates',
        d?.type,
      );
    }
  }
  if (f.type !== FLUXNODE_CONFIRM) return;
  const tier = f.benchmarkTier ?? 0;
  if (tier < 1 || tier > 3) {
    fail(
      'bad-txns-fluxnode-tx-invalid-benchmark-tier',
      `benchmark tier ${tier}`,
      'fluxnode.benchmarkTier',
      tier,
    );
  }
  const maxIp =
    (f.benchmarkSigTime ?? 0) >= FLUXNODE_IP_SIZE_V2_FROM_BENCHMARK_TIME
      ? FLUXNODE_IP_SIZE_V2
      : FLUXNODE_IP_SIZE_V1;
  const ipLength = f.ip?.length ?? 0;
  if (ipLength > maxIp) {
    fail(
      'bad-txns-fluxnode-tx-ip-address-to-large',
      `ip of ${ipLength} bytes, at most ${maxIp}`,
      'fluxnode.ip',
      f.ip,
    );
  }
  if (f.updateType !== 0 && f.updateType !== 1) {
    fail(
      'bad-txns-fluxnode-tx-invalid-update-type',
      `update type ${f.updateType}`,
      'fluxnode.updateType',
      f.updateType,
    );
  }
}

function checkAmounts(tx: Transaction, maxMoney: bigint): void {
  let valueOut = 0n;
  tx.outputs.forEach((out, i) => {
    const field = `vout[${i}].value`;
    if (out.value < 0n) fail('bad-txns-vout-negative', `output ${i} value ${out.value}`, field, out.value);
    if (out.value > maxMoney)
      fail('bad-txns-vout-toolarge', `output ${i} value ${out.value}`, field, out.value);
    valueOut += out.value;
    if (!inMoneyRange(valueOut, maxMoney)) {
      fail('bad-txns-txouttotal-toolarge', `outputs total ${valueOut}`, field, valueOut);
    }
  });
  const noSapling = tx.shieldedSpends.length === 0 && tx.shieldedOutputs.length === 0;
  if (noSapling && tx.valueBalance !== 0n && !isFluxnodeTx(tx)) {
    fail(
      'bad-txns-valuebalance-nonzero',
      `valueBalance ${tx.valueBalance} without spends or outputs`,
      'valueBalance',
      tx.valueBalance,
    );
  }
  if (tx.valueBalance > maxMoney || tx.valueBalance < -maxMoney) {
    fail(
      'bad-txns-valuebalance-toolarge',
      `valueBalance ${tx.valueBalance}`,
      'valueBalance',
      tx.valueBalance,
    );
  }
  if (tx.valueBalance <= 0n) {
    valueOut += -tx.valueBalance;
    if (!inMoneyRange(valueOut, maxMoney)) {
      fail('bad-txns-txouttotal-toolarge', `outputs total ${valueOut}`, 'valueBalance', valueOut);
    }
  }
  tx.joinSplits.forEach((js, i) => {
    const field = `joinSplits[${i}]`;
    if (js.vpubOld < 0n)
      fail('bad-txns-vpub_old-negative', `vpub_old ${js.vpubOld}`, `${field}.vpubOld`, js.vpubOld);
    if (js.vpubNew < 0n)
      fail('bad-txns-vpub_new-negative', `vpub_new ${js.vpubNew}`, `${field}.vpubNew`, js.vpubNew);
    if (js.vpubOld > maxMoney)
      fail('bad-txns-vpub_old-toolarge', `vpub_old ${js.vpubOld}`, `${field}.vpubOld`, js.vpubOld);
    if (js.vpubNew > maxMoney)
      fail('bad-txns-vpub_new-toolarge', `vpub_new ${js.vpubNew}`, `${field}.vpubNew`, js.vpubNew);
    if (js.vpubOld !== 0n && js.vpubNew !== 0n) {
      fail('bad-txns-vpubs-both-nonzero', 'vpub_old and vpub_new both nonzero', field, [
        js.vpubOld,
        js.vpubNew,
      ]);
    }
    valueOut += js.vpubOld;
    if (!inMoneyRange(valueOut, maxMoney)) {
      fail('bad-txns-txouttotal-toolarge', `outputs total ${valueOut}`, `${field}.vpubOld`, valueOut);
    }
  });
  let valueIn = 0n;
  tx.joinSplits.forEach((js, i) => {
    valueIn += js.vpubNew;
    if (!inMoneyRange(js.vpubNew, maxMoney) || !inMoneyRange(valueIn, maxMoney)) {
      fail(
        'bad-txns-txintotal-toolarge',
        `shielded inputs total ${valueIn}`,
        `joinSplits[${i}].vpubNew`,
        valueIn,
      );
    }
  });
  if (tx.valueBalance >= 0n) {
    valueIn += tx.valueBalance;
    if (!inMoneyRange(valueIn, maxMoney)) {
      fail('bad-txns-txintotal-toolarge', `shielded inputs total ${valueIn}`, 'valueBalance', valueIn);
    }
  }
}

function checkDuplicates(tx: Transaction): void {
  const seen = new Set<string>();
  tx.inputs.forEach((input, i) => {
    const key = outpointKey(input.prevout);
    if (seen.has(key))
      fail('bad-txns-inputs-duplicate', `input ${i} spends ${key} again`, `vin[${i}].prevout`, key);
    seen.add(key);
  });
  const nullifiers = new Set<string>();
  tx.joinSplits.forEach((js, i) => {
    for (const nf of js.nullifiers) {
      const key = toHex(nf);
      if (nullifiers.has(key)) {
        fail(
          'bad-joinsplits-nullifiers-duplicate',
          `nullifier ${key} repeated`,
          `joinSplits[${i}].nullifiers`,
          key,
        );
      }
      nullifiers.add(key);
    }
  });
  const saplingNullifiers = new Set<string>();
  tx.shieldedSpends.forEach((spend, i) => {
    const key = toHex(spend.nullifier);
    if (saplingNullifiers.has(key)) {
      fail(
        'bad-spend-description-nullifiers-duplicate',
        `nullifier ${key} repeated`,
        `shieldedSpends[${i}].nullifier`,
        key,
      );
    }
    saplingNullifiers.add(key);
  });
}

function checkCoinbaseShape(tx: Transaction): void {
  if (isCoinbase(tx)) {
    if (tx.joinSplits.length > 0)
      fail('bad-cb-has-joinsplits', 'coinbase with JoinSplits', 'joinSplits', tx.joinSplits.length);
    if (tx.shieldedSpends.length > 0) {
      fail(
        'bad-cb-has-spend-description',
        'coinbase with Sapling spends',
        'shieldedSpends',
        tx.shieldedSpends.length,
      );
    }
    if (tx.shieldedOutputs.length > 0) {
      fail(
        'bad-cb-has-output-description',
        'coinbase with Sapling outputs',
        'shieldedOutputs',
        tx.shieldedOutputs.length,
      );
    }
    const len = must(tx.inputs[0], 'the coinbase input').scriptSig.length;
    if (len < 2 || len > 100)
      fail('bad-cb-length', `coinbase scriptSig of ${len} bytes (2..100)`, 'vin[0].scriptSig', len);
    return;
  }
  tx.inputs.forEach((input, i) => {
    if (isNullOutPoint(input.prevout))
      fail('bad-txns-prevout-null', `input ${i} has a null prevout`, `vin[${i}].prevout`, i);
  });
}

/**
 * Throws ConsensusError naming the first rule `tx` breaks. `encodedSize` may be passed when the
 * caller already has the serialized length (a block check does), to avoid re-encoding.
 */
export function checkTransaction(tx: Transaction, limits: TxLimits, encodedSize?: number): void {
  const fluxnode = isFluxnodeTx(tx);
  if (!fluxnode) {
    checkVersion(tx);
    if (tx.inputs.length === 0 && tx.joinSplits.length === 0 && tx.shieldedSpends.length === 0) {
      fail('bad-txns-vin-empty', 'no inputs, JoinSplits or Sapling spends', 'vin', 0);
    }
    if (tx.outputs.length === 0 && tx.joinSplits.length === 0 && tx.shieldedOutputs.length === 0) {
      fail('bad-txns-vout-empty', 'no outputs, JoinSplits or Sapling outputs', 'vout', 0);
    }
  } else {
    checkFluxnode(tx);
  }
  const maxTxSize = limits.maxTxSize ?? MAX_TX_SIZE_AFTER_SAPLING;
  const size = encodedSize ?? encodeTransaction(tx).length;
  if (size > maxTxSize) fail('bad-txns-oversize', `${size} bytes, at most ${maxTxSize}`, 'size', size);
  checkAmounts(tx, limits.maxMoney);
  checkDuplicates(tx);
  checkCoinbaseShape(tx);
}
