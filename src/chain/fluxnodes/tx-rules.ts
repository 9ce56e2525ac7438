import {
  benchmarkSignatureValid,
  ConsensusError,
  type FluxnodeTx,
  NO_FAULT,
  scriptPaysToPubKey,
  toHex,
  verifyFluxnodeSignature,
} from '../../consensus/index.ts';
import type { Tier } from '../../consensus/index.ts';
import type { FluxnodeRecord, RegistryContext, RegistryParams } from './types.ts';

/**
 * The rules a START or CONFIRM must meet against the registry as it stood before its block (fluxd
 * checks fluxnode transactions against its cache before the block, so nothing in a block can
 * depend on another fluxnode transaction of the same block). Each returns the record the
 * transaction leaves, or throws a ConsensusError; where fluxd names the failure, ours is its
 * reject reason.
 */

/** fluxd's nUpdateType of a CONFIRM. */
export const CONFIRM_INITIAL = 0;
export const CONFIRM_UPDATE = 1;

/** fluxd numbers the tiers 1 (Cumulus), 2 (Nimbus), 3 (Stratus), as CONFIRM's benchmarkTier does. */
export const TIER_NUMBER: Record<Tier, number> = { cumulus: 1, nimbus: 2, stratus: 3 };

/**
 * Refusals that depend on chain state an honest peer may not have seen yet (a START racing its
 * block, a CONFIRM a block too early): no fault of the sender. Forged or malformed ones are.
 */
const STATE_DEPENDENT = new Set([
  'zelnode-tx-already-in-chain-or-waiting-for-dos-unban',
  'bad-fluxnode-start-duplicate',
  'bad-fluxnode-collateral-missing',
  'bad-fluxnode-collateral-amount',
  'bad-fluxnode-collateral-immature',
  'bad-fluxnode-confirm-unknown',
  'bad-fluxnode-confirm-too-soon',
  'zelnode-tx-invalid-confirm-outpoint-not-started',
  'zelnode-tx-invalid-update-confirm-outpoint-not-confirmed',
  'bad-txns-zelnode-tx-inputs-missingorspent',
]);

function refuse(rule: string, detail: string, field: string, value: unknown): never {
  const score = STATE_DEPENDENT.has(rule) ? NO_FAULT : undefined;
  throw new ConsensusError(rule, detail, { field, value, ...(score === undefined ? {} : { score }) });
}

export interface CollateralCheck {
  tier: Tier;
  amount: bigint;
  payoutScript: Uint8Array;
}

/**
 * fluxd's CheckZelnodeTxInput, run for START and CONFIRM alike: the collateral is unspent, buried
 * deep enough and an amount some tier accepts at this height.
 */
export function checkCollateral(
  key: string,
  fx: FluxnodeTx,
  height: number,
  params: RegistryParams,
  ctx: RegistryContext,
  codes: { missing: string; amount: string; immature: string },
): CollateralCheck {
  const utxo = ctx.getUtxo(fx.collateral);
  if (!utxo) refuse(codes.missing, `collateral ${key} is not an unspent output`, 'collateral', key);
  const tier = params.tierOfCollateral(utxo.value, height);
  if (!tier) {
    refuse(
      codes.amount,
      `collateral ${key} holds ${utxo.value} satoshis, not a tier amount`,
      'collateral',
      utxo.value,
    );
  }
  const depth = height - utxo.height;
  const needed = params.rulesAt(height).collateralMinConfirmations;
  if (depth < needed) {
    refuse(
      codes.immature,
      `collateral ${key} has ${depth} confirmations, needs ${needed}`,
      'collateral',
      depth,
    );
  }
  return { tier, amount: utxo.value, payoutScript: utxo.scriptPubKey };
}

const START_COLLATERAL = {
  missing: 'bad-fluxnode-collateral-missing',
  amount: 'bad-fluxnode-collateral-amount',
  immature: 'bad-fluxnode-collateral-immature',
};
/** fluxd has one reason for any collateral failure at CONFIRM. */
const CONFIRM_COLLATERAL = {
  missing: 'bad-txns-zelnode-tx-inputs-missingorspent',
  amount: 'bad-txns-zelnode-tx-inputs-missingorspent',
  immature: 'bad-txns-zelnode-tx-inputs-missingorspent',
};

/** A START: the collateral is free (not listed, not barred), owned by the signing key, and valid. */
export function startRecord(
  key: string,
  fx: FluxnodeTx,
  before: FluxnodeRecord | undefined,
  height: number,
  params: RegistryParams,
  ctx: RegistryContext,
): FluxnodeRecord {
  if (before?.status === 'dos') {
    refuse(
      'zelnode-tx-already-in-chain-or-waiting-for-dos-unban',
      `collateral ${key} missed its CONFIRM after the START at ${before.startHeight}: barred until ${before.startHeight + params.rulesAt(height).dosRemoval + 1}`,
      'collateral',
      key,
    );
  }
  if (before)
    refuse('bad-fluxnode-start-duplicate', `collateral ${key} is already registered`, 'collateral', key);
  if (!fx.collateralPubKey || !fx.pubKey) {
    refuse('bad-fluxnode-start-keys', 'START needs the collateral key and the operator key', 'pubKey', key);
  }
  const c = checkCollateral(key, fx, height, params, ctx, START_COLLATERAL);
  if (!scriptPaysToPubKey(c.payoutScript, fx.collateralPubKey)) {
    refuse(
      'bad-fluxnode-collateral-key',
      `collateral ${key} is not owned by the START's collateral key`,
      'collateralPubKey',
      toHex(fx.collateralPubKey),
    );
  }
  if (!verifyFluxnodeSignature(fx, fx.collateralPubKey)) {
    refuse(
      'bad-fluxnode-start-signature',
      `START for ${key} is not signed by the collateral key`,
      'sig',
      key,
    );
  }
  return {
    collateral: key,
    tier: c.tier,
    amount: c.amount,
    payoutScript: toHex(c.payoutScript),
    operatorPubKey: toHex(fx.pubKey),
    ip: '',
    status: 'started',
    startHeight: height,
    confirmedHeight: null,
    lastConfirmHeight: null,
    lastPaidHeight: null,
  };
}

/** The update type fluxd requires: an initial CONFIRM for a STARTed node, an update for a confirmed one. */
function checkUpdateType(key: string, fx: FluxnodeTx, r: FluxnodeRecord, height: number): void {
  const type = fx.updateType ?? (r.status === 'started' ? CONFIRM_INITIAL : CONFIRM_UPDATE);
  if (type !== CONFIRM_INITIAL && type !== CONFIRM_UPDATE) {
    refuse('zelnode-tx-malicious-update-type', `CONFIRM update type ${type}`, 'updateType', type);
  }
  if (type === CONFIRM_INITIAL && (r.status !== 'started' || r.startHeight >= height)) {
    const why =
      r.status === 'dos'
        ? 'missed its confirm window'
        : r.status === 'started'
          ? 'was STARTed in this block'
          : 'is already confirmed';
    refuse('zelnode-tx-invalid-confirm-outpoint-not-started', `node ${key} ${why}`, 'collateral', key);
  }
  if (type === CONFIRM_UPDATE && r.status !== 'confirmed') {
    refuse(
      'zelnode-tx-invalid-update-confirm-outpoint-not-confirmed',
      `node ${key} is not confirmed`,
      'collateral',
      key,
    );
  }
}

/**
 * fluxd's CheckConfirmationHeights: an update comes more than `minConfirmInterval` blocks after the
 * last CONFIRM, or, once the IP-change exception exists, at least `ipChangeMinInterval` blocks after
 * it when the CONFIRM carries a new IP.
 */
function checkConfirmInterval(
  key: string,
  fx: FluxnodeTx,
  r: FluxnodeRecord,
  height: number,
  params: RegistryParams,
) {
  if (r.lastConfirmHeight === null) return;
  const rules = params.rulesAt(height);
  const since = height - r.lastConfirmHeight;
  const ipChange = rules.ipChangeMinInterval !== null && (fx.ip ?? '') !== r.ip;
  if (ipChange && since >= (rules.ipChangeMinInterval ?? 0)) return;
  if (since <= rules.minConfirmInterval) {
    refuse(
      'bad-fluxnode-confirm-too-soon',
      `node ${key} confirmed at ${r.lastConfirmHeight}, next allowed at ${r.lastConfirmHeight + rules.minConfirmInterval + 1}`,
      'collateral',
      height,
    );
  }
}

/**
 * A CONFIRM: the right update type and interval, the collateral still valid, a benchmark of at
 * least the tier, signed by the operator and its benchmark by the network's benchmark key.
 */
export function confirmRecord(
  key: string,
  fx: FluxnodeTx,
  r: FluxnodeRecord | undefined,
  height: number,
  params: RegistryParams,
  ctx: RegistryContext,
): FluxnodeRecord {
  if (!r) refuse('bad-fluxnode-confirm-unknown', `no STARTed node with collateral ${key}`, 'collateral', key);
  checkUpdateType(key, fx, r, height);
  checkConfirmInterval(key, fx, r, height, params);
  checkCollateral(key, fx, height, params, ctx, CONFIRM_COLLATERAL);
  const benchmarkTier = fx.benchmarkTier ?? 0;
  if (benchmarkTier < TIER_NUMBER[r.tier]) {
    refuse(
      'zelnode-tx-benchmark-tier-to-low-for-collateral',
      `benchmark tier ${benchmarkTier} is below the ${r.tier} collateral's ${TIER_NUMBER[r.tier]}`,
      'benchmarkTier',
      benchmarkTier,
    );
  }
  if (!verifyFluxnodeSignature(fx, Uint8Array.from(Buffer.from(r.operatorPubKey, 'hex')))) {
    refuse(
      'bad-fluxnode-confirm-signature',
      `CONFIRM for ${key} is not signed by the node's operator key`,
      'sig',
      key,
    );
  }
  if (params.benchmarkKeys && !benchmarkSignatureValid(fx, params.benchmarkKeys)) {
    refuse(
      'bad-txns-zelnode-tx-invalid-signature',
      `CONFIRM for ${key} carries no benchmark signed by the network's benchmark key`,
      'benchmarkSig',
      key,
    );
  }
  const after: FluxnodeRecord = { ...r, lastConfirmHeight: height };
  if (r.status === 'started') {
    after.status = 'confirmed';
    after.confirmedHeight = height;
  }
  if (fx.ip) after.ip = fx.ip;
  return after;
}
