import {
  type AppDirectory,
  type AppRegistration,
  AppSpecError,
  appPaymentAddress,
  type PaymentKind,
  type RegisteredApp,
  RegistrationError,
  type ValidSpec,
  explanationText,
  type PlacementExplanation,
} from '../../cloud/index.ts';
import type { NodeContext } from '../context.ts';
import { quoteJson, unmatchedJson } from '../owner-json.ts';
import type { AppLocation } from '../rest/types.ts';
import { fluxAmount } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { appNameParam, oneOfParam } from './params.ts';
import { walletError } from './wallet-methods.ts';

export interface AppControls {
  /** The cloud's registration service: validates once, prices, signs, pays and announces. */
  registration: AppRegistration;
  directory: AppDirectory;
  /** Where each instance of an app runs, as the cloud agents report it. */
  locations: (name: string) => AppLocation[];
  /** Why nodes do not host an app (undefined where this node places no apps). */
  placement?: (name: string) => PlacementExplanation | undefined;
  /** `host:port` where this node's routing mesh answers for an app. */
  mesh?: (name: string) => string[];
}

function appJson(a: RegisteredApp, locations: AppLocation[], mesh: string[]) {
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
    mesh,
  };
}

const KINDS: readonly PaymentKind[] = ['register', 'update', 'renew'];

function registrationError(err: unknown): never {
  if (err instanceof RegistrationError) throw new RpcError(RPC.WALLET_ERROR, err.message);
  return walletError(err);
}

export function registerAppMethods(rpc: RpcDispatcher, ctx: NodeContext, c: AppControls): void {
  const active = () => c.directory.active(ctx.chain.height(), ctx.chain.tip().id);

  const unmatched = () => c.directory.unmatched(ctx.chain.height(), ctx.chain.tip().id);
  const specParam = (p: unknown[], method: string) => {
    if (typeof p[0] !== 'object' || p[0] === null)
      throw new RpcError(RPC.INVALID_PARAMS, `${method} takes the app spec as a JSON object`);
    return acceptSpec(c.registration, p[0]);
  };

  rpc.register(
    'registerapp',
    'registerapp {spec} ( "kind" ): signs the spec with the owner’s key in this node’s wallet and pays what is due (register, update or renew; kind, when given, must match), with the spec hash in OP_RETURN, then announces it.',
    async (p) => {
      const spec = specParam(p, 'registerapp');
      const kind = oneOfParam(p, 1, 'kind', KINDS, { optional: true });
      try {
        const r = await c.registration.register(spec, kind);
        return { name: r.name, specHash: r.specHash, txid: r.txid, price: fluxAmount(r.price), kind: r.kind };
      } catch (err) {
        return registrationError(err);
      }
    },
  );

  rpc.register(
    'appquote',
    'appquote {spec} ( "kind" ): what paying for the spec in the next block would do (register, update, renew) and cost: its price, the unused value an update is credited, what is due, what to pay, to which address and with which OP_RETURN data. Refuses a payment that would change nothing.',
    (p) => {
      const spec = specParam(p, 'appquote');
      const kind = oneOfParam(p, 1, 'kind', KINDS, { optional: true });
      try {
        return quoteJson(c.registration.quoteFor(spec, kind), appPaymentAddress(ctx.params));
      } catch (err) {
        return registrationError(err);
      }
    },
  );

  rpc.register(
    'submitappspec',
    'submitappspec {spec} "signature": keeps and announces a spec its owner signed elsewhere (signmessage of the spec hash, base64). The node checks the signature; the owner pays with their own transaction (sendrawtransaction).',
    async (p) => {
      const spec = specParam(p, 'submitappspec');
      const signature = param.string(p, 1, 'signature', { maxLength: 200 })!;
      try {
        return await c.registration.submitSigned(spec, signature);
      } catch (err) {
        if (err instanceof RegistrationError) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, err.message);
        throw err;
      }
    },
  );

  rpc.register('appprice', 'appprice {spec}: what registering the spec costs now, in FLUX.', (p) => {
    const spec = acceptSpec(c.registration, p[0]);
    try {
      const { price, expire } = c.registration.quote(spec);
      return { price: fluxAmount(price), expire };
    } catch (err) {
      return registrationError(err);
    }
  });

  rpc.register(
    'listunmatchedapppayments',
    'listunmatchedapppayments ( "name" ): payments to the app address that made or changed no app (underpaid, name owned by another, renewal too small, spec unknown), with the reason.',
    (p) => {
      const name = p[0] === undefined || p[0] === null ? undefined : appNameParam(p, 0, ctx.params);
      return unmatched()
        .filter((u) => name === undefined || u.name === name)
        .map(unmatchedJson);
    },
  );

  rpc.register('listapps', 'Apps registered, paid and not expired, with where they run.', () =>
    active().map((a) => appJson(a, c.locations(a.name), c.mesh?.(a.name) ?? [])),
  );

  rpc.register('getapp', 'getapp "name": one app’s spec, payment and locations.', (p) => {
    const name = appNameParam(p, 0, ctx.params);
    const a = active().find((x) => x.name === name);
    if (!a) throw new RpcError(RPC.INVALID_PARAMETER, `no active app named "${name}"`);
    const orphans = unmatched().filter((u) => u.name === name && u.height >= a.registeredHeight);
    const why = c.placement?.(a.name);
    const placement = why ? { ...why, summary: explanationText(why) } : null;
    return {
      ...appJson(a, c.locations(a.name), c.mesh?.(a.name) ?? []),
      spec: a.spec,
      unmatchedPayments: orphans.map(unmatchedJson),
      placement,
    };
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
