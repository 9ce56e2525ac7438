/** The REST API's view of the node: its context plus the cloud providers (read lazily: the agent starts later). */
import { agentProviders, type RestContext } from '../../api/index.ts';
import { appPaymentAddress, appPriceAt } from '../../cloud/index.ts';
import { poolControls } from '../pool-role.ts';
import type { ApiSources } from './sources.ts';

export function restContext(node: ApiSources): RestContext {
  const { chain, addressIndex, economy } = node.services;
  const agentProviderOf = () => {
    const agent = node.agent?.agent;
    return agent
      ? agentProviders(agent, {
          activeApps: () => node.cloud.activeApps(),
          priceAt: appPriceAt,
          ipOf: (id) => chain.fluxnodes.get(id)?.ip ?? '',
          meshOf: (app) => node.mesh?.addressesOf(app) ?? [],
        })
      : undefined;
  };
  return {
    ...node.context(),
    addressIndex,
    supply: () => economy.supply(),
    assetSupply: () => economy.assetSupply(),
    ...(node.pool
      ? { pool: poolControls(node.pool, node.services, (tx) => node.context().acceptTransaction(tx)) }
      : {}),
    self: { collateral: () => node.operator.collateral },
    owners: {
      registration: node.registration,
      payTo: appPaymentAddress(node.services.params),
      unmatched: () => node.cloud.directory.unmatched(chain.height(), chain.tip().id),
    },
    apps: {
      list: () => agentProviderOf()?.apps.list() ?? [],
      onChange: (listener) => {
        const on = () => listener();
        chain.on('tip', on);
        return () => chain.off('tip', on);
      },
    },
    ownerOps: { dispatch: (req, timeoutMs) => node.owner.dispatch(req, timeoutMs) },
    benchmarks: { benchmarkOf: (c) => agentProviderOf()?.benchmarks.benchmarkOf(c) },
  };
}
