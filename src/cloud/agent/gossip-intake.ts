/**
 * Gossip intake: the agent's four topics, each a validator (decode + verify → a verdict) and a
 * handler that records what the validator verified. Malformed or forged: reject, so the sender is
 * penalized; unknown node or not for us: ignore. The handler reuses the validator's result when the
 * same bytes arrive, so a signature is checked once per message.
 */
import { ACCEPT, ignore, refusal, reject } from '../../p2p/index.ts';
import type { BenchmarkResult } from '../messages/benchmark-result.ts';
import { MessageDecodeError, MessageVerifyError } from '../messages/errors.ts';
import type { Heartbeat } from '../messages/heartbeat.ts';
import type { RunningReport } from '../messages/running-report.ts';
import {
  decodeSpecAnnouncement,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from '../messages/spec-announcement.ts';
import type { AppSpecLimits } from '../spec/limits.ts';
import type { PeerView } from './peer-view.ts';
import {
  type AgentLogger,
  GOSSIP_TOPICS,
  type Gossip,
  type GossipTopic,
  type GossipVerdict,
} from './types.ts';
import type { MessageVerifier } from '../messages/heartbeat-batch.ts';

/** A check: the verified value, undefined when it is not for us, or a thrown message error. */
export type Check<T> = (data: Uint8Array) => T | undefined;

export interface Intake<T> {
  check: Check<T>;
  /** The same check, answered later (checked in a batch with others); the validator uses it when given. */
  checkLater?: (data: Uint8Array) => Promise<T | undefined>;
  use: (value: T) => void;
}

export interface CloudTopics<H, B, R, S> {
  heartbeat: Intake<H>;
  benchmark: Intake<B>;
  running: Intake<R>;
  spec: Intake<S>;
}

export type AgentTopics = CloudTopics<Heartbeat, BenchmarkResult, RunningReport, VerifiedSpec>;

/**
 * The agent's topics: the peer view checks and records heartbeats, benchmarks and running
 * reports; a spec is checked against the app limits and handed to `onSpec`.
 */
export function agentTopics(
  peers: PeerView,
  limits: AppSpecLimits,
  heartbeatHeard: () => void,
  onSpec: ((spec: VerifiedSpec) => void) | undefined,
  verifier?: MessageVerifier,
): AgentTopics {
  return {
    heartbeat: {
      check: (d) => peers.checkHeartbeat(d),
      // With a verifier pool, signatures are checked in batches on its threads.
      checkLater: verifier && ((d) => peers.checkHeartbeatBatched(d, verifier)),
      use: (v) => {
        heartbeatHeard();
        peers.heard(v);
      },
    },
    benchmark: { check: (d) => peers.checkBenchmark(d), use: (v) => peers.benchmarkReceived(v) },
    running: { check: (d) => peers.checkReport(d), use: (v) => peers.reportReceived(v) },
    spec: {
      check: (d) => verifySpecAnnouncement(decodeSpecAnnouncement(d), limits),
      use: (v) => onSpec?.(v),
    },
  };
}

/** The verdict for one message, and the value when accepted. */
export function verdictOf<T>(
  check: Check<T>,
  data: Uint8Array,
  onUnexpected: (err: Error) => void,
): { verdict: GossipVerdict; value?: T } {
  try {
    return valueVerdict(check(data));
  } catch (err) {
    return errorVerdict(err, onUnexpected);
  }
}

/** `verdictOf` for a check answered later. */
export async function laterVerdictOf<T>(
  check: (data: Uint8Array) => Promise<T | undefined>,
  data: Uint8Array,
  onUnexpected: (err: Error) => void,
): Promise<{ verdict: GossipVerdict; value?: T }> {
  try {
    return valueVerdict(await check(data));
  } catch (err) {
    return errorVerdict(err, onUnexpected);
  }
}

function valueVerdict<T>(value: T | undefined): { verdict: GossipVerdict; value?: T } {
  return value === undefined ? { verdict: ignore('not-for-us') } : { verdict: ACCEPT, value };
}

function errorVerdict(err: unknown, onUnexpected: (err: Error) => void): { verdict: GossipVerdict } {
  // A verify error carries its score (0, e.g. a node we do not know yet: ignored).
  if (err instanceof MessageVerifyError) return { verdict: refusal(err.rule, err.score) };
  if (err instanceof MessageDecodeError) return { verdict: reject('undecodable') };
  onUnexpected(err as Error);
  return { verdict: reject('check-failed') };
}

export class GossipIntake {
  readonly #gossip: Gossip;
  readonly #log: AgentLogger;
  readonly #active: () => boolean;
  readonly #verified = new WeakMap<Uint8Array, unknown>();
  #subscribed = false;

  constructor(gossip: Gossip, log: AgentLogger, active: () => boolean) {
    this.#gossip = gossip;
    this.#log = log;
    this.#active = active;
  }

  subscribe<H, B, R, S>(topics: CloudTopics<H, B, R, S>): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    this.#listen(GOSSIP_TOPICS.heartbeat, topics.heartbeat);
    this.#listen(GOSSIP_TOPICS.benchmark, topics.benchmark);
    this.#listen(GOSSIP_TOPICS.running, topics.running);
    this.#listen(GOSSIP_TOPICS.spec, topics.spec);
  }

  #listen<T>(topic: GossipTopic, intake: Intake<T>): void {
    const unexpected = (err: Error) =>
      this.#log.warn({ topic: topic.name, err: err.message }, 'unexpected error checking a message');
    this.#gossip.subscribe(
      topic,
      (data): GossipVerdict | Promise<GossipVerdict> => {
        if (!this.#active()) return ignore('agent-stopped');
        const keep = ({ verdict, value }: { verdict: GossipVerdict; value?: T }) => {
          if (verdict.result === 'accept') this.#verified.set(data, value);
          return verdict;
        };
        const later = intake.checkLater;
        return later
          ? laterVerdictOf(later, data, unexpected).then(keep)
          : keep(verdictOf(intake.check, data, unexpected));
      },
      (data) => {
        if (!this.#active()) return;
        let value = this.#verified.get(data) as T | undefined;
        if (value === undefined) value = verdictOf(intake.check, data, () => {}).value;
        if (value !== undefined) intake.use(value);
      },
    );
  }
}
