/**
 * fluxd's insight address-index methods (getaddressutxos, getaddressbalance, getaddresstxids,
 * getaddressdeltas, getaddressmempool) and `verifymessage`, with fluxd's names, parameters and
 * field names, so light clients (an owner wallet, an explorer) can work through any node. Amounts
 * are satoshi integers as in fluxd. They read the chain's address index; history is per
 * transaction (the index keeps each transaction's net amount per address), see docs/api.md.
 */
import type { AddressIndex, Mempool } from '../../chain/index.ts';
import {
  ConsensusError,
  decodeAddress,
  reverseHex,
  scriptForAddress,
  toHex,
  verifyMessage,
} from '../../consensus/index.ts';
import type { NodeContext } from '../context.ts';
import { prefixes } from '../json.ts';
import { utxoJson } from '../owner-json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { addressParam } from './params.ts';

/** Addresses one request may name. */
export const MAX_ADDRESSES = 100;
/** Transactions one history request reads per address. */
const MAX_HISTORY = 100_000;

interface AddressQuery {
  addresses: string[];
  start?: number;
  end?: number;
  chainInfo: boolean;
}

/** Either "address" or {"addresses": [...], "start", "end", "chainInfo"}, as fluxd takes them. */
function addressQuery(p: unknown[], ctx: NodeContext): AddressQuery {
  const raw = p[0];
  if (typeof raw === 'string')
    return { addresses: [addressParam(p, 0, 'address', ctx.params)!], chainInfo: false };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RpcError(RPC.INVALID_PARAMS, 'expected an address or {"addresses": ["t1…", …]}');
  const o = raw as Record<string, unknown>;
  const list = o.addresses;
  if (!Array.isArray(list) || list.length === 0)
    throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'addresses must be a non-empty array of addresses');
  if (list.length > MAX_ADDRESSES)
    throw new RpcError(RPC.INVALID_PARAMETER, `at most ${MAX_ADDRESSES} addresses, got ${list.length}`);
  const addresses = list.map((_, i) => addressParam(list, i, 'address', ctx.params)!);
  const height = (k: 'start' | 'end') => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new RpcError(RPC.INVALID_PARAMETER, `${k} must be a block height, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    addresses: [...new Set(addresses)],
    start: height('start'),
    end: height('end'),
    chainInfo: o.chainInfo === true,
  };
}

function scriptOf(address: string, ctx: NodeContext): Uint8Array {
  return scriptForAddress(address, prefixes(ctx.params));
}

/** A script's history entries within [start, end] (both optional), oldest first. */
function historyOf(index: AddressIndex, script: Uint8Array, q: AddressQuery) {
  return index
    .history(script, MAX_HISTORY)
    .filter(
      (h) => (q.start === undefined || h.height >= q.start) && (q.end === undefined || h.height <= q.end),
    )
    .reverse();
}

function withChainInfo<T>(ctx: NodeContext, q: AddressQuery, key: string, rows: T[]) {
  if (!q.chainInfo) return rows;
  return { [key]: rows, hash: ctx.chain.tip().id, height: ctx.chain.height() };
}

/** Mempool transactions paying to or spending from `scripts`: fluxd's getaddressmempool rows. */
function mempoolDeltas(mempool: Mempool, ctx: NodeContext, byScript: Map<string, string>) {
  const rows: Record<string, unknown>[] = [];
  for (const e of mempool.all()) {
    e.tx.inputs.forEach((input, index) => {
      const prev = ctx.chain.getUtxo(input.prevout) ?? mempool.output(input.prevout);
      const address = prev && byScript.get(toHex(prev.scriptPubKey));
      if (!prev || !address) return;
      const prevtxid = reverseHex(input.prevout.txid);
      const satoshis = -Number(prev.value);
      rows.push({
        address,
        txid: e.txid,
        index,
        satoshis,
        timestamp: e.time,
        prevtxid,
        prevout: input.prevout.index,
      });
    });
    e.tx.outputs.forEach((out, index) => {
      const address = byScript.get(toHex(out.scriptPubKey));
      if (address)
        rows.push({ address, txid: e.txid, index, satoshis: Number(out.value), timestamp: e.time });
    });
  }
  return rows;
}

export function registerAddressMethods(rpc: RpcDispatcher, ctx: NodeContext, index: AddressIndex): void {
  rpc.register(
    'getaddressutxos',
    'getaddressutxos {"addresses": ["address", …], "chainInfo"} or "address": unspent outputs (address, txid, outputIndex, script, satoshis, height), as fluxd.',
    (p) => {
      const q = addressQuery(p, ctx);
      const utxos = q.addresses.flatMap((address) =>
        index.coinsFor([scriptOf(address, ctx)]).map((c) => utxoJson(address, c)),
      );
      return withChainInfo(ctx, q, 'utxos', utxos);
    },
  );

  rpc.register(
    'getaddressbalance',
    'getaddressbalance {"addresses": [...]} or "address": balance and received, in satoshis, as fluxd.',
    (p) => {
      const q = addressQuery(p, ctx);
      let balance = 0n;
      let received = 0n;
      for (const address of q.addresses) {
        const script = scriptOf(address, ctx);
        balance += index.balance(script).total;
        for (const h of index.history(script, MAX_HISTORY)) if (h.delta > 0n) received += h.delta;
      }
      return { balance: Number(balance), received: Number(received) };
    },
  );

  rpc.register(
    'getaddresstxids',
    'getaddresstxids {"addresses": [...], "start", "end"} or "address": txids touching the addresses, oldest first, as fluxd.',
    (p) => {
      const q = addressQuery(p, ctx);
      const rows = q.addresses.flatMap((a) => historyOf(index, scriptOf(a, ctx), q));
      rows.sort((a, b) => a.height - b.height || a.position - b.position);
      return [...new Set(rows.map((r) => r.txid))];
    },
  );

  rpc.register(
    'getaddressdeltas',
    'getaddressdeltas {"addresses": [...], "start", "end", "chainInfo"} or "address": changes to the addresses (satoshis, txid, index, blockindex, height, address), as fluxd but one row per transaction and address with its net amount.',
    (p) => {
      const q = addressQuery(p, ctx);
      const deltas = q.addresses
        .flatMap((address) =>
          historyOf(index, scriptOf(address, ctx), q).map((h) => ({
            satoshis: Number(h.delta),
            txid: h.txid,
            index: 0,
            blockindex: h.position,
            height: h.height,
            address,
          })),
        )
        .sort((a, b) => a.height - b.height || a.blockindex - b.blockindex);
      return withChainInfo(ctx, q, 'deltas', deltas);
    },
  );

  rpc.register(
    'getaddressmempool',
    'getaddressmempool {"addresses": [...]} or "address": mempool changes to the addresses (address, txid, index, satoshis, timestamp, prevtxid, prevout), as fluxd.',
    (p) => {
      const q = addressQuery(p, ctx);
      const byScript = new Map(q.addresses.map((a) => [toHex(scriptOf(a, ctx)), a]));
      return mempoolDeltas(ctx.mempool, ctx, byScript);
    },
  );

  rpc.register(
    'verifymessage',
    'verifymessage "address" "signature" "message": true when the base64 signature of the message ("Zelcash Signed Message:\\n" magic) is by the address’s key, as fluxd.',
    (p) => {
      const address = param.string(p, 0, 'address', { maxLength: 100 })!;
      const signature = param.string(p, 1, 'signature', { maxLength: 200 })!;
      const message = param.string(p, 2, 'message', { maxLength: 100_000 })!;
      let decoded: ReturnType<typeof decodeAddress>;
      try {
        decoded = decodeAddress(address, prefixes(ctx.params));
      } catch (err) {
        if (err instanceof ConsensusError) throw new RpcError(RPC.TYPE_ERROR, 'Invalid address');
        throw err;
      }
      if (decoded.type !== 'p2pkh') throw new RpcError(RPC.TYPE_ERROR, 'Address does not refer to key');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(signature) || signature.length % 4 !== 0)
        throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Malformed base64 encoding');
      return verifyMessage(message, signature, decoded.hash);
    },
  );
}
