import { signSpec } from '../../cloud/messages/spec-announcement.ts';
import { base64 } from '@scure/base';
import { appPaymentAddress } from '../../cloud/registry/app-address.ts';
import { type AppDirectory, appLimitsFor, appPriceAt } from '../../cloud/registry/app-directory.ts';
import type { RegisteredApp } from '../../cloud/registry/app-registry.ts';
import { appPaymentData } from '../../cloud/registry/payment-tx.ts';
import type { SpecStore } from '../../cloud/registry/spec-store.ts';
import { canonicalJson, specHash } from '../../cloud/spec/hash.ts';
import { AppSpecError, type AppSpec } from '../../cloud/spec/schema.ts';
import { validateAppSpec } from '../../cloud/spec/validate.ts';
import type { Wallet } from '../../wallet/wallet.ts';
import type { NodeContext } from '../context.ts';
import { fluxAmount } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { walletError } from './wallet-methods.ts';

export interface AppLocation {
  node: string;
  ip: string;
  ports: number[];
  state: string;
}

export interface AppControls {
  wallet: Wallet;
  directory: AppDirectory;
  specs: SpecStore;
  /** Spreads a spec (with the owner's signature) to the network. */
  announce: (spec: AppSpec, signature: Uint8Array) => Promise<void>;
  /** Where each instance of an app runs, as the cloud agents report it. */
  locations: (name: string) => AppLocation[];
}

function appJson(a: RegisteredApp, locations: AppLocation[]) {
  return {
    name: a.name,
    owner: a.owner,
    specHash: a.specHash,
    height: a.height,
    registeredHeight: a.registeredHeight,
    expiresAt: a.expiresAt,
    instances: a.spec.instances,
    paid: fluxAmount(a.paid),
    txid: a.txid,
    locations,
  };
}

export function registerAppMethods(rpc: RpcDispatcher, ctx: NodeContext, c: AppControls): void {
  const active = () => c.directory.active(ctx.chain.height(), ctx.chain.tip().id);

  rpc.register(
    'registerapp',
    'registerapp {spec}: validates the spec, signs it with the owner’s key, pays its price with the spec hash in OP_RETURN, and announces it.',
    async (p) => {
      if (typeof p[0] !== 'object' || p[0] === null)
        throw new RpcError(RPC.INVALID_PARAMS, 'registerapp takes the app spec as a JSON object');
      let spec: AppSpec;
      try {
        spec = validateAppSpec(p[0], appLimitsFor(ctx.params));
      } catch (err) {
        if (err instanceof AppSpecError) throw new RpcError(RPC.INVALID_PARAMETER, err.message);
        throw err;
      }
      const owner = c.wallet.keys.get(spec.owner);
      if (!owner)
        throw new RpcError(
          RPC.WALLET_ERROR,
          `the owner ${spec.owner} is not an address of this node’s wallet, so it cannot sign the spec`,
        );
      const hash = specHash(spec);
      const canonical = canonicalJson(spec);
      // The owner signs the spec hash: any change to the spec voids the signature.
      const signature = signSpec(spec, owner.privateKey);
      const price = appPriceAt(spec, ctx.chain.height() + 1);
      c.specs.put({
        specHash: hash,
        spec: canonical,
        signature: base64.encode(signature),
        received: Date.now(),
      });
      c.directory.invalidate();
      try {
        const payment = c.wallet.createPayment({
          to: [{ address: appPaymentAddress(ctx.params), amount: price }],
          opReturn: appPaymentData(hash),
        });
        try {
          await ctx.acceptTransaction(payment.tx);
        } catch (err) {
          c.wallet.release(payment);
          throw err;
        }
        await c.announce(spec, signature);
        return { name: spec.name, specHash: hash, txid: payment.txid, price: fluxAmount(price) };
      } catch (err) {
        return walletError(err);
      }
    },
  );

  rpc.register('appprice', 'appprice {spec}: what registering the spec costs now, in FLUX.', (p) => {
    try {
      const spec = validateAppSpec(p[0], appLimitsFor(ctx.params));
      return { price: fluxAmount(appPriceAt(spec, ctx.chain.height() + 1)), expire: spec.expire };
    } catch (err) {
      if (err instanceof AppSpecError) throw new RpcError(RPC.INVALID_PARAMETER, err.message);
      throw err;
    }
  });

  rpc.register('listapps', 'Apps registered, paid and not expired, with where they run.', () =>
    active().map((a) => appJson(a, c.locations(a.name))),
  );

  rpc.register('getapp', 'getapp "name": one app’s spec, payment and locations.', (p) => {
    const name = param.string(p, 0, 'name')!;
    const a = active().find((x) => x.name === name);
    if (!a) throw new RpcError(RPC.INVALID_PARAMETER, `no active app named "${name}"`);
    return { ...appJson(a, c.locations(a.name)), spec: a.spec };
  });

  rpc.register('getapplocations', 'getapplocations "name": nodes running the app.', (p) =>
    c.locations(param.string(p, 0, 'name')!),
  );
}
