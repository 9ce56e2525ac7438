// What a P2PHost is started with: its network and listen address, first contacts, connection
// limits, identity, message and request limits, metrics and logger.

import type { PrivateKey } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { P2PMetrics } from './metrics.ts';

export interface P2PHostOptions {
  /** Network name: topics and protocols are namespaced by it so networks never mix. */
  network: string;
  host: string;
  port: number;
  /** Multiaddrs (with /p2p/<id>) or host:port of peers for first contact (see PeerDiscovery). */
  bootstrap: string[];
  /** Where the peer book is kept (e.g. <datadir>/peers.json); none: memory only. */
  peerBookFile?: string;
  /** Addresses of the chain's registered nodes: the chain as the directory. */
  chainPeers?: () => string[];
  /** Outbound connections to hold (default 8). */
  targetOutbound?: number;
  /** Inbound connections accepted at most (default 48 of the 64 connections). */
  maxInbound?: number;
  keyFile?: string;
  privateKey?: PrivateKey;
  /** Largest gossip message and request/response item accepted. */
  maxMessageBytes?: number;
  /** Requests a peer may make per second on each protocol (with a burst of 4×). */
  requestRate?: number;
  metrics?: P2PMetrics | null;
  /** The p2p child logger (`{ module: 'p2p' }`); silent when not given. */
  log?: Logger;
}
