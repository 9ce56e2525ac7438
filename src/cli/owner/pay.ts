/**
 * An app owner's payment, made without giving any node the key: ask a node what paying for the
 * spec would do (the quote), find the owner's coins through the node's address index, sign the
 * spec and the payment here, and hand both to the node, spec first (so the node holds it when the
 * payment confirms). The node checks the signature and the transaction as it would anyone's.
 */
import { appLimitsFor, type PaymentKind, signSpec, specHash, validateAppSpec } from '../../cloud/index.ts';
import { base64 } from '@scure/base';
import {
  type ConsensusParams,
  encodeTransaction,
  fromHex,
  scriptForAddress,
  toHex,
} from '../../consensus/index.ts';
import type { Wallet } from '../../wallet/index.ts';
import { CliError } from '../output.ts';

/** The public REST API of any node, as NodeClient offers it. */
export interface OwnerNodeApi {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** A node's quote (POST /apps/quote). */
export interface QuoteJson {
  kind: PaymentKind;
  name: string;
  specHash: string;
  price: number;
  unused: number;
  due: number;
  amount: number;
  satoshis: { price: number; unused: number; due: number; amount: number };
  expire: number;
  height: number;
  address: string;
  opreturn: string;
}

/** An unspent output in fluxd's getaddressutxos form. */
export interface UtxoJson {
  address: string;
  txid: string;
  outputIndex: number;
  script: string;
  satoshis: number;
  height: number;
}

export interface OwnerPaid {
  kind: PaymentKind;
  name: string;
  specHash: string;
  txid: string;
  /** Satoshis paid to the app address. */
  amount: number;
}

/** The owner's coins, as the node's address index has them, as a wallet coin source. */
export async function coinsOf(
  api: OwnerNodeApi,
  address: string,
  tipHeight: number,
  params: ConsensusParams,
) {
  const rows = await api.get<UtxoJson[]>(`/chain/address/${encodeURIComponent(address)}/utxos`);
  const script = scriptForAddress(address, params.base58);
  const coins = rows.map((u) => ({
    outpoint: { txid: fromHex(u.txid, 'txid').reverse(), index: u.outputIndex },
    value: BigInt(u.satoshis),
    scriptPubKey: script,
    height: u.height,
    // The index does not say; a coinbase spent too early is refused by the node's pool, not lost.
    coinbase: false,
  }));
  return { coinsFor: () => coins, tipHeight: () => tipHeight };
}

/** What paying for `raw` through `api` would do and cost; nothing is signed or sent. */
export function quoteSpec(api: OwnerNodeApi, raw: unknown, kind?: PaymentKind): Promise<QuoteJson> {
  return api.post<QuoteJson>('/apps/quote', { spec: raw, kind });
}

/**
 * Registers, updates or renews the app of `raw` (as `kind` says; the node's quote decides when
 * absent), paying from the owner's key in `wallet`. The spec's owner must be a key of the wallet.
 */
export async function payForSpec(
  api: OwnerNodeApi,
  wallet: Wallet,
  raw: unknown,
  params: ConsensusParams,
  kind?: PaymentKind,
): Promise<OwnerPaid> {
  const spec = validateAppSpec(raw, appLimitsFor(params));
  const key = wallet.keys.get(spec.owner);
  if (!key)
    throw new CliError(`the spec's owner ${spec.owner} is not a key of this wallet (fluxnode owner import)`);
  const quote = await quoteSpec(api, raw, kind);
  const hash = specHash(spec);
  if (quote.specHash !== hash)
    throw new CliError(
      `the node hashes the spec as ${quote.specHash}, this CLI as ${hash}: refusing to pay`,
      1,
    );
  wallet.setSource(await coinsOf(api, spec.owner, quote.height - 1, params));
  const payment = wallet.createPayment({
    to: [{ address: quote.address, amount: BigInt(quote.satoshis.amount) }],
    opReturn: fromHex(quote.opreturn, 'opreturn'),
    changeAddress: spec.owner,
  });
  const signature = base64.encode(signSpec(spec, key.privateKey));
  await api.post('/apps/submit', { spec: raw, signature });
  const sent = await api.post<{ txid: string }>('/chain/tx', { hex: toHex(encodeTransaction(payment.tx)) });
  return {
    kind: quote.kind,
    name: spec.name,
    specHash: hash,
    txid: sent.txid,
    amount: quote.satoshis.amount,
  };
}
