/**
 * JSON of what app owners ask any node for, shared by RPC and REST so both answer alike: a quote
 * (what a payment would do and cost, where to pay, with which OP_RETURN data), payments that
 * matched nothing, and unspent outputs in fluxd's insight form (satoshi integers).
 */
import type { IndexedCoin } from '../chain/index.ts';
import { appPaymentData, type Quote, type UnmatchedPayment } from '../cloud/index.ts';
import { reverseHex, toHex } from '../consensus/index.ts';
import { fluxAmount } from './json.ts';

export function unmatchedJson(u: UnmatchedPayment) {
  return {
    txid: u.txid,
    height: u.height,
    specHash: u.specHash,
    name: u.name ?? null,
    owner: u.owner ?? null,
    paid: fluxAmount(u.paid),
    satoshis: Number(u.paid),
    reason: u.reason,
    message: u.message,
  };
}

/** A quote as RPC and REST show it: FLUX amounts, satoshi integers, and where and how to pay. */
export function quoteJson(q: Quote, payTo: string) {
  return {
    kind: q.kind,
    name: q.name,
    specHash: q.specHash,
    price: fluxAmount(q.price),
    unused: fluxAmount(q.unused),
    due: fluxAmount(q.due),
    amount: fluxAmount(q.amount),
    satoshis: {
      price: Number(q.price),
      unused: Number(q.unused),
      due: Number(q.due),
      amount: Number(q.amount),
    },
    expire: q.expire,
    height: q.height,
    address: payTo,
    opreturn: toHex(appPaymentData(q.specHash)),
  };
}

/** An unspent output as fluxd's getaddressutxos shows it. */
export function utxoJson(address: string, c: IndexedCoin) {
  return {
    address,
    txid: reverseHex(c.outpoint.txid),
    outputIndex: c.outpoint.index,
    script: toHex(c.scriptPubKey),
    satoshis: Number(c.value),
    height: c.height,
  };
}
