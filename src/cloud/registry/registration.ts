/**
 * App registration, the one implementation RPC (`registerapp`, `appprice`), REST and the CLI (which
 * goes through RPC) share: a spec is parsed and validated once where it enters (`accept`), and
 * from then on travels as a ValidSpec; registering signs it with the owner's wallet key, keeps it,
 * pays its price to the network's app address with the spec hash in OP_RETURN, and announces it.
 */
import { base64 } from '@scure/base';
import type { ConsensusParams, Transaction } from '../../consensus/index.ts';
import type { Wallet } from '../../wallet/index.ts';
import { signSpec } from '../messages/spec-announcement.ts';
import { canonicalJson, specHash } from '../spec/hash.ts';
import type { ValidSpec } from '../spec/schema.ts';
import { validateAppSpec } from '../spec/validate.ts';
import { appPaymentAddress } from './app-address.ts';
import { type AppDirectory, appLimitsFor, appPriceAt } from './app-directory.ts';
import { appPaymentData } from './payment-tx.ts';
import type { SpecStore } from './spec-store.ts';

export const REGISTRATION_ERRORS = {
  /** The spec's owner is no address of this node's wallet, so the node cannot sign for it. */
  ownerNotInWallet: 'owner-not-in-wallet',
} as const;

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

  /** What registering `spec` costs if paid in the next block, and for how many blocks. */
  quote(spec: ValidSpec): { price: bigint; expire: number } {
    return { price: appPriceAt(spec, this.#d.tipHeight() + 1), expire: spec.expire };
  }

  /** Signs, keeps, pays for and announces `spec`; a failed payment returns its coins to the wallet. */
  async register(spec: ValidSpec): Promise<Registered> {
    const { wallet, specs, directory } = this.#d;
    const owner = wallet.keys.get(spec.owner);
    if (!owner)
      throw new RegistrationError(
        REGISTRATION_ERRORS.ownerNotInWallet,
        'owner',
        spec.owner,
        `the owner ${spec.owner} is not an address of this node’s wallet, so it cannot sign the spec`,
      );
    const hash = specHash(spec);
    // The owner signs the spec hash: any change to the spec voids the signature.
    const signature = signSpec(spec, owner.privateKey);
    const { price } = this.quote(spec);
    const received = (this.#d.now ?? Date.now)();
    specs.put({ specHash: hash, spec: canonicalJson(spec), signature: base64.encode(signature), received });
    directory.remember(hash, spec);
    const payment = wallet.createPayment({
      to: [{ address: appPaymentAddress(this.#d.params), amount: price }],
      opReturn: appPaymentData(hash),
    });
    try {
      await this.#d.submit(payment.tx);
    } catch (err) {
      wallet.release(payment);
      throw err;
    }
    await this.#d.announce(spec, signature);
    return { name: spec.name, specHash: hash, txid: payment.txid, price };
  }
}
