/** The api layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { allowList, isLoopback } from './allow-list.ts';
export type { NodeContext } from './context.ts';
export { ApiServer } from './http-server.ts';
export { jsonReplacer } from './json.ts';
export { RpcDispatcher } from './jsonrpc.ts';
export { type ApiMetrics, createApiMetrics } from './metrics.ts';
export { agentProviders } from './rest/agent-providers.ts';
export type { RestContext } from './rest/providers.ts';
export type { OwnerOpAnswer, OwnerOpNode } from './rest/owner-op-routes.ts';
export { registerRestRoutes, type RestRoutes } from './rest/routes.ts';
export type {
  ApiEvent,
  AppDetail,
  AppLocation,
  AppSummary,
  InstanceData,
  BlockSummary,
  NetworkTotals,
  NodeCountPoint,
  NodeStatus,
  NodeView,
  Sats,
} from './rest/types.ts';
export { registerAddressMethods } from './rpc/address-methods.ts';
export { registerAppMethods } from './rpc/app-methods.ts';
export { registerChainMethods } from './rpc/chain-methods.ts';
export { registerEconomyMethods } from './rpc/economy-methods.ts';
export { registerPoolMethods } from './rpc/pool-methods.ts';
export type { PoolControls } from './pool-json.ts';
export { registerFluxnodeAliases } from './rpc/fluxnode-aliases.ts';
export { registerFluxnodeMethods } from './rpc/fluxnode-methods.ts';
export { registerRawTxMethods } from './rpc/rawtx-methods.ts';
export { registerStateMethods } from './rpc/state-methods.ts';
export { registerMiningMethods } from './rpc/mining-methods.ts';
export { registerWalletMethods } from './rpc/wallet-methods.ts';
export { attachWebSocket, type EventHub } from './ws/event-hub.ts';
