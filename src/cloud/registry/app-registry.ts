import type { AppSpec, ValidSpec } from '../spec/schema.ts';
import type { AppPayment } from './app-payments.ts';

/** An app the network must run: a paid, owner-signed spec that has not expired. */
export interface RegisteredApp {
  name: string;
  owner: string;
  spec: ValidSpec;
  specHash: string;
  /** Height of the payment that made this version current (registration or last update). */
  height: number;
  /** Height of the first registration of this name by this owner. */
  registeredHeight: number;
  expiresAt: number;
  paid: bigint;
  txid: string;
}

export interface AppRegistryRules {
  /** What a spec costs when paid for at `height` (whole `expire` period). */
  priceAt: (spec: AppSpec, height: number) => bigint;
}

/** One paid spec version, ready to be judged. */
export interface PaidSpec {
  spec: ValidSpec;
  specHash: string;
  payment: AppPayment;
}

/**
 * The app list at a tip, from paid specs only, computed the same way on every node:
 * - a spec counts from the first payment that covers its price;
 * - the first owner of a name keeps it until the app expires; others' specs for it are ignored;
 * - a later spec of the same name by the same owner is an update, valid when its payment covers its
 *   price minus the unused value of the version it replaces, and it restarts the expiry clock.
 */
export function activeApps(paid: readonly PaidSpec[], tip: number, rules: AppRegistryRules): RegisteredApp[] {
  const ordered = [...paid]
    .filter((p) => p.payment.height <= tip)
    .sort((a, b) => a.payment.height - b.payment.height || (a.payment.txid < b.payment.txid ? -1 : 1));
  const byName = new Map<string, RegisteredApp>();
  for (const p of ordered) {
    const h = p.payment.height;
    const current = byName.get(p.spec.name);
    const live = current && h < current.expiresAt ? current : undefined;
    if (live && live.specHash === p.specHash) continue;
    const price = rules.priceAt(p.spec, h);
    let due = price;
    if (live) {
      if (live.owner !== p.spec.owner) continue;
      const oldPrice = rules.priceAt(live.spec, live.height);
      const unused = (oldPrice * BigInt(live.expiresAt - h)) / BigInt(live.spec.expire);
      due = price > unused ? price - unused : 0n;
    }
    if (p.payment.paid < due) continue;
    byName.set(p.spec.name, {
      name: p.spec.name,
      owner: p.spec.owner,
      spec: p.spec,
      specHash: p.specHash,
      height: h,
      registeredHeight: live ? live.registeredHeight : h,
      expiresAt: h + p.spec.expire,
      paid: p.payment.paid,
      txid: p.payment.txid,
    });
  }
  return [...byName.values()]
    .filter((a) => tip < a.expiresAt)
    .sort((a, b) => a.registeredHeight - b.registeredHeight || (a.name < b.name ? -1 : 1));
}
