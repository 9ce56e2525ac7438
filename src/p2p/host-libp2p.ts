// The libp2p node behind a P2PHost: TCP + noise + yamux, identify, ping and gossipsub, with the
// connection gater that asks the host whom it refuses. The host imports this file when it starts
// (libp2p and its services are about a thousand modules): importing the p2p layer for its
// vocabulary (verdicts, topics, the connection guard) does not load them.

import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import type { Multiaddr } from '@multiformats/multiaddr';
import { sha256 } from '@noble/hashes/sha2.js';
import { createLibp2p } from 'libp2p';
import { type HostLibp2p, ipOf } from './libp2p-connections.ts';

const MAX_CONNECTIONS = 64;

/** What the connection gater asks the host. */
export interface HostGate {
  bannedIps: ReadonlySet<string>;
  refuses(peer: string): boolean;
  refusesAt(peerId: PeerId, remote?: Multiaddr): Promise<boolean>;
  /** True once inbound connections reached their limit. */
  inboundFull(): boolean;
}

export function createHostLibp2p(
  opts: { host: string; port: number },
  privateKey: PrivateKey | undefined,
  maxMessageBytes: number,
  gate: HostGate,
): Promise<HostLibp2p> {
  return createLibp2p({
    ...(privateKey ? { privateKey } : {}),
    addresses: { listen: [`/ip4/${opts.host}/tcp/${opts.port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      // Loopback and private addresses are allowed; only what the operator banned is refused.
      denyDialMultiaddr: (ma: Multiaddr) => gate.bannedIps.has(ipOf(ma) ?? ''),
      denyDialPeer: (peerId: PeerId) => gate.refuses(peerId.toString()),
      denyInboundEncryptedConnection: (peerId: PeerId) => gate.refusesAt(peerId),
      denyOutboundEncryptedConnection: (peerId: PeerId) => gate.refusesAt(peerId),
      // Room is kept for the connections this node chooses (discovery's random outbound picks):
      // whoever dials in can never take every slot and so decide alone whom this node hears.
      denyInboundConnection: () => gate.inboundFull(),
    },
    connectionManager: { maxConnections: MAX_CONNECTIONS },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        // Content-addressed ids: the same block from two publishers is one message.
        msgIdFn: (msg) => sha256(msg.data),
        // Blocks, transactions and cloud messages prove themselves (proof of work, signatures
        // inside): a per-message libp2p signature adds nothing but a verification per message
        // (about a millisecond each), which let a flood of junk starve a node's CPU.
        globalSignaturePolicy: 'StrictNoSign',
        maxInboundDataLength: maxMessageBytes + 64 * 1024,
        heartbeatInterval: 500,
      }),
    },
  });
}
