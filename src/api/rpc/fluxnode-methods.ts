import type { FluxnodeRecord } from '../../chain/index.ts';
import { addressForScript, fromHex } from '../../consensus/index.ts';
import type { NodeContext } from '../context.ts';
import { fluxAmount, prefixes } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';

/** A registry record in the shape fluxd's viewdeterministicfluxnodelist prints. */
export function fluxnodeJson(r: FluxnodeRecord, rank: number, ctx: NodeContext) {
  const [txhash, outidx] = r.collateral.split(':');
  const entryTime = (h: number | null) => (h === null ? 0 : (ctx.chain.getEntry(h)?.time ?? 0));
  return {
    collateral: `COutPoint(${txhash}, ${outidx})`,
    txhash,
    outidx: Number(outidx),
    ip: r.ip,
    network: r.ip ? 'ipv4' : '',
    added_height: r.startHeight,
    confirmed_height: r.confirmedHeight ?? -1,
    last_confirmed_height: r.lastConfirmHeight ?? -1,
    last_paid_height: r.lastPaidHeight ?? 0,
    tier: r.tier.toUpperCase(),
    status: r.status,
    payment_address: addressForScript(fromHex(r.payoutScript), prefixes(ctx.params)) ?? '',
    pubkey: r.operatorPubKey,
    activesince: entryTime(r.confirmedHeight),
    lastpaid: entryTime(r.lastPaidHeight),
    amount: fluxAmount(r.amount).toFixed(2),
    rank,
  };
}

/** The fluxnode list in payment order within each tier (rank 0 is paid next). */
export function rankedFluxnodes(ctx: NodeContext): ReturnType<typeof fluxnodeJson>[] {
  const reg = ctx.registry();
  const out: ReturnType<typeof fluxnodeJson>[] = [];
  const byTier = new Map<string, FluxnodeRecord[]>();
  for (const r of reg.list()) byTier.set(r.tier, [...(byTier.get(r.tier) ?? []), r]);
  for (const list of byTier.values()) {
    const confirmed = list
      .filter((r) => r.status === 'confirmed')
      .sort((a, b) => {
        const pa = a.lastPaidHeight ?? a.confirmedHeight ?? 0;
        const pb = b.lastPaidHeight ?? b.confirmedHeight ?? 0;
        return pa - pb || (a.collateral < b.collateral ? -1 : 1);
      });
    confirmed.forEach((r, i) => {
      out.push(fluxnodeJson(r, i, ctx));
    });
    for (const r of list.filter((x) => x.status !== 'confirmed')) out.push(fluxnodeJson(r, -1, ctx));
  }
  return out;
}

export function registerFluxnodeMethods(rpc: RpcDispatcher, ctx: NodeContext): void {
  rpc.register(
    'viewdeterministicfluxnodelist',
    'viewdeterministicfluxnodelist ( "filter" ): every registered fluxnode.',
    (p) => {
      const filter = param.string(p, 0, 'filter', { optional: true, maxLength: 100 });
      const all = rankedFluxnodes(ctx);
      return filter ? all.filter((n) => JSON.stringify(n).includes(filter)) : all;
    },
  );
  rpc.register(
    'listfluxnodes',
    'listfluxnodes ( "filter" ): the fluxnode list (same as viewdeterministicfluxnodelist).',
    (p) => {
      const filter = param.string(p, 0, 'filter', { optional: true, maxLength: 100 });
      const all = rankedFluxnodes(ctx);
      return filter ? all.filter((n) => JSON.stringify(n).includes(filter)) : all;
    },
  );
  rpc.register('getfluxnodecount', 'Fluxnode counts by tier and status.', () => {
    const list = ctx.registry().list();
    const confirmed = list.filter((r) => r.status === 'confirmed');
    const count = (tier: string) => confirmed.filter((r) => r.tier === tier).length;
    return {
      total: list.length,
      stable: confirmed.length,
      'cumulus-enabled': count('cumulus'),
      'nimbus-enabled': count('nimbus'),
      'stratus-enabled': count('stratus'),
      started: list.length - confirmed.length,
      ipv4: confirmed.filter((r) => r.ip).length,
    };
  });
  rpc.register('getfluxnodewinners', 'The fluxnode each tier pays in the next block.', () => {
    const next = ctx.chain.height() + 1;
    return Object.fromEntries(
      ctx
        .registry()
        .payees(next)
        .map((p) => [
          p.tier,
          {
            collateral: p.collateral,
            payment_address: addressForScript(fromHex(p.payoutScript), prefixes(ctx.params)),
          },
        ]),
    );
  });
}
