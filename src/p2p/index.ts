/** The p2p layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { chainPeerAddresses } from './chain-peers.ts';
export { ConnectionGuard, type ConnectionLimits } from './connection-guard.ts';
export {
  ACCEPT,
  type GossipResult,
  type GossipTopic,
  gossipTopic,
  type GossipVerdict,
  ignore,
  refusal,
  reject,
  type TopicValidator,
} from './gossip-validation.ts';
export { P2PHost } from './host.ts';
export type { RequestHandler, RequestOptions } from './request.ts';
export { MempoolSync } from './mempool-sync.ts';
export { createP2PMetrics, type P2PMetrics } from './metrics.ts';
export { ChainSync } from './sync.ts';
export { CHAIN_TOPICS } from './topics.ts';
