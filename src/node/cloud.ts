/**
 * The cloud state every node keeps, fluxnode or not: the specs it hears on the spec topic or
 * fetches by hash (so its app list is the network's), the directory of paid apps built from them,
 * spreading a spec, and the signed node state (heartbeats, reports, benchmarks) served on request.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Chain } from '../chain/index.ts';
import {
  AppDirectory,
  appLimitsFor,
  type AppPaymentsExtension,
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  GOSSIP_TOPICS,
  MessageVerifyError,
  type RegisteredApp,
  SpecStore,
  SpecSync,
  StateSync,
  type ValidSpec,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from '../cloud/index.ts';
import type { ConsensusParams } from '../consensus/index.ts';
import { ACCEPT, type GossipVerdict, type P2PHost, refusal, reject } from '../p2p/index.ts';
import type { NodeModule } from './module.ts';

export interface CloudDeps {
  params: ConsensusParams;
  chain: Chain;
  payments: AppPaymentsExtension;
  p2p: P2PHost;
  dataDir: string;
  log: Logger;
}

export class NodeCloud implements NodeModule {
  readonly name = 'cloud';
  readonly specs: SpecStore;
  readonly directory: AppDirectory;
  readonly specSync: SpecSync;
  /** The agent's gossip, with the newest signed node state served and fetched on request. */
  readonly stateSync: StateSync;
  readonly #d: CloudDeps;
  readonly #onTip = () => this.specSync.poke();
  /** Specs verified by the topic validator, so the handler does not verify the same bytes again. */
  readonly #verified = new WeakMap<Uint8Array, VerifiedSpec>();

  constructor(deps: CloudDeps) {
    this.#d = deps;
    this.specs = new SpecStore(join(deps.dataDir, 'cloud.sqlite'));
    this.directory = new AppDirectory(this.specs, deps.payments, deps.params);
    const limits = appLimitsFor(deps.params);
    const debug = (obj: object, msg: string) => deps.log.debug(obj, msg);
    this.specSync = new SpecSync({
      net: deps.p2p,
      get: (hash) => this.specs.get(hash),
      // Any payment within the longest lifetime may still be an active app.
      paidHashes: () =>
        deps.payments
          .paymentsSince(Math.max(0, deps.chain.height() - limits.expire.max))
          .map((p) => p.specHash),
      keep: (v) => this.keep(v),
      limits,
      log: debug,
    });
    this.specSync.install();
    this.stateSync = new StateSync(deps.p2p, { log: debug });
    this.stateSync.install();
    deps.p2p.onPeerConnect(() => this.specSync.poke());
    deps.p2p.subscribe(
      GOSSIP_TOPICS.spec,
      (data) => this.#check(data),
      (data) => {
        const v = this.#verified.get(data);
        if (v) this.keep(v);
      },
    );
  }

  async open(): Promise<void> {
    this.specSync.start();
    this.#d.chain.on('tip', this.#onTip);
  }

  async close(): Promise<void> {
    this.#d.chain.off('tip', this.#onTip);
    this.specSync.stop();
    this.specs.close();
  }

  #check(data: Uint8Array): GossipVerdict {
    try {
      this.#verified.set(
        data,
        verifySpecAnnouncement(decodeSpecAnnouncement(data), appLimitsFor(this.#d.params)),
      );
      return ACCEPT;
    } catch (err) {
      return err instanceof MessageVerifyError ? refusal(err.rule, err.score) : reject('undecodable');
    }
  }

  activeApps(): RegisteredApp[] {
    return this.directory.active(this.#d.chain.height(), this.#d.chain.tip().id);
  }

  keep(v: VerifiedSpec): void {
    if (this.specs.put({ specHash: v.specHash, spec: v.text, signature: v.signature, received: Date.now() }))
      this.directory.remember(v.specHash, v.spec);
  }

  /** Spreads a spec with its owner's signature. */
  async announce(spec: ValidSpec, signature: Uint8Array | string): Promise<void> {
    await this.#d.p2p.publish(GOSSIP_TOPICS.spec, encodeSpecAnnouncement(spec, signature));
  }
}
