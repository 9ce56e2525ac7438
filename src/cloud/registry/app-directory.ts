import type { ConsensusParams } from '../../consensus/index.ts';
import { DEVNET_APP_LIMITS, MAINNET_APP_LIMITS, type AppSpecLimits } from '../spec/limits.ts';
import { appPrice, MAINNET_PRICE_SCHEDULE, priceParamsAt } from '../spec/price.ts';
import type { AppSpec, ValidSpec } from '../spec/schema.ts';
import { validateAppSpec } from '../spec/validate.ts';
import type { AppPaymentsExtension } from './app-payments.ts';
import { activeApps, type PaidSpec, type RegisteredApp } from './app-registry.ts';
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
  private cache: { tip: string; apps: RegisteredApp[] } | undefined;
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
    if (this.cache?.tip === tipId) return this.cache.apps;
    const paid: PaidSpec[] = [];
    for (const stored of this.specs.all()) {
      const spec = this.specOf(stored);
      if (!spec) continue;
      for (const payment of this.payments.paymentsFor(stored.specHash))
        paid.push({ spec, specHash: stored.specHash, payment });
    }
    const apps = activeApps(paid, tipHeight, { priceAt: appPriceAt });
    this.cache = { tip: tipId, apps };
    return apps;
  }
}
