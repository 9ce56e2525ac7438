import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  verifySpecAnnouncement,
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
} from '../../../src/cloud/messages/spec-announcement.ts';
import { appPaymentScriptFor } from '../../../src/cloud/registry/app-address.ts';
import { AppDirectory, appLimitsFor, appPriceAt } from '../../../src/cloud/registry/app-directory.ts';
import { AppPaymentsExtension } from '../../../src/cloud/registry/app-payments.ts';
import { parseAppPayment } from '../../../src/cloud/registry/payment-tx.ts';
import {
  AppRegistration,
  REGISTRATION_ERRORS,
  RegistrationError,
} from '../../../src/cloud/registry/registration.ts';
import { SpecStore } from '../../../src/cloud/registry/spec-store.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { AppSpecError, type ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Transaction } from '../../../src/consensus/primitives/types.ts';
import { Wallet } from '../../../src/wallet/wallet.ts';
import { at } from '../../support/at.ts';

const params = paramsFor('devnet');
const COIN = 100_000_000n;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function rawSpec(owner: string) {
  return {
    version: 1,
    name: 'hello',
    description: 'a test app',
    owner,
    components: [
      {
        name: 'web',
        description: '',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '/data',
        cpu: 0.2,
        ram: 100,
        hdd: 1,
      },
    ],
    instances: 3,
    expire: 5000,
    geolocation: [],
  };
}

/** A registration service over a real wallet (one 500 FLUX coin), spec store and directory. */
function setup(opts: { submitFails?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-registration-'));
  dirs.push(dir);
  const wallet = new Wallet(params);
  const owner = wallet.newAddress('owner');
  const coin = {
    outpoint: { txid: new Uint8Array(32).fill(3), index: 0 },
    value: 500n * COIN, // not a tier's collateral amount (those are locked)
    scriptPubKey: scriptForAddress(owner, params.base58),
    height: 1,
    coinbase: false,
  };
  wallet.setSource({ coinsFor: () => [coin], tipHeight: () => 200 });
  const specs = new SpecStore(join(dir, 'cloud.sqlite'));
  const payments = new AppPaymentsExtension(appPaymentScriptFor(params), txid);
  payments.init(new DatabaseSync(':memory:'));
  const directory = new AppDirectory(specs, payments, params);
  const submitted: Transaction[] = [];
  const announced: { spec: ValidSpec; signature: Uint8Array }[] = [];
  const registration = new AppRegistration({
    params,
    tipHeight: () => 200,
    tipId: () => 'tip200',
    wallet,
    specs,
    directory,
    submit: async (tx) => {
      if (opts.submitFails) throw new Error('pool refused it');
      submitted.push(tx);
    },
    announce: async (spec, signature) => {
      announced.push({ spec, signature });
    },
    now: () => 1234,
  });
  return { registration, wallet, owner, specs, submitted, announced };
}

test('a spec is validated once where it enters, and a bad one is refused with every problem named', () => {
  const { registration, owner } = setup();
  const spec = registration.accept(rawSpec(owner));
  assert.equal(spec.name, 'hello');
  const bad = { ...rawSpec(owner), instances: 1, name: 'no spaces allowed' };
  const err = (() => {
    try {
      registration.accept(bad);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof AppSpecError);
  assert.deepEqual(err.issues.map((i) => i.field).sort(), ['instances', 'name']);
});

test('the quote is the price of the whole lifetime at the next block', () => {
  const { registration, owner } = setup();
  const spec = registration.accept(rawSpec(owner));
  const q = registration.quote(spec);
  assert.deepEqual(
    [q.kind, q.price, q.due, q.amount, q.expire, q.height],
    ['register', appPriceAt(spec, 201), appPriceAt(spec, 201), appPriceAt(spec, 201), 5000, 201],
  );
});

test('registering keeps the signed spec, pays its price to the app address with its hash, and announces it', async () => {
  const { registration, owner, specs, submitted, announced } = setup();
  const spec = registration.accept(rawSpec(owner));
  const r = await registration.register(spec);
  const hash = specHash(spec);
  assert.equal(r.specHash, hash);
  assert.equal(r.price, appPriceAt(spec, 201));
  assert.equal(submitted.length, 1);
  const payment = parseAppPayment(at(submitted, 0), appPaymentScriptFor(params));
  assert.equal(payment?.specHash, hash);
  assert.equal(payment?.paid, r.price);
  const stored = specs.get(hash);
  assert.equal(stored?.received, 1234);
  assert.equal(announced.length, 1);
  assert.equal(
    at(announced, 0).spec,
    spec,
    'the announced spec is the validated one, not a copy validated again',
  );
  // What peers receive verifies: the owner's key signed the spec hash.
  const wire = decodeSpecAnnouncement(encodeSpecAnnouncement(spec, at(announced, 0).signature));
  assert.equal(verifySpecAnnouncement(wire, appLimitsFor(params)).specHash, hash);
});

test('a spec whose owner is not in the wallet is refused before anything is kept or paid', async () => {
  const { registration, specs, submitted } = setup();
  const stranger = new Wallet(params).newAddress();
  const spec = registration.accept(rawSpec(stranger));
  await assert.rejects(
    registration.register(spec),
    (e: unknown) =>
      e instanceof RegistrationError &&
      e.code === REGISTRATION_ERRORS.ownerNotInWallet &&
      e.value === stranger,
  );
  assert.equal(specs.get(specHash(spec)), undefined);
  assert.equal(submitted.length, 0);
});

test('a payment the pool refuses gives its coins back to the wallet and announces nothing', async () => {
  const { registration, owner, wallet, announced } = setup({ submitFails: true });
  const spec = registration.accept(rawSpec(owner));
  const before = wallet.balance().spendable;
  await assert.rejects(registration.register(spec), /pool refused it/);
  assert.equal(wallet.balance().spendable, before);
  assert.equal(announced.length, 0);
});
