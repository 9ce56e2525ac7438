/**
 * What an app owner without a node needs from any node's public API: their unspent outputs, a
 * quote for paying for a spec, a place to hand in a spec they signed themselves and the payment
 * transaction they signed themselves, and the payments that matched nothing. The node never sees
 * the owner's key; it checks the spec's signature and the transaction like any other.
 */
import { AppSpecError, type PaymentKind, RegistrationError } from '../../cloud/index.ts';
import {
  ConsensusError,
  decodeTransaction,
  fromHex,
  p2pkhScript,
  p2shScript,
} from '../../consensus/index.ts';
import { HttpError, type ApiServer } from '../http-server.ts';
import { quoteJson, unmatchedJson, utxoJson } from '../owner-json.ts';
import type { RestContext } from './providers.ts';
import { addressParam, appNameParam, badRequest, objectBody, stringField } from './validate.ts';

const KINDS: readonly string[] = ['register', 'update', 'renew'];
/** Hex of the largest transaction the pool takes, with room to spare. */
const MAX_TX_HEX = 2_000_000;

function kindOf(body: Record<string, unknown>): PaymentKind | undefined {
  const k = body.kind;
  if (k === undefined || k === null) return undefined;
  if (typeof k !== 'string' || !KINDS.includes(k)) throw badRequest('kind', String(k), KINDS.join(', '));
  return k as PaymentKind;
}

/** Owners' mistakes as 4xx with the service's own words; anything else stays a 500. */
function ownerError(err: unknown): never {
  if (err instanceof AppSpecError) throw new HttpError(400, err.message);
  if (err instanceof RegistrationError)
    throw new HttpError(err.code === 'bad-signature' ? 400 : 409, err.message);
  if (err instanceof ConsensusError) throw new HttpError(400, `${err.rule}: ${err.message}`);
  throw err;
}

function owners(ctx: RestContext) {
  if (!ctx.owners) throw new HttpError(501, 'this node takes no app registrations');
  return ctx.owners;
}

export function registerOwnerRoutes(api: ApiServer, ctx: RestContext): void {
  api.get('/chain/address/:address/utxos', ({ params: p }) => {
    const addr = addressParam(p.address, ctx.params);
    if (!ctx.addressIndex) throw new HttpError(501, 'this node keeps no address index');
    const script = addr.type === 'p2pkh' ? p2pkhScript(addr.hash) : p2shScript(addr.hash);
    return ctx.addressIndex.coinsFor([script]).map((c) => utxoJson(p.address, c));
  });

  api.post('/chain/tx', async ({ body }) => {
    const hex = stringField(objectBody(body), 'hex', MAX_TX_HEX);
    try {
      const entry = await ctx.acceptTransaction(decodeTransaction(fromHex(hex, 'hex')));
      return { txid: entry.txid };
    } catch (err) {
      return ownerError(err);
    }
  });

  api.post('/apps/quote', ({ body }) => {
    const b = objectBody(body);
    const o = owners(ctx);
    try {
      return quoteJson(o.registration.quoteFor(o.registration.accept(b.spec), kindOf(b)), o.payTo);
    } catch (err) {
      return ownerError(err);
    }
  });

  api.post('/apps/submit', async ({ body }) => {
    const b = objectBody(body);
    const signature = stringField(b, 'signature', 200);
    const o = owners(ctx);
    try {
      return await o.registration.submitSigned(o.registration.accept(b.spec), signature);
    } catch (err) {
      return ownerError(err);
    }
  });

  api.get('/apps/:name/unmatched', ({ params }) => {
    const name = appNameParam(params.name);
    return owners(ctx)
      .unmatched()
      .filter((u) => u.name?.toLowerCase() === name.toLowerCase())
      .map(unmatchedJson);
  });
}
