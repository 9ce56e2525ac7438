/**
 * What owner requests leave behind on a node, kept in one small JSON file so that a restart changes
 * nothing: the nonces of requests carried out here (each until its time leaves the request window,
 * so a restarted node cannot be made to run a captured request again) and the apps their owners
 * stopped here (the reconciler leaves those alone until a start or redeploy). Without a file (tests)
 * it is kept in memory. Writes go to a temporary file renamed over the old one: a crash leaves
 * either the old or the new state, never half of one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** More nonces than this within one window means something is wrong: requests are refused, not stored. */
export const MAX_NONCES = 20_000;

interface Stored {
  /** nonce → ms since the epoch after which it may be forgotten. */
  nonces: Record<string, number>;
  stopped: string[];
}

export class OwnerState {
  readonly #file: string | undefined;
  readonly #nonces = new Map<string, number>();
  readonly #stopped = new Set<string>();

  constructor(file?: string) {
    this.#file = file;
    if (file && existsSync(file)) this.#load(file);
  }

  /** Apps whose owner stopped them on this node. */
  stopped(): ReadonlySet<string> {
    return this.#stopped;
  }

  isStopped(app: string): boolean {
    return this.#stopped.has(app);
  }

  setStopped(app: string, stopped: boolean): void {
    if (stopped === this.#stopped.has(app)) return;
    if (stopped) this.#stopped.add(app);
    else this.#stopped.delete(app);
    this.#save();
  }

  /**
   * Records `nonce` as used until `until`, on disk before returning. False when it was already
   * used (a replay) or too many are held; nonces past their time are dropped first.
   */
  use(nonce: string, until: number, now: number): boolean {
    for (const [n, t] of this.#nonces) if (t < now) this.#nonces.delete(n);
    if (this.#nonces.has(nonce) || this.#nonces.size >= MAX_NONCES) return false;
    this.#nonces.set(nonce, until);
    this.#save();
    return true;
  }

  has(nonce: string): boolean {
    return this.#nonces.has(nonce);
  }

  #load(file: string): void {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stored>;
    for (const [n, t] of Object.entries(raw.nonces ?? {})) if (typeof t === 'number') this.#nonces.set(n, t);
    for (const a of raw.stopped ?? []) if (typeof a === 'string') this.#stopped.add(a);
  }

  #save(): void {
    if (!this.#file) return;
    const data: Stored = { nonces: Object.fromEntries(this.#nonces), stopped: [...this.#stopped].sort() };
    mkdirSync(path.dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.#file);
  }
}
