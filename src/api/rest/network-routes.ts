import { HttpError, type ApiServer } from '../http-server.ts';
import { listApps } from './app-routes.ts';
import type { NodeCountHistory } from './node-history.ts';
import { computeTotals, confirmedByTier, nodeViews } from './node-view.ts';
import type { RestContext } from './providers.ts';
import type { NetworkTotals } from './types.ts';
import { intParam } from './validate.ts';

export async function networkTotals(ctx: RestContext): Promise<NetworkTotals> {
  const nodes = nodeViews(ctx);
  const apps = await listApps(ctx);
  const confirmed = nodes.filter((n) => n.status === 'confirmed').length;
  const tip = ctx.chain.tip();
  return {
    network: ctx.params.network,
    height: tip.height,
    time: tip.time,
    nodes: {
      total: nodes.length,
      confirmed,
      started: nodes.length - confirmed,
      byTier: confirmedByTier(nodes),
    },
    compute: computeTotals(nodes),
    apps: {
      count: apps.length,
      instances: apps.reduce((n, a) => n + a.spec.instances, 0),
      placed: apps.reduce((n, a) => n + a.locations.length, 0),
    },
  };
}

export function registerNetworkRoutes(api: ApiServer, ctx: RestContext, history: NodeCountHistory): void {
  api.get('/network/totals', () => networkTotals(ctx));

  api.get('/network/history', ({ query }) => {
    const limit = intParam(query, 'limit', { min: 2, max: 2000, fallback: 200 });
    return history.list(limit);
  });

  api.get('/economy/supply', () => {
    if (!ctx.supply) throw new HttpError(501, 'this node keeps no supply statistics');
    return ctx.supply();
  });

  api.get('/economy/assets', () => {
    if (!ctx.assetSupply) throw new HttpError(501, 'this node keeps no parallel-asset figures');
    return ctx.assetSupply();
  });
}
