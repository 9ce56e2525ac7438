/**
 * The p2p layer's metrics: peers, gossip verdicts by topic, connects, disconnects and bans, and
 * request/response traffic. Label values are bounded: topics and protocols are the ones this node
 * subscribes to or serves (names in code), verdicts and results are fixed words.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Verdicts by topic, as the gossip validation wrapper counts them (GossipValidation.byTopic fits). */
export type GossipCounts = () => ReadonlyMap<string, Readonly<Record<GossipVerdictName, number>>>;
type GossipVerdictName = 'accept' | 'ignore' | 'reject';
const VERDICTS: readonly GossipVerdictName[] = ['accept', 'ignore', 'reject'];

export interface P2PMetrics {
  peerConnects: Counter;
  peerDisconnects: Counter;
  peerBans: Counter;
  requests: Counter<'protocol' | 'result'>;
  /** Points the peer gauge at a host (the latest call wins). */
  watchPeers(count: () => number): void;
  /** Points the gossip verdict counter at the wrapper's counts, the one place verdicts are counted. */
  watchGossip(counts: GossipCounts): void;
  /** Points the discovery gauges (outbound connections, peer book entries) at a host. */
  watchDiscovery(outbound: () => number, bookEntries: () => number): void;
}

export function createP2PMetrics(registry: Registry): P2PMetrics {
  const registers = [registry];
  let peers: (() => number) | undefined;
  let gossip: GossipCounts | undefined;
  new Counter({
    name: 'fluxnode_p2p_gossip_messages_total',
    help: 'Gossip messages validated, by topic and verdict (accept, ignore, reject)',
    labelNames: ['topic', 'verdict'],
    registers,
    collect() {
      if (!gossip) return;
      this.reset();
      for (const [topic, c] of gossip())
        for (const verdict of VERDICTS) this.inc({ topic, verdict }, c[verdict]);
    },
  });
  let discovery: { outbound: () => number; book: () => number } | undefined;
  new Gauge({
    name: 'fluxnode_p2p_outbound_peers',
    help: 'Peers this node dialed and holds now (discovery keeps up to 8)',
    registers,
    collect() {
      if (discovery) this.set(discovery.outbound());
    },
  });
  new Gauge({
    name: 'fluxnode_p2p_peer_book_entries',
    help: 'Addresses in the peer book (bootstrap, chain, peer exchange, identify)',
    registers,
    collect() {
      if (discovery) this.set(discovery.book());
    },
  });
  new Gauge({
    name: 'fluxnode_p2p_peers',
    help: 'Peers connected now',
    registers,
    collect() {
      if (peers) this.set(peers());
    },
  });
  return {
    peerConnects: new Counter({
      name: 'fluxnode_p2p_peer_connects_total',
      help: 'Peer connections opened',
      registers,
    }),
    peerDisconnects: new Counter({
      name: 'fluxnode_p2p_peer_disconnects_total',
      help: 'Peer connections closed',
      registers,
    }),
    peerBans: new Counter({
      name: 'fluxnode_p2p_peer_bans_total',
      help: 'Peers banned for misbehaviour (score over the threshold)',
      registers,
    }),
    requests: new Counter({
      name: 'fluxnode_p2p_requests_total',
      help: 'Requests from peers, by protocol and result (served, refused)',
      labelNames: ['protocol', 'result'],
      registers,
    }),
    watchGossip(counts) {
      gossip = counts;
    },
    watchPeers(count) {
      peers = count;
    },
    watchDiscovery(outbound, book) {
      discovery = { outbound, book };
    },
  };
}
