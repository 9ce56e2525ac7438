/**
 * Owner requests between nodes: the relay (cloud/owner/relay.ts) wired to this node's p2p host, its
 * cloud agent (when it runs apps) and the chain's node list, which says where each node id lives.
 */
import type { FluxnodeRegistry } from '../chain/index.ts';
import { type OwnerExecutor, OwnerRelay } from '../cloud/index.ts';
import { chainPeerAddresses, type P2PHost } from '../p2p/index.ts';

export interface OwnerRelayWiring {
  p2p: P2PHost;
  registry: () => FluxnodeRegistry;
  local: () => OwnerExecutor | undefined;
  /** The p2p port nodes listen on (the network's). */
  p2pPort: number;
}

export function ownerRelay(w: OwnerRelayWiring): OwnerRelay {
  const relay = new OwnerRelay({
    net: w.p2p,
    local: w.local,
    peerOf: (node, timeoutMs) => peerOfNode(w, node, timeoutMs),
  });
  relay.install();
  return relay;
}

/**
 * The peer that is node `node`: a connected peer at the address the node announced on chain (the
 * connection's or a listen address identify told the peer book), else a fresh dial of that address.
 */
async function peerOfNode(w: OwnerRelayWiring, node: string, timeoutMs: number): Promise<string | undefined> {
  const record = w.registry().get(node);
  const [addr] = record ? chainPeerAddresses([record], w.p2pPort) : [];
  if (!addr) return undefined;
  const at = `${addr.split('/tcp/')[0]}/`;
  const connected = new Map(w.p2p.peers().map((p) => [p.id, p.addr]));
  for (const [id, remote] of connected) if (`${remote}/`.startsWith(at)) return id;
  for (const e of w.p2p.discovery.book.entries())
    if (e.peerId && connected.has(e.peerId) && `${e.addr}/`.startsWith(at)) return e.peerId;
  return w.p2p.dial(addr, timeoutMs);
}
