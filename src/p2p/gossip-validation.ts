/**
 * The one place a gossip message is judged. Every topic is a typed value with its own bounds
 * (largest message, most messages being judged at once); its handler returns a verdict — accept,
 * ignore or reject, with the rule broken and how bad it was — and only this wrapper turns a
 * rejection's score into a peer penalty and counts verdicts by topic and result.
 * (Shape after lodestar's gossip validator wrapper; scores as bcoin's VerifyError.)
 */

export type GossipResult = 'accept' | 'ignore' | 'reject';

export interface GossipVerdict {
  readonly result: GossipResult;
  /** The rule the message broke or the reason it was not taken (stable, fluxd-style code). */
  readonly rule?: string;
  /** Points against the sender; only a rejection carries them (0: refused, but no fault). */
  readonly score?: number;
}

/** What a rejection costs the sender when its handler gives no score. */
export const DEFAULT_REJECT_SCORE = 25;

export const ACCEPT: GossipVerdict = Object.freeze({ result: 'accept' });

export function ignore(rule?: string): GossipVerdict {
  return rule === undefined ? { result: 'ignore' } : { result: 'ignore', rule };
}

export function reject(rule: string, score: number = DEFAULT_REJECT_SCORE): GossipVerdict {
  return { result: 'reject', rule, score };
}

export interface GossipTopic {
  /** Name inside the network's namespace, e.g. `blocks` or `cloud/heartbeat`. */
  readonly name: string;
  /** Largest message accepted; bigger ones are rejected unread. */
  readonly maxBytes: number;
  /** Most messages judged at once; past it new ones are ignored (dropped) until the queue drains. */
  readonly maxPending: number;
}

export function gossipTopic(name: string, bounds: { maxBytes: number; maxPending: number }): GossipTopic {
  return Object.freeze({ name, ...bounds });
}

export type TopicValidator = (data: Uint8Array, from: string) => GossipVerdict | Promise<GossipVerdict>;

export interface VerdictCounts {
  accept: number;
  ignore: number;
  reject: number;
}

export type Penalize = (peer: string, points: number, reason: string) => void;

/** Rules the wrapper itself applies before a handler runs. */
export const WRAPPER_RULES = {
  tooLarge: 'message-too-large',
  queueFull: 'queue-full',
  handlerFailed: 'handler-failed',
} as const;

export class GossipValidation {
  readonly #penalize: Penalize;
  readonly #counts = new Map<string, VerdictCounts>();
  readonly #pending = new Map<string, number>();

  constructor(penalize: Penalize) {
    this.#penalize = penalize;
  }

  /** Judges one message of `topic` from `from` with `validator`; returns the result for the relay. */
  async judge(
    topic: GossipTopic,
    data: Uint8Array,
    from: string,
    validator: TopicValidator,
  ): Promise<GossipResult> {
    const verdict = await this.#verdict(topic, data, from, validator);
    const counts = this.#countsOf(topic.name);
    counts[verdict.result]++;
    if (verdict.result === 'reject') {
      const score = verdict.score ?? DEFAULT_REJECT_SCORE;
      if (score > 0)
        this.#penalize(from, score, `invalid message on ${topic.name}: ${verdict.rule ?? 'rejected'}`);
    }
    return verdict.result;
  }

  async #verdict(
    topic: GossipTopic,
    data: Uint8Array,
    from: string,
    validator: TopicValidator,
  ): Promise<GossipVerdict> {
    if (data.length > topic.maxBytes) return reject(WRAPPER_RULES.tooLarge);
    const pending = this.#pending.get(topic.name) ?? 0;
    // A full queue is our load, not the sender's fault: drop without blame.
    if (pending >= topic.maxPending) return ignore(WRAPPER_RULES.queueFull);
    this.#pending.set(topic.name, pending + 1);
    try {
      return await validator(data, from);
    } catch {
      return reject(WRAPPER_RULES.handlerFailed);
    } finally {
      this.#pending.set(topic.name, (this.#pending.get(topic.name) ?? 1) - 1);
    }
  }

  #countsOf(topic: string): VerdictCounts {
    let c = this.#counts.get(topic);
    if (!c) {
      c = { accept: 0, ignore: 0, reject: 0 };
      this.#counts.set(topic, c);
    }
    return c;
  }

  /** Verdicts so far, by topic name (a copy). */
  byTopic(): Map<string, VerdictCounts> {
    return new Map([...this.#counts].map(([t, c]) => [t, { ...c }]));
  }

  /** Verdicts so far over all topics. */
  totals(): VerdictCounts {
    const t = { accept: 0, ignore: 0, reject: 0 };
    for (const c of this.#counts.values()) {
      t.accept += c.accept;
      t.ignore += c.ignore;
      t.reject += c.reject;
    }
    return t;
  }

  /** Messages being judged now on `topic`. */
  pending(topic: string): number {
    return this.#pending.get(topic) ?? 0;
  }
}

/** A handler's refusal by the score its error carries: 0 is no fault (ignore), more is a rejection. */
export function refusal(rule: string, score: number): GossipVerdict {
  return score > 0 ? reject(rule, score) : ignore(rule);
}
