/**
 * Finding and keeping peers without a centre. Addresses come from three places, all kept in the
 * peer book: the bootstrap list (first contact only: it is one more entry, never preferred), the
 * chain's fluxnode list (the chain is the directory), and peer exchange (each peer is asked whom it
 * knows, on connect and now and then). A timer keeps `targetOutbound` outbound connections (8, or
 * every known peer when fewer), each drawn at random from the book, so the overlay has no hub and
 * losing any one node leaves the others connected to each other.
 */
import type { RequestHandler, RequestOptions } from './request.ts';
import { type BookEntry, PeerAddressError, type PeerBook, parsePeerAddress } from './peer-book.ts';

/** What discovery needs of the libp2p host (P2PHost fits; unit tests give a twin). */
export interface DiscoveryNet {
  readonly peerId: string;
  /** This node's own listen addresses (never dialed). */
  readonly multiaddrs: string[];
  connections(): { peer: string; addr: string; direction: 'inbound' | 'outbound' }[];
  /** Dials `addr` (with /p2p/<id> when known); resolves with the remote peer id. */
  dial(addr: string, timeoutMs: number): Promise<string>;
  handle(name: string, handler: RequestHandler): void;
  request(peer: string, name: string, req: Uint8Array, opts?: RequestOptions): Promise<Uint8Array[]>;
  penalize(peer: string, points: number, reason: string): void;
  /** Closes every connection to `peer` (no penalty). */
  hangUp(peer: string): void;
}

export interface DiscoveryOptions {
  bootstrap: string[];
  /** Addresses of the chain's registered nodes, as `ip:port` or multiaddrs. */
  chainPeers?: () => string[];
  /** Outbound connections to hold (default 8). */
  targetOutbound?: number;
  /** How often the connection count is checked (default 2,000 ms). */
  tickMs?: number;
  /** How often a random peer is asked for addresses (default 30,000 ms). */
  exchangeMs?: number;
  /**
   * How often, when at the target, one outbound connection is replaced by a fresh random pick
   * (default 120,000 ms): early choices made from a small book do not last, so the overlay tends to
   * a random graph over everyone known.
   */
  rotateMs?: number;
  /** How often the chain's node list is read again (default 30,000 ms). */
  chainRefreshMs?: number;
  log?: (obj: object, msg: string) => void;
}

export const PEERS_PROTOCOL = 'peers';
/** Addresses in one peer-exchange reply. */
export const MAX_EXCHANGE_ADDRS = 32;
const MAX_ADDR_BYTES = 200;
const DIAL_TIMEOUT_MS = 5000;
/** Chain-listed addresses added to the book per refresh. */
const CHAIN_SAMPLE = 256;
/** A peer seen within this long is worth passing on to others. */
const SHARE_SEEN_WITHIN_MS = 24 * 3600_000;

export class PeerDiscovery {
  readonly book: PeerBook;
  readonly #net: DiscoveryNet;
  readonly #o: Required<Omit<DiscoveryOptions, 'chainPeers' | 'log'>> & Pick<DiscoveryOptions, 'chainPeers'>;
  readonly #log: (obj: object, msg: string) => void;
  readonly #dialing = new Set<string>();
  /** Peers dialed only because the bootstrap list named them: dropped once others fill the target. */
  readonly #firstContact = new Set<string>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #lastChainRefresh = 0;
  #lastRotate = Date.now();
  #ticking: Promise<void> | undefined;
  #running = false;

  constructor(net: DiscoveryNet, book: PeerBook, opts: DiscoveryOptions) {
    this.#net = net;
    this.book = book;
    this.#o = {
      targetOutbound: 8,
      tickMs: 2000,
      exchangeMs: 30_000,
      chainRefreshMs: 30_000,
      rotateMs: 120_000,
      ...opts,
    };
    this.#log = opts.log ?? (() => {});
  }

  /** Serves peer exchange; call before the host starts. */
  install(): void {
    this.#net.handle(PEERS_PROTOCOL, (_req, from) => this.#share(from));
  }

  /** Seeds the book from the bootstrap list and starts holding connections. */
  start(): void {
    this.#running = true;
    for (const a of this.#o.bootstrap) this.#addQuietly(a, 'bootstrap');
    this.#timers.push(setInterval(() => void this.tick(), this.#o.tickMs));
    this.#timers.push(setInterval(() => void this.#exchangeWithRandom(), this.#o.exchangeMs));
    // Only written when changed; often enough that a node killed soon after it met its peers
    // still finds them again.
    this.#timers.push(setInterval(() => this.book.save(), 1000));
    for (const t of this.#timers) t.unref();
    void this.tick();
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers.splice(0)) clearInterval(t);
    this.book.save();
  }

  /**
   * A connection was identified: its listen addresses go in the book, the dialed one is proven,
   * and the peer is asked whom it knows.
   */
  identified(
    peer: string,
    listenAddrs: string[],
    remoteAddr: string,
    direction: 'inbound' | 'outbound',
  ): void {
    if (direction === 'outbound') {
      const dialed = safeParse(remoteAddr);
      if (dialed) {
        this.book.add(dialed.addr, 'identify', peer);
        this.book.connected(dialed.addr, peer);
      }
    }
    for (const a of listenAddrs.slice(0, 8)) {
      const p = safeParse(a);
      if (!p || this.#isOwn(p.addr)) continue;
      this.book.add(p.addr, 'identify', peer);
      if (direction === 'inbound') this.book.connected(p.addr, peer);
    }
    void this.exchange(peer);
  }

  /** One pass: reads the chain's list when due, then dials random book entries up to the target. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    this.#refreshChain();
    const conns = this.#net.connections();
    const peers = new Set(conns.map((c) => c.peer));
    const out = new Set(conns.filter((c) => c.direction === 'outbound').map((c) => c.peer));
    for (const p of this.#firstContact) if (!out.has(p)) this.#firstContact.delete(p);
    const outbound = out.size - this.#firstContact.size;
    if (outbound >= this.#o.targetOutbound) {
      this.#dropFirstContacts();
      this.#rotate(out, peers);
    }
    const need = this.#o.targetOutbound - outbound - this.#dialing.size;
    if (need <= 0) return;
    const picks = this.book.pick(
      need,
      (e) => this.#dialing.has(e.addr) || this.#isOwn(e.addr) || (!!e.peerId && peers.has(e.peerId)),
    );
    await Promise.all(picks.map((e) => this.#dial(e)));
  }

  /** The bootstrap did its job once others fill the target: let it serve the next newcomer instead. */
  #dropFirstContacts(): void {
    for (const p of this.#firstContact) {
      this.#log({ peer: p }, 'leaving first-contact peer');
      this.#net.hangUp(p);
    }
    this.#firstContact.clear();
  }

  /** Replaces one random outbound peer when the book offers others (see `rotateMs`). */
  #rotate(out: Set<string>, connected: Set<string>): void {
    const now = Date.now();
    if (now - this.#lastRotate < this.#o.rotateMs) return;
    this.#lastRotate = now;
    const others = this.book.pick(1, (e) => this.#isOwn(e.addr) || (!!e.peerId && connected.has(e.peerId)));
    if (!others.length) return;
    const list = [...out];
    const victim = list[Math.floor(Math.random() * list.length)];
    if (victim) this.#net.hangUp(victim);
  }

  async #dial(e: BookEntry): Promise<void> {
    this.#dialing.add(e.addr);
    const firstContact = e.sources.length === 1 && e.sources[0] === 'bootstrap';
    this.book.attempted(e.addr);
    // A peer id that keeps failing may be stale (the node got a new key): try the bare address.
    const target = e.peerId && e.failures < 2 ? `${e.addr}/p2p/${e.peerId}` : e.addr;
    try {
      const peer = await this.#net.dial(target, DIAL_TIMEOUT_MS);
      if (peer === this.#net.peerId) this.book.remove(e.addr);
      else this.book.connected(e.addr, peer);
      if (firstContact && peer !== this.#net.peerId) this.#firstContact.add(peer);
    } catch (err) {
      this.book.failed(e.addr);
      this.#log({ addr: e.addr, err: (err as Error).message }, 'dial failed');
    } finally {
      this.#dialing.delete(e.addr);
    }
  }

  /** Asks `peer` whom it knows and books the answer; a malformed answer costs the peer points. */
  async exchange(peer: string): Promise<number> {
    let items: Uint8Array[];
    try {
      items = await this.#net.request(peer, PEERS_PROTOCOL, new Uint8Array(0), {
        maxItems: MAX_EXCHANGE_ADDRS,
        maxBytes: MAX_EXCHANGE_ADDRS * MAX_ADDR_BYTES,
        timeoutMs: 5000,
      });
    } catch {
      return 0;
    }
    let added = 0;
    let bad = 0;
    for (const item of items) {
      const p = item.length <= MAX_ADDR_BYTES ? safeParse(new TextDecoder().decode(item)) : undefined;
      if (!p) bad++;
      else if (
        !this.#isOwn(p.addr) &&
        p.peerId !== this.#net.peerId &&
        this.book.add(p.addr, 'exchange', p.peerId)
      )
        added++;
    }
    if (bad) this.#net.penalize(peer, 5 * bad, `${bad} malformed address(es) in peer exchange`);
    return added;
  }

  async #exchangeWithRandom(): Promise<void> {
    const peers = [...new Set(this.#net.connections().map((c) => c.peer))];
    const peer = peers[Math.floor(Math.random() * peers.length)];
    if (peer) await this.exchange(peer);
  }

  /** Whom we know: peers connected now first, then others seen lately; never the asker itself. */
  #share(from: string): Uint8Array[] {
    const connected = new Set(this.#net.connections().map((c) => c.peer));
    const now = Date.now();
    const known = this.book
      .entries()
      .filter((e) => e.peerId && e.peerId !== from && e.lastSeen > now - SHARE_SEEN_WITHIN_MS)
      .sort((a, b) => Number(connected.has(b.peerId ?? '')) - Number(connected.has(a.peerId ?? '')))
      .slice(0, MAX_EXCHANGE_ADDRS);
    return known.map((e) => new TextEncoder().encode(`${e.addr}/p2p/${e.peerId}`));
  }

  #refreshChain(): void {
    const list = this.#o.chainPeers;
    const now = Date.now();
    if (!list || now - this.#lastChainRefresh < this.#o.chainRefreshMs) return;
    this.#lastChainRefresh = now;
    // A random sample per refresh: the whole list of a large network (12,000 nodes) would only churn
    // a bounded book; over refreshes the book sees all of it.
    const all = list();
    for (let i = 0; i < Math.min(all.length, CHAIN_SAMPLE); i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      const [a, b] = [all[i], all[j]];
      if (a === undefined || b === undefined) break;
      [all[i], all[j]] = [b, a];
      this.#addQuietly(b, 'chain');
    }
  }

  #addQuietly(text: string, source: 'bootstrap' | 'chain'): void {
    try {
      const p = parsePeerAddress(text);
      if (!this.#isOwn(p.addr)) this.book.add(text, source);
    } catch (err) {
      if (!(err instanceof PeerAddressError)) throw err;
      this.#log({ addr: text, source }, 'unusable peer address');
    }
  }

  #isOwn(addr: string): boolean {
    return this.#net.multiaddrs.some((m) => m === addr || m.startsWith(`${addr}/`));
  }
}

function safeParse(text: string): { addr: string; peerId?: string } | undefined {
  try {
    return parsePeerAddress(text);
  } catch {
    return undefined;
  }
}
