/**
 * The app registry's rules: which paid specs are apps at a tip, what a payment for a spec would do
 * (register, update, renew) and what it is due, and which payments did nothing and why. Pure, so
 * every node, the simulator and a quote before paying reach the same answer.
 */
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
  /** Satoshis paid for this version: its registration or update payment plus every renewal. */
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

/** Why a payment on chain changed nothing. */
export const UNMATCHED_REASONS = {
  /** Less than the registration or update was due. */
  underpaid: 'underpaid',
  /** Another owner holds the name while their app lives. */
  nameOwned: 'name-owned',
  /** A renewal too small to buy one block. */
  tooSmall: 'too-small',
  /** No valid spec with the paid hash is known to this node. */
  unknownSpec: 'unknown-spec',
} as const;

export type UnmatchedReason = (typeof UNMATCHED_REASONS)[keyof typeof UNMATCHED_REASONS];

/** A payment to the app address that made or changed no app: shown, never silently dropped. */
export interface UnmatchedPayment {
  specHash: string;
  txid: string;
  height: number;
  paid: bigint;
  name?: string;
  owner?: string;
  reason: UnmatchedReason;
  message: string;
}

export type PaymentKind = 'register' | 'update' | 'renew';

/** What paying for `spec` at `height` does, given the live app of its name (if any). */
export type PaymentEffect =
  | {
      ok: true;
      kind: PaymentKind;
      /** The spec's price for its whole lifetime at `height`. */
      price: bigint;
      /** Value of the live version's remaining blocks, credited to an update. */
      unused: bigint;
      /** The least payment that has an effect. */
      due: bigint;
    }
  | { ok: false; reason: UnmatchedReason; message: string };

/** Blocks `value` satoshis buy of a spec whose lifetime of `expire` blocks costs `price`. */
function blocksFor(value: bigint, price: bigint, expire: number): number {
  if (price <= 0n) return expire;
  return Number((value * BigInt(expire)) / price);
}

/** Value of the live version's blocks from `height` to its expiry, at the price it was paid at. */
function unusedValue(live: RegisteredApp, height: number, rules: AppRegistryRules): bigint {
  const oldPrice = rules.priceAt(live.spec, live.height);
  return (oldPrice * BigInt(Math.max(0, live.expiresAt - height))) / BigInt(live.spec.expire);
}

/**
 * What a payment for `spec` at `height` would be: a renewal (same spec, live), an update (same
 * owner, other spec), a registration (free name), or nothing (the name is someone else's).
 */
export function paymentEffect(
  live: RegisteredApp | undefined,
  spec: ValidSpec,
  specHash: string,
  height: number,
  rules: AppRegistryRules,
): PaymentEffect {
  const price = rules.priceAt(spec, height);
  if (!live) return { ok: true, kind: 'register', price, unused: 0n, due: price };
  if (live.owner !== spec.owner)
    return {
      ok: false,
      reason: UNMATCHED_REASONS.nameOwned,
      message: `the name ${spec.name} belongs to ${live.owner} until block ${live.expiresAt}`,
    };
  if (live.specHash === specHash) {
    // One block's worth, rounded up, is the least renewal that extends the expiry at all.
    const perBlock = (price + BigInt(spec.expire) - 1n) / BigInt(spec.expire);
    return { ok: true, kind: 'renew', price, unused: 0n, due: perBlock > 0n ? perBlock : 1n };
  }
  const unused = unusedValue(live, height, rules);
  return { ok: true, kind: 'update', price, unused, due: price > unused ? price - unused : 0n };
}

/** Applies one payment to the live app of its name; the new state, or why it changed nothing. */
function applyPayment(
  live: RegisteredApp | undefined,
  p: PaidSpec,
  rules: AppRegistryRules,
): RegisteredApp | { reason: UnmatchedReason; message: string } {
  const h = p.payment.height;
  const effect = paymentEffect(live, p.spec, p.specHash, h, rules);
  if (!effect.ok) return effect;
  if (p.payment.paid < effect.due)
    return {
      reason: effect.kind === 'renew' ? UNMATCHED_REASONS.tooSmall : UNMATCHED_REASONS.underpaid,
      message: `paid ${p.payment.paid} sat for a ${effect.kind} of ${p.spec.name} that was due ${effect.due} sat`,
    };
  if (effect.kind === 'renew' && live)
    return {
      ...live,
      expiresAt: live.expiresAt + blocksFor(p.payment.paid, effect.price, p.spec.expire),
      paid: live.paid + p.payment.paid,
    };
  // A registration or update lasts as long as what was paid plus the credit buys (≥ expire blocks).
  const blocks = blocksFor(p.payment.paid + effect.unused, effect.price, p.spec.expire);
  return {
    name: p.spec.name,
    owner: p.spec.owner,
    spec: p.spec,
    specHash: p.specHash,
    height: h,
    registeredHeight: live ? live.registeredHeight : h,
    expiresAt: h + Math.max(blocks, p.spec.expire),
    paid: p.payment.paid,
    txid: p.payment.txid,
  };
}

/**
 * The app list at a tip, from paid specs only, computed the same way on every node:
 * - a spec counts from the first payment that covers its price;
 * - the first owner of a name keeps it until the app expires; others' payments for it match nothing;
 * - a later spec of the same name by the same owner is an update, valid when its payment covers its
 *   price minus the unused value of the version it replaces; it restarts the expiry clock;
 * - paying again for the live spec renews it: the expiry moves by the blocks the payment buys;
 * - what is paid beyond what is due buys blocks past the spec's `expire`.
 * Every payment that changed nothing is listed in `unmatched` with its reason.
 */
export function judgeAppPayments(
  paid: readonly PaidSpec[],
  tip: number,
  rules: AppRegistryRules,
): { apps: RegisteredApp[]; unmatched: UnmatchedPayment[] } {
  const ordered = [...paid]
    .filter((p) => p.payment.height <= tip)
    .sort((a, b) => a.payment.height - b.payment.height || (a.payment.txid < b.payment.txid ? -1 : 1));
  const byName = new Map<string, RegisteredApp>();
  const unmatched: UnmatchedPayment[] = [];
  for (const p of ordered) {
    const current = byName.get(p.spec.name);
    const live = current && p.payment.height < current.expiresAt ? current : undefined;
    const next = applyPayment(live, p, rules);
    if ('reason' in next) {
      const { specHash, txid, height, paid: amount } = p.payment;
      unmatched.push({
        specHash,
        txid,
        height,
        paid: amount,
        name: p.spec.name,
        owner: p.spec.owner,
        ...next,
      });
    } else byName.set(p.spec.name, next);
  }
  const apps = [...byName.values()]
    .filter((a) => tip < a.expiresAt)
    .sort((a, b) => a.registeredHeight - b.registeredHeight || (a.name < b.name ? -1 : 1));
  return { apps, unmatched };
}

/** The apps of `judgeAppPayments`. */
export function activeApps(paid: readonly PaidSpec[], tip: number, rules: AppRegistryRules): RegisteredApp[] {
  return judgeAppPayments(paid, tip, rules).apps;
}
