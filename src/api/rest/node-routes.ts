import { tierPayment } from '../../consensus/index.ts';
import type { ApiServer } from '../http-server.ts';
import type { BlockSummaries } from './chain-routes.ts';
import { benchmarkView, nodeViews } from './node-view.ts';
import type { RestContext } from './providers.ts';
import type { NodeStatus } from './types.ts';
import { collateralParam, notFound, statusParam, tierParam } from './validate.ts';

/** Blocks scanned for this node's recent rewards on /node/status. */
export const REWARD_WINDOW = 200;

export function registerNodeRoutes(api: ApiServer, ctx: RestContext, blocks: BlockSummaries): void {
  api.get('/nodes', ({ query }) => {
    const tier = tierParam(query.get('tier'));
    const status = statusParam(query.get('status'));
    return nodeViews(ctx).filter((n) => (!tier || n.tier === tier) && (!status || n.status === status));
  });

  api.get('/nodes/:collateral', ({ params }) => {
    const key = collateralParam(params.collateral);
    const node = nodeViews(ctx).find((n) => n.collateral === key);
    if (!node) throw notFound(`no registered fluxnode with collateral ${key}`);
    return node;
  });

  api.get('/node/status', () => nodeStatus(ctx, blocks));
}

export function nodeStatus(ctx: RestContext, blocks: BlockSummaries): NodeStatus {
  const tip = ctx.chain.tip();
  const collateral = ctx.self?.collateral();
  let fluxnode: NodeStatus['fluxnode'] = null;
  if (collateral) {
    const registered = nodeViews(ctx).find((n) => n.collateral === collateral) ?? null;
    const tier = registered?.tier;
    const recent: { height: number; time: number; amountSat: bigint }[] = [];
    let total = 0n;
    const window = Math.min(REWARD_WINDOW, tip.height);
    for (const b of blocks.latest(window)) {
      for (const p of b.nodePayouts) {
        if (p.collateral !== collateral) continue;
        const amount = BigInt(p.amountSat);
        total += amount;
        recent.push({ height: b.height, time: b.time, amountSat: amount });
      }
    }
    fluxnode = {
      collateral,
      registered,
      benchmark: tier ? benchmarkView(ctx.benchmarks?.benchmarkOf(collateral), tier, ctx.params) : null,
      rewards: {
        nextPaymentSat: tier ? tierPayment(tip.height + 1, tier, ctx.params) : 0n,
        lastPaidHeight: registered?.lastPaidHeight ?? null,
        lastPaidTime: registered?.lastPaidTime ?? null,
        window,
        count: recent.length,
        totalSat: total,
        recent: recent.slice(0, 20),
      },
    };
  }
  return {
    version: ctx.version,
    network: ctx.params.network,
    height: tip.height,
    bestHash: tip.id,
    tipTime: tip.time,
    peers: ctx.peers().length,
    uptimeSec: Math.floor((Date.now() - ctx.startedAt) / 1000),
    mempool: { count: ctx.mempool.size, bytes: ctx.mempool.totalBytes },
    fluxnode,
  };
}
