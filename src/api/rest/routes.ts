import type { ApiServer } from '../http-server.ts';
import { registerAppRoutes } from './app-routes.ts';
import { BlockSummaries, registerChainRoutes } from './chain-routes.ts';
import { registerNetworkRoutes } from './network-routes.ts';
import { registerPoolRoutes } from './pool-routes.ts';
import { NodeCountHistory } from './node-history.ts';
import { registerNodeRoutes } from './node-routes.ts';
import { registerOwnerOpRoutes } from './owner-op-routes.ts';
import { registerOwnerRoutes } from './owner-routes.ts';
import type { RestContext } from './providers.ts';

export interface RestRoutes {
  blocks: BlockSummaries;
  history: NodeCountHistory;
  /** Stops listening to the chain (call before closing it). */
  close(): void;
}

/**
 * The public REST API (GET, JSON): /chain/*, /nodes*, /node/status, /apps*, /network/*,
 * /economy/supply, and for app owners POST /apps/:name/ops, /apps/quote, /apps/submit, /chain/tx. Parameters are checked before
 * anything is read; every error is `{ "error": "<message>" }` with a 4xx/5xx status.
 */
export function registerRestRoutes(api: ApiServer, ctx: RestContext): RestRoutes {
  const blocks = new BlockSummaries(ctx);
  const history = new NodeCountHistory(ctx.chain, ctx.registry);
  registerChainRoutes(api, ctx, blocks);
  registerNodeRoutes(api, ctx, blocks);
  registerOwnerRoutes(api, ctx);
  registerAppRoutes(api, ctx);
  registerOwnerOpRoutes(api, ctx);
  registerNetworkRoutes(api, ctx, history);
  registerPoolRoutes(api, ctx);
  return { blocks, history, close: () => history.close() };
}
