/**
 * The peer book: every address this node has heard of, where from, and how dialing it went, kept on
 * disk so that a restarted node finds the network again without any bootstrap address.
 *
 * Entries are keyed by transport address (`/ip4/1.2.3.4/tcp/36125`), not by peer id, because the
 * chain's node list names addresses only; the peer id is added once a connection proves it.
 * (libp2p's own peer store is keyed by peer id and kept in memory, so it cannot hold these.)
 * Selection is uniformly random among the entries that may be dialed now, so no address, the
 * bootstrap one included, is favoured: the overlay grows without a hub.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const PEER_SOURCES = ['bootstrap', 'chain', 'exchange', 'identify'] as const;
export type PeerSource = (typeof PEER_SOURCES)[number];

export interface BookEntry {
  /** Transport address without /p2p: `/ip4/<a>/tcp/<port>` or `/ip6/<a>/tcp/<port>`. */
  addr: string;
  peerId?: string;
  sources: PeerSource[];
  /** Last time a connection to this address was up (ms since the epoch; 0: never). */
  lastSeen: number;
  lastAttempt: number;
  /** Dial failures since the last success. */
  failures: number;
}

export interface PeerBookOptions {
  /** Where the book is saved (JSON); none: memory only. */
  file?: string;
  /** Most entries kept; the least useful go first when full (default 1,000). */
  maxEntries?: number;
  /** First retry delay after a failure, doubled per further failure (default 1,000 ms). */
  retryBaseMs?: number;
  /** Longest retry delay (default 5,000 ms: a healed partition or a restarted peer is found again soon). */
  retryMaxMs?: number;
  now?: () => number;
  /** Uniform in [0, 1); tests pass a seeded one. */
  random?: () => number;
}

/** A bad address given to the book: names the value at fault. */
export class PeerAddressError extends Error {
  readonly field = 'addr';
  readonly value: string;
  constructor(value: string, reason: string) {
    super(`peer address ${JSON.stringify(value.slice(0, 120))}: ${reason}`);
    this.name = 'PeerAddressError';
    this.value = value;
  }
}

const ADDR = /^\/(ip4|ip6)\/([0-9a-fA-F:.]{2,45})\/tcp\/(\d{1,5})(?:\/p2p\/([1-9A-HJ-NP-Za-km-z]{40,60}))?$/;
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/**
 * Splits a dialable address into transport part and peer id. Accepts `/ip4|ip6/…/tcp/…[/p2p/<id>]`
 * or `host:port`; throws PeerAddressError for anything else (DNS, relays, unspecified hosts).
 */
export function parsePeerAddress(text: string): { addr: string; peerId?: string } {
  let s = text.trim();
  const hostPort = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(s);
  if (hostPort) s = `/ip4/${hostPort[1]}/tcp/${hostPort[2]}`;
  const m = ADDR.exec(s);
  if (!m) throw new PeerAddressError(text, 'expected /ip4|ip6/<host>/tcp/<port>[/p2p/<id>] or ip:port');
  const [, family, host, port, peerId] = m;
  const p = Number(port);
  if (p < 1 || p > 65535) throw new PeerAddressError(text, 'port out of range');
  if (host === undefined || UNSPECIFIED.has(host)) throw new PeerAddressError(text, 'unspecified host');
  const addr = `/${family}/${host}/tcp/${p}`;
  return peerId ? { addr, peerId } : { addr };
}

export class PeerBook {
  readonly #entries = new Map<string, BookEntry>();
  readonly #opts: Required<Omit<PeerBookOptions, 'file'>> & { file?: string };
  #dirty = false;

  constructor(opts: PeerBookOptions = {}) {
    this.#opts = {
      maxEntries: 1000,
      retryBaseMs: 1000,
      retryMaxMs: 5000,
      now: Date.now,
      random: Math.random,
      ...opts,
    };
    if (opts.file && existsSync(opts.file)) this.#load(opts.file);
  }

  get size(): number {
    return this.#entries.size;
  }

  entries(): BookEntry[] {
    return [...this.#entries.values()].map((e) => ({ ...e, sources: [...e.sources] }));
  }

  get(addr: string): BookEntry | undefined {
    return this.#entries.get(addr);
  }

  /** Adds (or merges) an address; returns true when it is new. Bad addresses throw PeerAddressError. */
  add(text: string, source: PeerSource, peerId?: string): boolean {
    const parsed = parsePeerAddress(text);
    const id = peerId ?? parsed.peerId;
    const existing = this.#entries.get(parsed.addr);
    if (existing) {
      if (!existing.sources.includes(source)) {
        existing.sources.push(source);
        this.#dirty = true;
      }
      // Hearsay never overrides a peer id a connection proved.
      if (id && existing.peerId !== id && (source !== 'exchange' || !existing.peerId)) {
        existing.peerId = id;
        this.#dirty = true;
      }
      return false;
    }
    if (this.#entries.size >= this.#opts.maxEntries && !this.#evictOne()) return false;
    this.#entries.set(parsed.addr, {
      addr: parsed.addr,
      ...(id ? { peerId: id } : {}),
      sources: [source],
      lastSeen: 0,
      lastAttempt: 0,
      failures: 0,
    });
    this.#dirty = true;
    return true;
  }

  /** A connection to `addr` is up: the peer id is proven, failures are forgotten. */
  connected(addr: string, peerId: string): void {
    const e = this.#entries.get(addr);
    if (!e) return;
    e.peerId = peerId;
    e.lastSeen = this.#opts.now();
    e.failures = 0;
    this.#dirty = true;
  }

  attempted(addr: string): void {
    const e = this.#entries.get(addr);
    if (e) e.lastAttempt = this.#opts.now();
  }

  failed(addr: string): void {
    const e = this.#entries.get(addr);
    if (!e) return;
    e.lastAttempt = this.#opts.now();
    e.failures++;
    this.#dirty = true;
  }

  remove(addr: string): void {
    if (this.#entries.delete(addr)) this.#dirty = true;
  }

  /** True when the entry may be dialed now: never failed, or its retry delay has passed. */
  dialable(e: BookEntry): boolean {
    if (e.failures === 0) return true;
    const delay = Math.min(this.#opts.retryMaxMs, this.#opts.retryBaseMs * 2 ** (e.failures - 1));
    return this.#opts.now() >= e.lastAttempt + delay;
  }

  /**
   * Up to `n` entries to dial, drawn uniformly at random from those dialable now and not excluded
   * (by address or peer id): every known node is as likely as any other, so no node becomes a hub.
   */
  pick(n: number, exclude: (e: BookEntry) => boolean): BookEntry[] {
    const pool = [...this.#entries.values()].filter((e) => !exclude(e) && this.dialable(e));
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(this.#opts.random() * (i + 1));
      const [a, b] = [pool[i], pool[j]];
      if (a && b) [pool[i], pool[j]] = [b, a];
    }
    return pool.slice(0, Math.max(0, n));
  }

  /** Writes the book if it changed (to a temporary file, then renamed: a crash never leaves half a book). */
  save(): void {
    const file = this.#opts.file;
    if (!file || !this.#dirty) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, peers: this.entries() }, null, 1)}\n`);
    renameSync(tmp, file);
    this.#dirty = false;
  }

  /** Makes room: the entry that failed most and was seen longest ago (chain entries last). */
  #evictOne(): boolean {
    let worst: BookEntry | undefined;
    const badness = (e: BookEntry) =>
      (e.sources.includes('chain') ? 0 : 1e15) + e.failures * 1e13 - e.lastSeen / 1000;
    for (const e of this.#entries.values()) if (!worst || badness(e) > badness(worst)) worst = e;
    if (!worst) return false;
    this.#entries.delete(worst.addr);
    return true;
  }

  /** Reads a saved book; entries that no longer parse are dropped (a corrupt file starts empty). */
  #load(file: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    const peers = (raw as { peers?: unknown })?.peers;
    if (!Array.isArray(peers)) return;
    for (const p of peers.slice(0, this.#opts.maxEntries)) this.#loadEntry(p);
    this.#dirty = false;
  }

  #loadEntry(p: unknown): void {
    const e = p as Partial<BookEntry>;
    if (typeof e?.addr !== 'string') return;
    const sources = (Array.isArray(e.sources) ? e.sources : []).filter((s): s is PeerSource =>
      (PEER_SOURCES as readonly string[]).includes(s),
    );
    try {
      this.add(e.addr, sources[0] ?? 'exchange', typeof e.peerId === 'string' ? e.peerId : undefined);
    } catch {
      return;
    }
    const entry = this.#entries.get(parsePeerAddress(e.addr).addr);
    if (!entry) return;
    entry.sources = sources.length ? sources : entry.sources;
    entry.lastSeen = Number.isFinite(e.lastSeen) ? Number(e.lastSeen) : 0;
    // A restart is a fresh start: old failures should not keep a node from its known peers.
    entry.failures = 0;
    entry.lastAttempt = 0;
  }
}
