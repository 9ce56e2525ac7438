/**
 * Fetching app specs by hash. The chain holds every paid spec hash, so a node knows exactly which
 * specs it lacks (joined late, restarted, missed the gossip) and asks its peers for them until it
 * has them. A reply is checked like a gossiped announcement (valid, canonical, signed by the owner)
 * and must hash to a spec that was asked for: a peer that serves anything else is penalized.
 * Hashes nobody has (a payment for a spec never published) are asked again less and less often.
 */
import { fromHex, toHex } from '../../consensus/index.ts';
import {
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  SPEC_TEXT_MAX,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from '../messages/spec-announcement.ts';
import type { AppSpecLimits } from '../spec/limits.ts';
import type { AppSpec } from '../spec/schema.ts';
import type { StoredSpec } from './spec-store.ts';

/** The request/response network as spec sync needs it (p2p/P2PHost fits). */
export interface SpecSyncNet {
  handle(name: string, handler: (req: Uint8Array, from: string) => Uint8Array[]): void;
  request(
    peer: string,
    name: string,
    req: Uint8Array,
    opts?: { maxItems?: number; maxBytes?: number; timeoutMs?: number },
  ): Promise<Uint8Array[]>;
  penalize(peer: string, points: number, reason: string): void;
  peers(): { id: string }[];
}

export interface SpecSyncDeps {
  net: SpecSyncNet;
  /** The held spec of a hash (SpecStore fits). */
  get(specHash: string): StoredSpec | undefined;
  /** Spec hashes the chain says were paid for and may be active (64 hex digits each). */
  paidHashes(): string[];
  /** Keeps a verified spec (the node's SpecStore + directory). */
  keep(spec: VerifiedSpec): void;
  limits: AppSpecLimits;
  now?: () => number;
  random?: () => number;
  log?: (obj: object, msg: string) => void;
}

export const SPECS_PROTOCOL = 'specs';
/** Hashes in one request. */
export const MAX_SPECS_PER_REQUEST = 32;
/** Peers asked per missing batch in one round. */
const PEERS_PER_ROUND = 3;
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;
const HASH_BYTES = 32;

/** Penalty for bytes that are not the spec asked for: as bad as an invalid gossip message. */
export const WRONG_SPEC_PENALTY = 25;

export class SpecSync {
  readonly #d: SpecSyncDeps;
  readonly #now: () => number;
  readonly #random: () => number;
  /** Hashes no peer had: when to ask again and how many rounds failed. */
  readonly #retry = new Map<string, { at: number; misses: number }>();
  #running: Promise<number> | undefined;
  #again = false;
  /** Specs fetched and kept, and replies that cost their sender points. */
  readonly counters = { fetched: 0, penalized: 0 };
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(deps: SpecSyncDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** Serves the specs this node holds. Call before the host starts. */
  install(): void {
    this.#d.net.handle(SPECS_PROTOCOL, (req) => this.#serve(req));
  }

  /** Looks for missing specs every `intervalMs` (and whenever `poke` is called). */
  start(intervalMs = 2000): void {
    this.#timer = setInterval(() => this.poke(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /**
   * Runs a round soon (new tip, new peer); rounds never overlap. A poke during a round asks for one
   * more after it: the tip that poked may carry a payment the running round did not see.
   */
  poke(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.syncOnce()
      .catch((err) => this.#d.log?.({ err: (err as Error).message }, 'spec sync failed'))
      .finally(() => {
        if (!this.#again) return;
        this.#again = false;
        this.poke();
      });
  }

  /** Paid hashes this node does not hold, that are due to be asked for. */
  missing(): string[] {
    const now = this.#now();
    return [...new Set(this.#d.paidHashes())].filter((h) => {
      if (this.#d.get(h)) {
        this.#retry.delete(h);
        return false;
      }
      return (this.#retry.get(h)?.at ?? 0) <= now;
    });
  }

  /** One round: asks peers for what is missing; resolves with how many specs were kept. */
  syncOnce(): Promise<number> {
    this.#running ??= this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #round(): Promise<number> {
    const missing = this.missing();
    if (!missing.length) return 0;
    const peers = this.#shuffled(this.#d.net.peers().map((p) => p.id));
    if (!peers.length) return 0;
    let kept = 0;
    for (let i = 0; i < missing.length; i += MAX_SPECS_PER_REQUEST) {
      const batch = new Set(missing.slice(i, i + MAX_SPECS_PER_REQUEST));
      for (const peer of peers.slice(0, PEERS_PER_ROUND)) {
        if (!batch.size) break;
        kept += await this.#ask(peer, batch);
      }
      for (const h of batch) this.#missed(h);
    }
    return kept;
  }

  /** Asks `peer` for `wanted`; removes what arrived from it, returns how many were kept. */
  async #ask(peer: string, wanted: Set<string>): Promise<number> {
    const req = new Uint8Array(wanted.size * HASH_BYTES);
    for (const [i, h] of [...wanted].entries()) req.set(fromHex(h, 'specHash'), i * HASH_BYTES);
    let items: Uint8Array[];
    try {
      items = await this.#d.net.request(peer, SPECS_PROTOCOL, req, {
        maxItems: wanted.size,
        maxBytes: wanted.size * (SPEC_TEXT_MAX + 256),
        timeoutMs: 10_000,
      });
    } catch {
      return 0; // busy, gone or refusing: another peer may have it
    }
    let kept = 0;
    for (const bytes of items) {
      let v: VerifiedSpec;
      try {
        v = verifySpecAnnouncement(decodeSpecAnnouncement(bytes), this.#d.limits);
      } catch (err) {
        this.counters.penalized++;
        this.#d.net.penalize(peer, WRONG_SPEC_PENALTY, `invalid spec served: ${(err as Error).message}`);
        return kept;
      }
      if (!wanted.delete(v.specHash)) {
        this.counters.penalized++;
        this.#d.net.penalize(peer, WRONG_SPEC_PENALTY, `served spec ${v.specHash} that was not asked for`);
        return kept;
      }
      this.#d.keep(v);
      this.counters.fetched++;
      this.#retry.delete(v.specHash);
      kept++;
    }
    return kept;
  }

  #missed(hash: string): void {
    const misses = (this.#retry.get(hash)?.misses ?? 0) + 1;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (misses - 1));
    this.#retry.set(hash, { at: this.#now() + delay, misses });
  }

  /** The held specs among those asked for, as owner-signed announcements (unknown ones left out). */
  #serve(req: Uint8Array): Uint8Array[] {
    if (req.length % HASH_BYTES !== 0 || req.length / HASH_BYTES > MAX_SPECS_PER_REQUEST)
      throw new Error(`specs request of ${req.length} bytes`);
    const out: Uint8Array[] = [];
    for (let i = 0; i < req.length; i += HASH_BYTES) {
      const stored = this.#d.get(toHex(req.subarray(i, i + HASH_BYTES)));
      if (stored) out.push(encodeSpecAnnouncement(JSON.parse(stored.spec) as AppSpec, stored.signature));
    }
    return out;
  }

  #shuffled(list: string[]): string[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      const [a, b] = [list[i], list[j]];
      if (a !== undefined && b !== undefined) [list[i], list[j]] = [b, a];
    }
    return list;
  }
}
