import type { ConsensusParams } from '../../consensus/params/index.ts';
import { DEVNET_APP_LIMITS, MAINNET_APP_LIMITS, type AppSpecLimits } from '../spec/limits.ts';
import { appPrice, MAINNET_PRICE_SCHEDULE, priceParamsAt } from '../spec/price.ts';
import type { AppSpec } from '../spec/schema.ts';
import { validateAppSpec } from '../spec/validate.ts';
import type { AppPaymentsExtension } from './app-payments.ts';
import { activeApps, type PaidSpec, type RegisteredApp } from './app-registry.ts';
import type { SpecStore } from './spec-store.ts';

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

  constructor(specs: SpecStore, payments: AppPaymentsExtension, params: ConsensusParams) {
    this.specs = specs;
    this.payments = payments;
    this.limits = appLimitsFor(params);
  }

  /** Forget the cached list (a new spec arrived). */
  invalidate(): void {
    this.cache = undefined;
  }

  active(tipHeight: number, tipId: string): RegisteredApp[] {
    if (this.cache?.tip === tipId) return this.cache.apps;
    const paid: PaidSpec[] = [];
    for (const stored of this.specs.all()) {
      let spec: AppSpec;
      try {
        spec = validateAppSpec(JSON.parse(stored.spec), this.limits);
      } catch {
        continue;
      }
      for (const payment of this.payments.paymentsFor(stored.specHash))
        paid.push({ spec, specHash: stored.specHash, payment });
    }
    const apps = activeApps(paid, tipHeight, { priceAt: appPriceAt });
    this.cache = { tip: tipId, apps };
    return apps;
  }
}
