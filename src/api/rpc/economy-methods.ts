/**
 * Economy over JSON-RPC: supply statistics, parallel-asset balances, signed claims and the claim
 * snapshots (Merkle roots and proofs) a payout contract on each parallel chain checks.
 *
 * Amounts: FLUX figures are JSON numbers in FLUX (as fluxd prints them) next to exact satoshi strings;
 * parallel-asset amounts are exact strings in the asset's smallest units, with its `decimals`.
 */
import { ConsensusError, toHex, type Transaction } from '../../consensus/index.ts';
import {
  type ClaimData,
  claimPayment,
  type ClaimRecord,
  type ClaimSnapshot,
  type Coverage,
  EconomyError,
  type EconomyExtension,
  encodeClaimData,
  type SupplySnapshot,
} from '../../economy/index.ts';
import { InsufficientFundsError, type Wallet } from '../../wallet/index.ts';
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
  | 'assetSupply'
  | 'coverage'
  | 'balance'
  | 'snapshots'
  | 'claims'
  | 'proof'
  | 'assets'
  | 'tip'
  | 'params'
  | 'claimPlace'
  | 'snapshotInterval'
  | 'checkClaimTx'
>;

/** How `claimasset` makes a claim transaction: the node's wallet, and the pool it is sent to. */
export interface ClaimSender {
  wallet: Wallet;
  accept: (tx: Transaction) => Promise<unknown>;
}

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

/** Per parallel asset, in its smallest units (exact strings): accrued, matured, claimed, claimable, pending. */
export function assetSupplyJson(economy: Pick<EconomyService, 'assetSupply'>) {
  return economy.assetSupply().map((a) => ({
    asset: a.assetId,
    chain: a.chain,
    decimals: a.decimals,
    launched: a.launched,
    accrued: a.accrued.toString(),
    matured: a.matured.toString(),
    claimed: a.claimed.toString(),
    claimable: a.claimable.toString(),
    pending: a.pending.toString(),
  }));
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

/** The claim object of `claimasset` and `createclaimdata`; every field checked and named. */
export function parseClaimFields(
  v: unknown,
  method: string,
): Omit<ClaimData, 'nonce'> & { sourceAddress: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RpcError(
      RPC.TYPE_ERROR,
      `${method} takes one object: {assetId, sourceAddress, targetAddress, amount}`,
    );
  const o = v as Record<string, unknown>;
  const str = (key: string): string => {
    const x = o[key];
    if (typeof x !== 'string' || x.length === 0 || x.length > 128)
      throw new RpcError(RPC.TYPE_ERROR, `claim.${key} must be a non-empty string, got ${JSON.stringify(x)}`);
    return x;
  };
  return {
    assetId: str('assetId'),
    sourceAddress: str('sourceAddress'),
    targetAddress: str('targetAddress'),
    amount: units(o.amount, 'claim.amount'),
  };
}

/** The claim with the source's next nonce, checked against the tip as a block would check it. */
function nextClaim(
  economy: EconomyService,
  p: unknown[],
  method: string,
): ClaimData & { sourceAddress: string } {
  const f = parseClaimFields(p[0], method);
  const position = economyCall(() => economy.balance(f.sourceAddress)).assets.find(
    (a) => a.assetId === f.assetId,
  );
  if (!position)
    throw new RpcError(
      RPC.INVALID_PARAMETER,
      `unknown-asset: no parallel asset ${JSON.stringify(f.assetId)}`,
    );
  return { ...f, nonce: position.nextNonce };
}

function walletFailure(err: unknown): never {
  if (err instanceof EconomyError || err instanceof InsufficientFundsError)
    throw new RpcError(RPC.WALLET_ERROR, err.message);
  if (err instanceof ConsensusError) throw new RpcError(RPC.VERIFY_REJECTED, err.message);
  throw err;
}

export function registerEconomyMethods(
  rpc: RpcDispatcher,
  economy: EconomyService,
  sender?: ClaimSender,
): void {
  rpc.register(
    'getsupply',
    'Circulating supply and where it is: miners, node operators, foundation, collateral, app payments, burned; and per parallel asset what is accrued, claimable and claimed.',
    () => ({
      ...supplyJson(economy.supply(), economy.coverage()),
      parallel_assets: assetSupplyJson(economy),
    }),
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
          mined: {
            outputs: b.earnings.mined.outputs,
            amount: fluxAmount(b.earnings.mined.amount),
            eligible: fluxAmount(b.earnings.mined.eligible),
            amount_sat: b.earnings.mined.amount.toString(),
            eligible_sat: b.earnings.mined.eligible.toString(),
          },
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
    'createclaimdata',
    'createclaimdata {"assetId", "sourceAddress", "targetAddress", "amount" (units)}: the OP_RETURN data of a claim with the source’s next nonce. Send it in a transaction whose first input spends a coin of the source address.',
    (p) => {
      const claim = nextClaim(economy, p, 'createclaimdata');
      const data = economyCall(() => encodeClaimData(claim, economy.assets));
      return { ...claim, amount: claim.amount.toString(), opreturn: toHex(data) };
    },
  );

  rpc.register(
    'claimasset',
    'claimasset {"assetId", "sourceAddress", "targetAddress", "amount" (units)}: makes the claim transaction from the source’s coins in this node’s wallet (signed by its key) and sends it; the claim counts once a block carries it.',
    async (p) => {
      if (!sender) throw new RpcError(RPC.WALLET_ERROR, 'this node has no wallet to make claims from');
      const claim = nextClaim(economy, p, 'claimasset');
      let payment: ReturnType<typeof claimPayment>;
      try {
        payment = claimPayment(sender.wallet, claim, economy.assets);
        const check = economy.checkClaimTx(
          payment.tx,
          (o) =>
            payment.inputs.find(
              (c) => toHex(c.outpoint.txid) === toHex(o.txid) && c.outpoint.index === o.index,
            )?.scriptPubKey,
        );
        if (!check) throw new EconomyError('bad-claim-data', 'the transaction carries no claim');
        await sender.accept(payment.tx);
        return { ...claimJson(check.record), txid: payment.txid, status: 'in-mempool' };
      } catch (err) {
        return walletFailure(err);
      }
    },
  );

  rpc.register(
    'getassetclaim',
    'getassetclaim "asset" "id": a claim on the active chain: where it was made and, once sealed, its Merkle proof.',
    (p) => {
      const assetId = assetParam(p, economy);
      const id = param.string(p, 1, 'id', { maxLength: 64 })!;
      return economyCall(() => {
        const claim = economy.claims(assetId).find((c) => c.id === id);
        if (!claim)
          throw new RpcError(RPC.INVALID_PARAMETER, `no ${assetId} claim ${id} on the active chain`);
        return { ...claimJson(claim), ...economy.claimPlace(id), proof: economy.proof(id) };
      });
    },
  );

  rpc.register(
    'getassetsnapshot',
    'getassetsnapshot "asset" ( number ): a sealed claim snapshot (latest by default; one is sealed every `interval` blocks): Merkle root, claims and their proofs; plus claims awaiting the next one.',
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
          height: economy.tip().height,
          interval: economy.snapshotInterval,
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

  rpc.register('listparallelassets', 'The parallel assets, their chains, decimals and launch dates.', () => {
    const tip = economy.tip();
    return economy.assets.map((a) => ({
      asset: a.id,
      chain: a.chain,
      decimals: a.decimals,
      launch_time: a.launchTime,
      launched: a.launchTime !== null && tip.time >= a.launchTime,
      launch_source: a.launchSource,
      decimals_source: a.decimalsSource,
      source: a.source,
    }));
  });
}
