import type { ConsensusParams } from '../../consensus/index.ts';
import { DEVNET_APP_LIMITS, MAINNET_APP_LIMITS, type AppSpecLimits } from '../spec/limits.ts';
import { appPrice, MAINNET_PRICE_SCHEDULE, priceParamsAt } from '../spec/price.ts';
import type { AppSpec, ValidSpec } from '../spec/schema.ts';
import { validateAppSpec } from '../spec/validate.ts';
import type { AppPaymentsExtension } from './app-payments.ts';
import {
  judgeAppPayments,
  type PaidSpec,
  paymentEffect,
  type PaymentEffect,
  type RegisteredApp,
  UNMATCHED_REASONS,
  type UnmatchedPayment,
} from './app-registry.ts';
import type { SpecStore, StoredSpec } from './spec-store.ts';

export function appLimitsFor(params: ConsensusParams): AppSpecLimits {
  return params.network === 'mainnet' ? MAINNET_APP_LIMITS : DEVNET_APP_LIMITS;
}

/** What a spec costs when paid for at `height`, for the whole of its `expire` blocks. */
export function appPriceAt(spec: AppSpec, height: number): bigint {
  return appPrice(spec, priceParamsAt(MAINNET_PRICE_SCHEDULE, height)).total;
}

/**
 * The network's app list at the tip: specs this node holds (received by gossip or submitted) that a
 * transaction on the active chain paid for. Every node with the same specs and chain gets the same
 * list; a spec nobody paid for, or whose bytes were altered (so its hash differs), is never in it.
 */
export class AppDirectory {
  private readonly specs: SpecStore;
  private readonly payments: AppPaymentsExtension;
  private readonly limits: AppSpecLimits;
  private cache: { tip: string; apps: RegisteredApp[]; unmatched: UnmatchedPayment[] } | undefined;
  /** Each stored spec validated once (null: the stored text is not a valid spec), by spec hash. */
  private readonly valid = new Map<string, ValidSpec | null>();

  constructor(specs: SpecStore, payments: AppPaymentsExtension, params: ConsensusParams) {
    this.specs = specs;
    this.payments = payments;
    this.limits = appLimitsFor(params);
  }

  /** Forget the cached list (a new spec arrived). */
  invalidate(): void {
    this.cache = undefined;
  }

  /** A spec validated where it entered (RPC or gossip), now in the store: never validated again. */
  remember(specHash: string, spec: ValidSpec): void {
    this.valid.set(specHash, spec);
    this.invalidate();
  }

  /** The stored spec as a ValidSpec; a spec read from disk is validated there, the first time only. */
  private specOf(stored: StoredSpec): ValidSpec | undefined {
    let spec = this.valid.get(stored.specHash);
    if (spec === undefined) {
      try {
        spec = validateAppSpec(JSON.parse(stored.spec), this.limits);
      } catch {
        spec = null;
      }
      this.valid.set(stored.specHash, spec);
    }
    return spec ?? undefined;
  }

  active(tipHeight: number, tipId: string): RegisteredApp[] {
    return this.judged(tipHeight, tipId).apps;
  }

  /**
   * Payments on the active chain (within the longest lifetime) that made or changed no app, oldest
   * first: underpaid, for a name someone else holds, too small to renew, or for a spec never seen.
   */
  unmatched(tipHeight: number, tipId: string): UnmatchedPayment[] {
    return this.judged(tipHeight, tipId).unmatched;
  }

  /** What paying for `spec` in the block after the tip would do, and what it is due. */
  effectOf(spec: ValidSpec, specHash: string, tipHeight: number, tipId: string): PaymentEffect {
    const live = this.active(tipHeight, tipId).find((a) => a.name === spec.name);
    return paymentEffect(live, spec, specHash, tipHeight + 1, { priceAt: appPriceAt });
  }

  private judged(tipHeight: number, tipId: string): { apps: RegisteredApp[]; unmatched: UnmatchedPayment[] } {
    if (this.cache?.tip === tipId) return this.cache;
    const paid: PaidSpec[] = [];
    for (const stored of this.specs.all()) {
      const spec = this.specOf(stored);
      if (!spec) continue;
      for (const payment of this.payments.paymentsFor(stored.specHash))
        paid.push({ spec, specHash: stored.specHash, payment });
    }
    const { apps, unmatched } = judgeAppPayments(paid, tipHeight, { priceAt: appPriceAt });
    const known = new Set(paid.map((p) => p.specHash));
    const recent = this.payments.paymentsSince(Math.max(0, tipHeight - this.limits.expire.max));
    for (const p of recent)
      if (!known.has(p.specHash) && p.height <= tipHeight)
        unmatched.push({
          ...p,
          reason: UNMATCHED_REASONS.unknownSpec,
          message: `no valid spec with hash ${p.specHash} is known: it was never published, or is invalid`,
        });
    unmatched.sort((a, b) => a.height - b.height || (a.txid < b.txid ? -1 : 1));
    this.cache = { tip: tipId, apps, unmatched };
    return this.cache;
  }
}
