/** Fills a JSON-RPC dispatcher with every method group, each given the node parts it uses. */
import {
  registerAddressMethods,
  registerAppMethods,
  registerChainMethods,
  registerEconomyMethods,
  registerPoolMethods,
  registerFluxnodeAliases,
  registerFluxnodeMethods,
  registerMiningMethods,
  registerRawTxMethods,
  registerStateMethods,
  registerWalletMethods,
  RpcDispatcher,
} from '../../api/index.ts';
import { poolControls } from '../pool-role.ts';
import { restContext } from './rest.ts';
import type { ApiSources } from './sources.ts';

export function buildRpc(node: ApiSources): RpcDispatcher {
  const rpc = new RpcDispatcher({ metrics: node.services.metrics.api });
  const ctx = node.context();
  const { mining: miner, operator, cloud } = node;
  registerChainMethods(rpc, ctx);
  registerFluxnodeMethods(rpc, ctx);
  registerAddressMethods(rpc, ctx, node.services.addressIndex);
  registerMiningMethods(rpc, ctx, {
    defaultMinerAddress: () => miner.address,
    setGenerate: (on, address, maxBlocks) => miner.setGenerate(on, address, maxBlocks),
    minerStats: () => miner.miner?.stats(),
  });
  registerWalletMethods(rpc, ctx, {
    wallet: node.services.wallet,
    save: () => node.saveWallet(),
    operator: { start: (c) => operator.start(c), status: () => operator.status() },
  });
  const wallet = node.services.wallet;
  registerStateMethods(rpc, ctx, {
    walletBalance: () => wallet.balance().spendable,
    keypoolSize: () => wallet.listAddresses().length,
  });
  registerRawTxMethods(rpc, ctx, wallet);
  registerFluxnodeAliases(rpc, ctx, {
    selfCollateral: () => operator.collateral,
    benchmarkOf: (c) => restContext(node).benchmarks?.benchmarkOf(c),
  });
  registerEconomyMethods(rpc, node.services.economy, { wallet, accept: (tx) => ctx.acceptTransaction(tx) });
  registerPoolMethods(
    rpc,
    ctx,
    node.pool ? poolControls(node.pool, node.services, (tx) => ctx.acceptTransaction(tx)) : undefined,
  );
  registerAppMethods(rpc, ctx, {
    registration: node.registration,
    directory: cloud.directory,
    locations: (name) =>
      (node.agent?.agent?.allLocations().get(name) ?? []).map((l) => ({
        node: l.node,
        ip: l.ip,
        ports: l.ports,
        state: l.running ? 'running' : 'starting',
        ...(l.hddUnenforced ? { hddEnforced: false } : {}),
      })),
    placement: (name) => node.agent?.agent?.placement().explain(name),
    mesh: (name) => node.mesh?.addressesOf(name) ?? [],
  });
  return rpc;
}
