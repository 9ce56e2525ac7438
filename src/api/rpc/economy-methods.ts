/**
 * Economy over JSON-RPC: supply statistics, parallel-asset balances, signed claims and the claim
 * snapshots (Merkle roots and proofs) a payout contract on each parallel chain checks.
 *
 * Amounts: FLUX figures are JSON numbers in FLUX (as fluxd prints them) next to exact satoshi strings;
 * parallel-asset amounts are exact strings in the asset's smallest units, with its `decimals`.
 */
import {
  type ClaimRecord,
  type ClaimRequest,
  type ClaimSnapshot,
  type Coverage,
  EconomyError,
  type EconomyExtension,
  type SupplySnapshot,
} from '../../economy/index.ts';
import { fluxAmount } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { addressParam, oneOfParam } from './params.ts';

function assetParam(p: unknown[], economy: EconomyService): string {
  return oneOfParam(
    p,
    0,
    'asset',
    economy.assets.map((a) => a.id),
  )!;
}

/** The parts of the economy the RPC methods use. */
export type EconomyService = Pick<
  EconomyExtension,
  | 'supply'
  | 'coverage'
  | 'balance'
  | 'claim'
  | 'sealSnapshot'
  | 'snapshots'
  | 'claims'
  | 'proof'
  | 'assets'
  | 'tip'
  | 'params'
>;

/** Economy failures are the caller's input (unknown asset, bad signature, replayed nonce…). */
function economyCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof EconomyError) throw new RpcError(RPC.INVALID_PARAMETER, err.message);
    throw err;
  }
}

/** The supply figures as `getsupply` reports them. */
export function supplyJson(s: SupplySnapshot, coverage: Coverage) {
  const foundation = s.oneOffsByKind.foundation ?? 0n;
  return {
    height: s.tipHeight,
    time: s.tipTime,
    coverage,
    circulating: fluxAmount(s.circulating),
    liquid: fluxAmount(s.liquid),
    minted: fluxAmount(s.minted),
    burned: fluxAmount(s.burned),
    distribution: {
      miners: fluxAmount(s.minedByMiners),
      fees_to_miners: fluxAmount(s.feesToMiners),
      node_operators: fluxAmount(s.paidToOperators),
      node_operators_by_tier: {
        cumulus: fluxAmount(s.operatorsByTier.cumulus),
        nimbus: fluxAmount(s.operatorsByTier.nimbus),
        stratus: fluxAmount(s.operatorsByTier.stratus),
      },
      foundation: fluxAmount(foundation),
      one_offs: Object.fromEntries(Object.entries(s.oneOffsByKind).map(([k, v]) => [k, fluxAmount(v)])),
      locked_as_collateral: fluxAmount(s.collateralLocked),
      collateral_by_tier: {
        cumulus: fluxAmount(s.collateralByTier.cumulus),
        nimbus: fluxAmount(s.collateralByTier.nimbus),
        stratus: fluxAmount(s.collateralByTier.stratus),
      },
      app_payments: fluxAmount(s.appPayments),
      app_payment_count: s.appPaymentCount,
    },
    /** Exact figures (strings of satoshis). */
    satoshis: s,
  };
}

function claimJson(c: ClaimRecord) {
  return { ...c, amount: c.amount.toString() };
}

function snapshotJson(s: ClaimSnapshot) {
  return { ...s, total: s.total.toString() };
}

function units(v: unknown, name: string): bigint {
  const text =
    typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d{1,30}$/.test(text))
    throw new RpcError(
      RPC.TYPE_ERROR,
      `${name} must be a whole number of asset units, got ${JSON.stringify(v)}`,
    );
  return BigInt(text);
}

/** The claim object of `claimasset`; every field checked and named. */
export function parseClaimRequest(v: unknown): ClaimRequest {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RpcError(
      RPC.TYPE_ERROR,
      'claimasset takes one object: {assetId, sourceAddress, targetAddress, amount, nonce, signature}',
    );
  const o = v as Record<string, unknown>;
  const str = (key: string): string => {
    const x = o[key];
    if (typeof x !== 'string' || x.length === 0)
      throw new RpcError(RPC.TYPE_ERROR, `claim.${key} must be a non-empty string, got ${JSON.stringify(x)}`);
    return x;
  };
  const nonce = o.nonce;
  if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce) || nonce < 0)
    throw new RpcError(
      RPC.TYPE_ERROR,
      `claim.nonce must be a non-negative integer, got ${JSON.stringify(nonce)}`,
    );
  return {
    assetId: str('assetId'),
    sourceAddress: str('sourceAddress'),
    targetAddress: str('targetAddress'),
    amount: units(o.amount, 'claim.amount'),
    nonce,
    signature: str('signature'),
  };
}

export function registerEconomyMethods(rpc: RpcDispatcher, economy: EconomyService): void {
  rpc.register(
    'getsupply',
    'Circulating supply and where it is: miners, node operators, foundation, collateral, app payments, burned.',
    () => supplyJson(economy.supply(), economy.coverage()),
  );

  rpc.register(
    'getassetbalance',
    'getassetbalance "address": fluxnode earnings of a payout address and its position in every parallel asset.',
    (p) => {
      const address = addressParam(p, 0, 'address', economy.params)!;
      const b = economyCall(() => economy.balance(address));
      return {
        address: b.address,
        height: b.tip.height,
        time: b.tip.time,
        matured_height: b.maturedHeight,
        earnings: {
          payouts: b.earnings.payouts,
          total: fluxAmount(b.earnings.total),
          eligible: fluxAmount(b.earnings.eligible),
          total_sat: b.earnings.total.toString(),
          eligible_sat: b.earnings.eligible.toString(),
          by_tier: Object.fromEntries(
            Object.entries(b.earnings.byTier).map(([tier, r]) => [
              tier,
              {
                payouts: r.payouts,
                amount: fluxAmount(r.amount),
                first_height: r.firstHeight,
                last_height: r.lastHeight,
              },
            ]),
          ),
        },
        assets: b.assets.map((a) => ({
          asset: a.assetId,
          chain: a.chain,
          decimals: a.decimals,
          launched: a.launched,
          launch_time: a.launchTime,
          status: a.launched ? 'claimable' : 'pending',
          accrued: a.accrued.toString(),
          matured: a.matured.toString(),
          claimed: a.claimed.toString(),
          claimable: a.claimable.toString(),
          pending: a.pending.toString(),
          immature: a.immature.toString(),
          next_nonce: a.nextNonce,
        })),
      };
    },
  );

  rpc.register(
    'claimasset',
    'claimasset {"assetId", "sourceAddress", "targetAddress", "amount" (units), "nonce", "signature"}: a claim signed by the payout address’s key (the message is economy/parallel/claim-message.ts claimMessage).',
    (p) => {
      const request = parseClaimRequest(p[0]);
      const record = economyCall(() => economy.claim(request));
      return { ...claimJson(record), status: 'awaiting-snapshot' };
    },
  );

  rpc.register(
    'getassetsnapshot',
    'getassetsnapshot "asset" ( number ): a sealed claim snapshot (latest by default): Merkle root, claims and their proofs; plus claims awaiting the next one.',
    (p) => {
      const assetId = assetParam(p, economy);
      const number = param.int(p, 1, 'number', { optional: true, min: 0 });
      return economyCall(() => {
        const snaps = economy.snapshots(assetId);
        const all = economy.claims(assetId);
        const sealed = snaps.reduce((n, s) => n + s.leafCount, 0);
        const pending = all.slice(sealed).map(claimJson);
        const pick = number === undefined ? snaps.at(-1) : snaps[number];
        if (number !== undefined && !pick)
          throw new RpcError(
            RPC.INVALID_PARAMETER,
            `${assetId} has ${snaps.length} snapshots, no number ${number}`,
          );
        const byId = new Map(all.map((c) => [c.id, c]));
        return {
          asset: assetId,
          snapshots: snaps.length,
          snapshot: pick ? snapshotJson(pick) : null,
          claims: pick
            ? pick.claimIds.map((id) => ({ ...claimJson(byId.get(id)!), proof: economy.proof(id) }))
            : [],
          awaiting: pending,
        };
      });
    },
  );

  rpc.register(
    'sealassetsnapshot',
    'sealassetsnapshot "asset": seals the asset’s claims not yet in a snapshot under a new Merkle root.',
    (p) => {
      const assetId = assetParam(p, economy);
      return economyCall(() => snapshotJson(economy.sealSnapshot(assetId)));
    },
  );

  rpc.register('listparallelassets', 'The parallel assets, their chains, decimals and launch dates.', () => {
    const tip = economy.tip();
    return economy.assets.map((a) => ({
      asset: a.id,
      chain: a.chain,
      decimals: a.decimals,
      launch_time: a.launchTime,
      launched: a.launchTime !== null && tip.time >= a.launchTime,
      launch_source: a.launchSource,
    }));
  });
}
