import {
  type AppDirectory,
  type AppRegistration,
  AppSpecError,
  type RegisteredApp,
  RegistrationError,
  type ValidSpec,
} from '../../cloud/index.ts';
import type { NodeContext } from '../context.ts';
import type { AppLocation } from '../rest/types.ts';
import { fluxAmount } from '../json.ts';
import type { RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { appNameParam } from './params.ts';
import { walletError } from './wallet-methods.ts';

export interface AppControls {
  /** The cloud's registration service: validates once, prices, signs, pays and announces. */
  registration: AppRegistration;
  directory: AppDirectory;
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
      const spec = acceptSpec(c.registration, p[0]);
      try {
        const r = await c.registration.register(spec);
        return { name: r.name, specHash: r.specHash, txid: r.txid, price: fluxAmount(r.price) };
      } catch (err) {
        if (err instanceof RegistrationError) throw new RpcError(RPC.WALLET_ERROR, err.message);
        return walletError(err);
      }
    },
  );

  rpc.register('appprice', 'appprice {spec}: what registering the spec costs now, in FLUX.', (p) => {
    const { price, expire } = c.registration.quote(acceptSpec(c.registration, p[0]));
    return { price: fluxAmount(price), expire };
  });

  rpc.register('listapps', 'Apps registered, paid and not expired, with where they run.', () =>
    active().map((a) => appJson(a, c.locations(a.name))),
  );

  rpc.register('getapp', 'getapp "name": one app’s spec, payment and locations.', (p) => {
    const name = appNameParam(p, 0, ctx.params);
    const a = active().find((x) => x.name === name);
    if (!a) throw new RpcError(RPC.INVALID_PARAMETER, `no active app named "${name}"`);
    return { ...appJson(a, c.locations(a.name)), spec: a.spec };
  });

  rpc.register('getapplocations', 'getapplocations "name": nodes running the app.', (p) =>
    c.locations(appNameParam(p, 0, ctx.params)),
  );
}

/** The spec of a request, validated once by the registration service; its problems are the caller's. */
function acceptSpec(registration: AppRegistration, raw: unknown): ValidSpec {
  try {
    return registration.accept(raw);
  } catch (err) {
    if (err instanceof AppSpecError) throw new RpcError(RPC.INVALID_PARAMETER, err.message);
    throw err;
  }
}
