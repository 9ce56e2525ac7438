/**
 * App registration, the one implementation RPC (`registerapp`, `appquote`, `submitappspec`), REST and
 * the CLI (which goes through RPC) share: a spec is parsed and validated once where it enters
 * (`accept`), and from then on travels as a ValidSpec. `quote` says what paying for it now would do
 * (register, update, renew) and costs, and refuses a payment that would change nothing. Registering
 * with the node's wallet signs the spec with the owner's key, keeps it, pays what is due to the
 * network's app address with the spec hash in OP_RETURN, and announces it; `submitSigned` keeps and
 * announces a spec its owner signed elsewhere (an owner wallet that pays on its own).
 */
import { base64 } from '@scure/base';
import {
  base58CheckDecode,
  type ConsensusParams,
  type Transaction,
  verifyMessage,
} from '../../consensus/index.ts';
import type { Wallet } from '../../wallet/index.ts';
import { signSpec } from '../messages/spec-announcement.ts';
import { canonicalJson, specHash } from '../spec/hash.ts';
import type { ValidSpec } from '../spec/schema.ts';
import { validateAppSpec } from '../spec/validate.ts';
import { appPaymentAddress } from './app-address.ts';
import { type AppDirectory, appLimitsFor } from './app-directory.ts';
import type { PaymentKind } from './app-registry.ts';
import { appPaymentData } from './payment-tx.ts';
import type { SpecStore } from './spec-store.ts';

export const REGISTRATION_ERRORS = {
  /** The spec's owner is no address of this node's wallet, so the node cannot sign for it. */
  ownerNotInWallet: 'owner-not-in-wallet',
  /** Paying for the spec now would change nothing on chain (the name is someone else's). */
  changesNothing: 'payment-changes-nothing',
  /** The caller asked to register, update or renew, and the spec is another of those. */
  wrongKind: 'wrong-kind',
  /** A spec signed elsewhere whose signature is not its owner's. */
  badSignature: 'bad-signature',
} as const;

/** Outputs below this are dust the pool refuses; an update due less still pays this much. */
export const MIN_APP_PAYMENT = 546n;

export type RegistrationErrorCode = (typeof REGISTRATION_ERRORS)[keyof typeof REGISTRATION_ERRORS];

export class RegistrationError extends Error {
  readonly code: RegistrationErrorCode;
  readonly field: string;
  readonly value: unknown;

  constructor(code: RegistrationErrorCode, field: string, value: unknown, message: string) {
    super(message);
    this.name = 'RegistrationError';
    this.code = code;
    this.field = field;
    this.value = value;
  }
}

export interface RegistrationDeps {
  params: ConsensusParams;
  tipHeight: () => number;
  /** The active tip's block id (the directory's cache key). */
  tipId: () => string;
  wallet: Pick<Wallet, 'keys' | 'createPayment' | 'release'>;
  specs: SpecStore;
  directory: AppDirectory;
  /** Pools and relays the payment (throws ConsensusError naming the rule). */
  submit: (tx: Transaction) => Promise<unknown>;
  /** Spreads the spec with its owner's signature. */
  announce: (spec: ValidSpec, signature: Uint8Array) => Promise<void>;
  now?: () => number;
}

export interface Registered {
  name: string;
  specHash: string;
  txid: string;
  /** Satoshis paid. */
  price: bigint;
  kind: PaymentKind;
}

/** What paying for a spec in the next block does, and what it costs (satoshis). */
export interface Quote {
  kind: PaymentKind;
  name: string;
  specHash: string;
  /** The spec's price for its whole lifetime. */
  price: bigint;
  /** Credit for the unused blocks of the version an update replaces. */
  unused: bigint;
  /** The least payment that has an effect. */
  due: bigint;
  /** What registering through this node or the CLI pays: the price, or for an update what is due. */
  amount: bigint;
  expire: number;
  /** The height of the block the quote is for. */
  height: number;
}

export class AppRegistration {
  readonly #d: RegistrationDeps;

  constructor(deps: RegistrationDeps) {
    this.#d = deps;
  }

  /** The one validation of a spec entering through this node's API (throws AppSpecError). */
  accept(raw: unknown): ValidSpec {
    return validateAppSpec(raw, appLimitsFor(this.#d.params));
  }

  /**
   * What paying for `spec` in the next block does and costs; a payment that would change nothing
   * (the name is another owner's) is refused here, before anything is paid.
   */
  quote(spec: ValidSpec, hash = specHash(spec)): Quote {
    const height = this.#d.tipHeight() + 1;
    const effect = this.#d.directory.effectOf(spec, hash, height - 1, this.#d.tipId());
    if (!effect.ok)
      throw new RegistrationError(
        REGISTRATION_ERRORS.changesNothing,
        'name',
        spec.name,
        `a payment for ${spec.name} would change nothing: ${effect.message}`,
      );
    const { kind, price, unused, due } = effect;
    const amount = kind === 'update' ? (due > MIN_APP_PAYMENT ? due : MIN_APP_PAYMENT) : price;
    return { kind, name: spec.name, specHash: hash, price, unused, due, amount, expire: spec.expire, height };
  }

  /** The quote, refused when it is not the `kind` the caller meant (e.g. `renew` of a changed spec). */
  quoteFor(spec: ValidSpec, kind?: PaymentKind): Quote {
    const q = this.quote(spec);
    if (kind && q.kind !== kind) throw wrongKind(spec, kind, q.kind);
    return q;
  }

  /**
   * Signs, keeps, pays for and announces `spec` with the node wallet's key of its owner; a failed
   * payment returns its coins to the wallet.
   */
  async register(spec: ValidSpec, kind?: PaymentKind): Promise<Registered> {
    const { wallet } = this.#d;
    const owner = wallet.keys.get(spec.owner);
    if (!owner)
      throw new RegistrationError(
        REGISTRATION_ERRORS.ownerNotInWallet,
        'owner',
        spec.owner,
        `the owner ${spec.owner} is not an address of this node’s wallet, so it cannot sign the spec`,
      );
    const q = this.quoteFor(spec, kind);
    // The owner signs the spec hash: any change to the spec voids the signature.
    const signature = signSpec(spec, owner.privateKey);
    this.#keep(spec, q.specHash, signature);
    const payment = wallet.createPayment({
      to: [{ address: appPaymentAddress(this.#d.params), amount: q.amount }],
      opReturn: appPaymentData(q.specHash),
    });
    try {
      await this.#d.submit(payment.tx);
    } catch (err) {
      wallet.release(payment);
      throw err;
    }
    await this.#d.announce(spec, signature);
    return { name: spec.name, specHash: q.specHash, txid: payment.txid, price: q.amount, kind: q.kind };
  }

  /**
   * Keeps and announces a spec its owner signed elsewhere (base64 message signature over the spec
   * hash, as `signmessage` makes it). Nothing is paid: the owner pays with their own transaction.
   */
  async submitSigned(spec: ValidSpec, signature: string): Promise<{ name: string; specHash: string }> {
    const hash = specHash(spec);
    // validateAppSpec has checked the owner is a P2PKH address: 2 version bytes, then the key hash.
    const keyHash = base58CheckDecode(spec.owner, 'owner').subarray(2);
    let sig: Uint8Array | undefined;
    try {
      sig = base64.decode(signature);
    } catch {
      sig = undefined;
    }
    if (!sig || !verifyMessage(hash, sig, keyHash))
      throw new RegistrationError(
        REGISTRATION_ERRORS.badSignature,
        'signature',
        signature,
        `the signature is not the owner ${spec.owner}’s over the spec hash ${hash}`,
      );
    this.#keep(spec, hash, sig);
    await this.#d.announce(spec, sig);
    return { name: spec.name, specHash: hash };
  }

  #keep(spec: ValidSpec, hash: string, signature: Uint8Array): void {
    const received = (this.#d.now ?? Date.now)();
    this.#d.specs.put({
      specHash: hash,
      spec: canonicalJson(spec),
      signature: base64.encode(signature),
      received,
    });
    this.#d.directory.remember(hash, spec);
  }
}

function wrongKind(spec: ValidSpec, wanted: PaymentKind, is: PaymentKind): RegistrationError {
  const advice: Record<PaymentKind, string> = {
    register: `${spec.name} is not registered (or has expired): use register`,
    update: `this spec differs from the live ${spec.name}: use update`,
    renew: `this spec is exactly the live ${spec.name}: use renew to extend it`,
  };
  return new RegistrationError(
    REGISTRATION_ERRORS.wrongKind,
    'kind',
    wanted,
    `a payment for this spec would be a ${is}, not a ${wanted}; ${advice[is]}`,
  );
}
