// The host's libp2p node as a type, and small helpers over its connections: apart from
// host-libp2p.ts so that the host can use them without loading libp2p before it starts.

import type { gossipsub } from '@libp2p/gossipsub';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';

export type HostLibp2p = Libp2p<{
  pubsub: ReturnType<ReturnType<typeof gossipsub>>;
  identify: unknown;
  ping: unknown;
}>;

/** The IP address of an /ip4 or /ip6 multiaddr. */
export function ipOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value;
}

/** Closes every connection of `node` to `peer` (aborting it with `why` when a clean close fails). */
export function closeConnectionsTo(node: HostLibp2p | undefined, peer: string, why: string): void {
  for (const c of node?.getConnections() ?? []) {
    if (c.remotePeer.toString() === peer) void c.close().catch(() => c.abort(new Error(why)));
  }
}
