/**
 * fluxd's raw transaction workshop: build an unsigned transaction from inputs and amounts
 * (`createrawtransaction`), sign what keys are at hand (`signrawtransaction`: keys given, or the
 * node wallet's), and read a script (`decodescript`). Transparent only, as fluxnode's wallet.
 */
import {
  branchIdAt,
  classifyScript,
  ConsensusError,
  decodeTransaction,
  decodeWif,
  encodeAddress,
  encodeTransaction,
  fromHex,
  fromReverseHex,
  hash160,
  publicKeyOf,
  reverseHex,
  scriptForAddress,
  signInputScript,
  toHex,
  type Transaction,
  type TxOut,
  verifyInputSignature,
} from '../../consensus/index.ts';
import { frameFor, unsignedTransaction, type Wallet } from '../../wallet/index.ts';
import type { NodeContext } from '../context.ts';
import { prefixes, scriptJson } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { addressParam } from './params.ts';
import { parseAmount } from './wallet-methods.ts';

const HEX_MAX = 8_000_000;

function decodeTxParam(p: unknown[]): Transaction {
  try {
    return decodeTransaction(fromHex(param.string(p, 0, 'hexstring', { maxLength: HEX_MAX })!, 'hexstring'));
  } catch (err) {
    if (err instanceof ConsensusError)
      throw new RpcError(RPC.DESERIALIZATION_ERROR, `TX decode failed: ${err.message}`);
    throw err;
  }
}

function txidParam(v: unknown, name: string): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v))
    throw new RpcError(RPC.INVALID_PARAMETER, `${name} must be 64 hex digits, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

function voutParam(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new RpcError(RPC.INVALID_PARAMETER, `Invalid parameter, ${name} must be a non-negative integer`);
  return v;
}

export function registerRawTxMethods(rpc: RpcDispatcher, ctx: NodeContext, wallet: Wallet | undefined): void {
  rpc.register(
    'createrawtransaction',
    'createrawtransaction [{"txid","vout"},…] {"address": amount,…} ( locktime expiryheight ): an unsigned transaction as hex.',
    (p) => toHex(encodeTransaction(createRaw(ctx, p))),
  );
  rpc.register(
    'decodescript',
    'decodescript "hex": the script’s asm, type, addresses and its P2SH address.',
    (p) => {
      const script = fromHex(param.string(p, 0, 'hexstring', { maxLength: 20_000 })!, 'hexstring');
      const { hex: _hex, ...json } = scriptJson(script, ctx.params);
      return { ...json, p2sh: encodeAddress('p2sh', hash160(script), prefixes(ctx.params)) };
    },
  );
  rpc.register(
    'signrawtransaction',
    'signrawtransaction "hex" ( [{"txid","vout","scriptPubKey","amount"},…] ["privatekey",…] ): signs the inputs it has keys for.',
    (p) => signRaw(ctx, wallet, p),
  );
}

function createRaw(ctx: NodeContext, p: unknown[]): Transaction {
  const inputs = p[0];
  const outputs = p[1];
  if (!Array.isArray(inputs)) throw new RpcError(RPC.TYPE_ERROR, 'inputs must be an array');
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))
    throw new RpcError(RPC.TYPE_ERROR, 'outputs must be an object of address: amount');
  const prevouts = inputs.map((i: unknown, n) => {
    const o = (i ?? {}) as { txid?: unknown; vout?: unknown };
    return { txid: fromReverseHex(txidParam(o.txid, `inputs[${n}].txid`)), index: voutParam(o.vout, 'vout') };
  });
  const outs: TxOut[] = Object.entries(outputs).map(([address, amount], n) => {
    addressParam([address], 0, `outputs address ${n + 1}`, ctx.params);
    return {
      value: parseAmount(amount, `amount for ${address}`),
      scriptPubKey: scriptForAddress(address, prefixes(ctx.params)),
    };
  });
  const tx = unsignedTransaction(frameFor(ctx.chain.height() + 1, ctx.params), prevouts, outs);
  const lockTime = param.int(p, 2, 'locktime', { optional: true, min: 0, max: 0xffffffff });
  const expiry = param.int(p, 3, 'expiryheight', { optional: true, min: 0, max: 499_999_999 });
  return {
    ...tx,
    lockTime: lockTime ?? 0,
    inputs: lockTime ? tx.inputs.map((i) => ({ ...i, sequence: 0xfffffffe })) : tx.inputs,
    expiryHeight: tx.overwintered ? (expiry ?? tx.expiryHeight) : 0,
  };
}

/** The output an input spends: given by the caller, or from the UTXO set or the mempool. */
function spentOutput(
  ctx: NodeContext,
  given: Map<string, TxOut>,
  txidHex: string,
  index: number,
): TxOut | undefined {
  const key = `${txidHex}:${index}`;
  const g = given.get(key);
  if (g) return g;
  const outpoint = { txid: fromReverseHex(txidHex), index };
  return ctx.chain.getUtxo(outpoint) ?? ctx.mempool.output(outpoint);
}

function givenPrevouts(p: unknown[]): Map<string, TxOut> {
  const given = new Map<string, TxOut>();
  const list = p[1];
  if (list === undefined || list === null) return given;
  if (!Array.isArray(list)) throw new RpcError(RPC.TYPE_ERROR, 'prevtxs must be an array');
  for (const [n, raw] of list.entries()) {
    const o = (raw ?? {}) as { txid?: unknown; vout?: unknown; scriptPubKey?: unknown; amount?: unknown };
    const id = txidParam(o.txid, `prevtxs[${n}].txid`);
    if (typeof o.scriptPubKey !== 'string')
      throw new RpcError(RPC.TYPE_ERROR, `prevtxs[${n}].scriptPubKey must be hex`);
    given.set(`${id}:${voutParam(o.vout, 'vout')}`, {
      scriptPubKey: fromHex(o.scriptPubKey, 'scriptPubKey'),
      value: o.amount === undefined ? 0n : parseAmount(o.amount, `prevtxs[${n}].amount`),
    });
  }
  return given;
}

function givenKeys(ctx: NodeContext, p: unknown[]): Map<string, { key: Uint8Array; compressed: boolean }> {
  const keys = new Map<string, { key: Uint8Array; compressed: boolean }>();
  const list = p[2];
  if (list === undefined || list === null) return keys;
  if (!Array.isArray(list)) throw new RpcError(RPC.TYPE_ERROR, 'privatekeys must be an array');
  for (const wif of list) {
    try {
      const d = decodeWif(String(wif), ctx.params.base58.secretKey);
      keys.set(toHex(hash160(publicKeyOf(d.privateKey, d.compressed))), {
        key: d.privateKey,
        compressed: d.compressed,
      });
    } catch {
      throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid private key');
    }
  }
  return keys;
}

function signRaw(ctx: NodeContext, wallet: Wallet | undefined, p: unknown[]) {
  let tx = decodeTxParam(p);
  const given = givenPrevouts(p);
  const keys = givenKeys(ctx, p);
  const branch = branchIdAt(ctx.chain.height() + 1, ctx.params);
  const errors: { txid: string; vout: number; scriptSig: string; sequence: number; error: string }[] = [];
  tx.inputs.forEach((input, i) => {
    const id = reverseHex(input.prevout.txid);
    const fail = (error: string) =>
      errors.push({
        txid: id,
        vout: input.prevout.index,
        scriptSig: toHex(tx.inputs[i]?.scriptSig ?? input.scriptSig),
        sequence: input.sequence,
        error,
      });
    const spent = spentOutput(ctx, given, id, input.prevout.index);
    if (!spent) {
      fail('Input not found or already spent');
      return;
    }
    const key = keyFor(spent.scriptPubKey, keys, wallet);
    if (key) {
      const scriptSig = signInputScript(tx, i, key.key, spent, branch, { compressed: key.compressed });
      tx = { ...tx, inputs: tx.inputs.map((x, n) => (n === i ? { ...x, scriptSig } : x)) };
    }
    try {
      verifyInputSignature(tx, i, spent, branch);
    } catch (err) {
      fail((err as Error).message);
    }
  });
  return {
    hex: toHex(encodeTransaction(tx)),
    complete: errors.length === 0,
    ...(errors.length ? { errors } : {}),
  };
}

function keyFor(
  script: Uint8Array,
  keys: Map<string, { key: Uint8Array; compressed: boolean }>,
  wallet: Wallet | undefined,
): { key: Uint8Array; compressed: boolean } | undefined {
  const t = classifyScript(script);
  if (t.type === 'p2pkh') {
    const k = keys.get(toHex(t.hash));
    if (k) return k;
  }
  const w = wallet?.keyForScript(script);
  return w ? { key: w.privateKey, compressed: w.compressed } : undefined;
}
