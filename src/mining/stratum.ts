import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { parseBoundedJson, reverseHex, toHex } from '../consensus/index.ts';
import { ConnectionGuard } from '../p2p/index.ts';
import {
  STRATUM_LIMITS,
  type StratumJob,
  type StratumOptions,
  type StratumStats,
} from './stratum-options.ts';
import { NONCE1_BYTES, notifyParams, submittedHeader, targetHex } from './stratum-wire.ts';
import { WorkerLedger, type WorkerStats } from './stratum-workers.ts';
import { VARDIFF_DEFAULTS, Vardiff } from './vardiff.ts';

export {
  STRATUM_LIMITS,
  type StratumBackend,
  type StratumJob,
  type StratumOptions,
  type StratumStats,
} from './stratum-options.ts';

interface Session {
  socket: Socket;
  nonce1: Uint8Array;
  authorized: string | null;
  subscribed: boolean;
  buffer: string;
  /** This connection's share target, and how it moves. */
  vardiff: Vardiff | null;
  /** The target before the last change: shares for jobs sent under it count until the next job. */
  previousTarget: bigint | null;
}

/**
 * Zcash-style equihash stratum (ZIP-301), the protocol Flux's GPU miners speak:
 * subscribe → [session, NONCE_1]; set_target (256-bit, big-endian hex); notify with the header
 * fields as they are serialized (little-endian hex); submit [worker, job, time, NONCE_2, solution].
 * NONCE_1 ‖ NONCE_2 is the header's 32-byte nonce.
 *
 * The server keeps the sessions, hands out jobs as templates change, judges shares against each
 * connection's vardiff target and submits the blocks among them. The wire formats are in
 * stratum-wire.ts; the options and counters in stratum-options.ts.
 */
export class StratumServer {
  private readonly opts: StratumOptions;
  private readonly sessions = new Set<Session>();
  private readonly jobs = new Map<string, StratumJob>();
  private readonly seenShares = new Set<string>();
  private current: StratumJob | undefined;
  private server: Server | undefined;
  readonly guard: ConnectionGuard;
  /** Share accounting per worker name. */
  readonly workers = new WorkerLedger();
  readonly stats: StratumStats = {
    sessions: 0,
    sharesAccepted: 0,
    sharesRejected: 0,
    blocksFound: 0,
    lastRejectReason: null,
  };

  constructor(opts: StratumOptions) {
    this.opts = opts;
    this.guard = new ConnectionGuard({ ...STRATUM_LIMITS, ...opts.limits });
  }

  async listen(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A new template: `clean` when the previous block changed (old jobs can no longer win). */
  setJob(job: StratumJob, clean: boolean): void {
    if (clean) {
      this.jobs.clear();
      this.seenShares.clear();
    }
    this.jobs.set(job.id, job);
    while (this.jobs.size > (this.opts.keepJobs ?? 8)) this.jobs.delete(this.jobs.keys().next().value!);
    this.current = job;
    for (const s of this.sessions) {
      if (!s.subscribed || !s.authorized) continue;
      s.previousTarget = null;
      const eased = s.vardiff?.onTick(this.#now());
      if (eased !== undefined) this.sendTarget(s);
      this.notify(s, job, clean);
    }
  }

  private accept(socket: Socket): void {
    if (!this.guard.admit(socket)) return;
    const session: Session = {
      socket,
      nonce1: randomBytes(NONCE1_BYTES),
      authorized: null,
      subscribed: false,
      buffer: '',
      vardiff: this.#newVardiff(),
      previousTarget: null,
    };
    this.sessions.add(session);
    this.stats.sessions = this.sessions.size;
    // Replies and job notices are small and latency matters to miners: no Nagle delay.
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      session.buffer += chunk;
      let nl = session.buffer.indexOf('\n');
      while (nl >= 0) {
        const line = session.buffer.slice(0, nl).trim();
        session.buffer = session.buffer.slice(nl + 1);
        if (line) this.lineOf(session, line);
        nl = session.buffer.indexOf('\n');
      }
      // Only the unfinished line is bounded: many short lines in one packet are fine.
      if (session.buffer.length > (this.opts.maxLineBytes ?? 64 * 1024)) socket.destroy();
    });
    const drop = () => {
      this.sessions.delete(session);
      this.stats.sessions = this.sessions.size;
    };
    socket.on('close', drop);
    socket.on('error', drop);
  }

  /** Handles one line; whatever goes wrong stays with the session that sent it. */
  private lineOf(s: Session, line: string): void {
    this.onLine(s, line).catch((err: unknown) => {
      this.opts.onError?.(err, { remote: `${s.socket.remoteAddress}:${s.socket.remotePort}`, line });
      s.socket.destroy();
    });
  }

  private async onLine(s: Session, line: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = parseBoundedJson(line, 16);
    } catch (err) {
      const why = err instanceof SyntaxError ? 'malformed JSON' : (err as Error).message;
      this.send(s, { id: null, result: null, error: [20, why, null] });
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.send(s, { id: null, result: null, error: [20, 'a request is a JSON object', null] });
      return;
    }
    const msg = parsed as { id?: unknown; method?: unknown; params?: unknown };
    // Ids are echoed back: only the scalar kinds miners use are, anything else answers as null.
    const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
    const params = Array.isArray(msg.params) ? msg.params : [];
    if (typeof msg.method !== 'string') {
      this.send(s, { id, result: null, error: [20, 'method must be a string', null] });
      return;
    }
    switch (msg.method) {
      case 'mining.subscribe':
        s.subscribed = true;
        this.send(s, { id, result: [null, toHex(s.nonce1)], error: null });
        return;
      case 'mining.authorize': {
        const user = typeof params[0] === 'string' ? params[0] : '';
        if (!user || user.length > 256) {
          this.send(s, {
            id,
            result: false,
            error: [24, 'a worker name (1-256 characters) is required', null],
          });
          return;
        }
        s.authorized = user;
        this.send(s, { id, result: true, error: null });
        this.sendTarget(s);
        if (this.current) this.notify(s, this.current, true);
        return;
      }
      case 'mining.extranonce.subscribe':
        this.send(s, { id, result: true, error: null });
        return;
      case 'mining.submit': {
        const verdict = await this.submit(s, params);
        if (verdict.ok) {
          this.stats.sharesAccepted++;
          this.send(s, { id, result: true, error: null });
          this.afterShare(s, verdict.block);
        } else {
          this.stats.sharesRejected++;
          this.stats.lastRejectReason = verdict.reason;
          if (s.authorized) this.workers.rejected(s.authorized);
          this.send(s, { id, result: null, error: [verdict.code, verdict.reason, null] });
        }
        return;
      }
      default:
        this.send(s, { id, result: null, error: [20, `unknown method ${msg.method.slice(0, 64)}`, null] });
    }
  }

  private async submit(
    s: Session,
    params: unknown[],
  ): Promise<{ ok: true; block: boolean } | { ok: false; code: number; reason: string }> {
    if (!s.authorized) return { ok: false, code: 24, reason: 'unauthorized worker' };
    const [, jobId, timeHex, nonce2Hex, solutionHex] = params;
    if (
      typeof jobId !== 'string' ||
      typeof timeHex !== 'string' ||
      typeof nonce2Hex !== 'string' ||
      typeof solutionHex !== 'string'
    ) {
      return {
        ok: false,
        code: 20,
        reason: 'submit needs [worker, job_id, time, nonce_2, solution] as hex strings',
      };
    }
    const job = this.jobs.get(jobId);
    if (!job) return { ok: false, code: 21, reason: `job ${jobId} not found (stale)` };
    const header = submittedHeader(job.header, s.nonce1, { timeHex, nonce2Hex, solutionHex });
    if ('reason' in header) return header;
    const key = `${jobId}|${toHex(header.nonce)}|${header.time}`;
    if (this.seenShares.has(key)) return { ok: false, code: 22, reason: 'duplicate share' };
    try {
      this.opts.backend.verifySolution(header, job.height);
    } catch (err) {
      return { ok: false, code: 20, reason: `invalid solution: ${(err as Error).message}` };
    }
    const hash = BigInt(`0x${reverseHex(this.opts.backend.headerHash(header))}`);
    if (hash > this.#shareTargetOf(s)) return { ok: false, code: 23, reason: 'low difficulty share' };
    this.seenShares.add(key);
    if (hash <= job.blockTarget) {
      const result = await this.opts.backend.submitBlock(job.assemble(header));
      if (result.accepted) this.stats.blocksFound++;
      else return { ok: false, code: 20, reason: `block rejected: ${result.reason}` };
      return { ok: true, block: true };
    }
    return { ok: true, block: false };
  }

  /** The easiest target a share from `s` may meet now (the previous one still counts until the next job). */
  #shareTargetOf(s: Session): bigint {
    const now = s.vardiff?.target ?? this.opts.shareTarget;
    return s.previousTarget !== null && s.previousTarget > now ? s.previousTarget : now;
  }

  /** The share target a connection is on now. */
  targetOf(worker: string): bigint | undefined {
    for (const s of this.sessions)
      if (s.authorized === worker) return s.vardiff?.target ?? this.opts.shareTarget;
    return undefined;
  }

  /** Share accounting of every worker seen. */
  workerStats(): WorkerStats[] {
    return this.workers.list();
  }

  private afterShare(s: Session, block: boolean): void {
    const worker = s.authorized!;
    const v = s.vardiff;
    this.workers.accepted(worker, v?.difficulty ?? 1, this.#now(), block);
    if (!v) return;
    const before = v.target;
    if (v.onShare(this.#now()) === undefined) return;
    s.previousTarget = before;
    this.sendTarget(s);
    // The new target applies from the next job (ZIP-301): re-send the current one.
    if (this.current) this.notify(s, this.current, false);
  }

  private sendTarget(s: Session): void {
    const target = s.vardiff?.target ?? this.opts.shareTarget;
    if (s.authorized) this.workers.setDifficulty(s.authorized, s.vardiff?.difficulty ?? 1);
    this.send(s, { id: null, method: 'mining.set_target', params: [targetHex(target)] });
  }

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  #newVardiff(): Vardiff | null {
    const v = this.opts.vardiff;
    if (v === false) return null;
    const maxTarget = this.opts.shareTarget;
    const minTarget = v?.minTarget ?? (maxTarget >> 32n > 0n ? maxTarget >> 32n : 1n);
    return new Vardiff({ ...VARDIFF_DEFAULTS, ...v, maxTarget, minTarget }, this.#now());
  }

  private notify(s: Session, job: StratumJob, clean: boolean): void {
    this.send(s, { id: null, method: 'mining.notify', params: notifyParams(job, clean) });
  }

  private send(s: Session, msg: unknown): void {
    if (!s.socket.destroyed) s.socket.write(`${JSON.stringify(msg)}\n`);
  }
}
