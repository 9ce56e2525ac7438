import {
  COIN,
  ConsensusError,
  decodeAddress,
  encodeWif,
  isTier,
  reverseHex,
  signMessageBase64,
  TIERS,
  toHex,
} from '../../consensus/index.ts';
import { InsufficientFundsError, type Wallet } from '../../wallet/index.ts';
import type { NodeContext } from '../context.ts';
import { fluxAmount, prefixes } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { addressParam } from './params.ts';

export interface WalletControls {
  wallet: Wallet;
  /** Writes the wallet file (after new keys). */
  save: () => void;
  operator: {
    start: (collateral: string) => Promise<string>;
    status: () => Record<string, unknown>;
  };
}

/** FLUX amount given as a JSON number or string, to satoshis; at most 8 decimals. */
export function parseAmount(v: unknown, name: string): bigint {
  const text = typeof v === 'number' ? v.toFixed(8) : typeof v === 'string' ? v.trim() : '';
  const [, whole, frac = ''] = /^(\d+)(?:\.(\d{1,8}))?$/.exec(text) ?? [];
  if (whole === undefined)
    throw new RpcError(
      RPC.TYPE_ERROR,
      `${name} must be a positive FLUX amount with at most 8 decimals, got ${JSON.stringify(v)}`,
    );
  const sats = BigInt(whole) * COIN + BigInt(frac.padEnd(8, '0'));
  if (sats <= 0n) throw new RpcError(RPC.TYPE_ERROR, `${name} must be more than zero`);
  return sats;
}

/** fluxd's listunspent: filters by confirmations and address, amounts as numbers. */
function listUnspent(ctx: NodeContext, wallet: Wallet, p: unknown[]) {
  const minconf = param.int(p, 0, 'minconf', { optional: true, min: 0 }) ?? 1;
  const maxconf = param.int(p, 1, 'maxconf', { optional: true, min: 0 }) ?? 9_999_999;
  const filter = p[2];
  if (filter !== undefined && filter !== null && !Array.isArray(filter))
    throw new RpcError(RPC.TYPE_ERROR, 'addresses must be an array of addresses');
  const wanted = new Set<string>();
  for (const [i] of (filter ?? []).entries()) {
    const a = addressParam(filter as unknown[], i, 'address', ctx.params)!;
    if (wanted.has(a))
      throw new RpcError(RPC.INVALID_PARAMETER, `Invalid parameter, duplicated address: ${a}`);
    wanted.add(a);
  }
  const tip = ctx.chain.height();
  return wallet
    .coins()
    .filter((c) => c.status === 'spendable')
    .map((c) => ({ c, confirmations: tip - c.height + 1 }))
    .filter(
      ({ c, confirmations }) =>
        confirmations >= minconf && confirmations <= maxconf && (wanted.size === 0 || wanted.has(c.address)),
    )
    .map(({ c, confirmations }) => ({
      txid: reverseHex(c.outpoint.txid),
      vout: c.outpoint.index,
      generated: c.coinbase,
      address: c.address,
      scriptPubKey: toHex(c.scriptPubKey),
      amount: fluxAmount(c.value),
      amountZat: Number(c.value),
      confirmations,
      spendable: true,
    }));
}

export function walletError(err: unknown): never {
  if (err instanceof InsufficientFundsError) throw new RpcError(RPC.WALLET_ERROR, err.message);
  if (err instanceof ConsensusError) throw new RpcError(RPC.VERIFY_REJECTED, `${err.rule}: ${err.message}`);
  if (err instanceof Error && err.name === 'WalletError') throw new RpcError(RPC.WALLET_ERROR, err.message);
  throw err;
}

export function registerWalletMethods(rpc: RpcDispatcher, ctx: NodeContext, w: WalletControls): void {
  rpc.register('getnewaddress', 'getnewaddress ( "label" ): a new address of this node’s wallet.', (p) => {
    const address = w.wallet.newAddress(
      param.string(p, 0, 'label', { optional: true, maxLength: 256 }) ?? '',
    );
    w.save();
    return address;
  });
  rpc.register('listaddresses', 'Addresses of this wallet with their labels.', () =>
    w.wallet.listAddresses(),
  );
  rpc.register('getbalance', 'Spendable balance in FLUX.', () => fluxAmount(w.wallet.balance().spendable));
  rpc.register(
    'getwalletinfo',
    'Balances (spendable, immature coinbase, locked collateral) and key count.',
    () => {
      const b = w.wallet.balance();
      return {
        balance: fluxAmount(b.spendable),
        immature_balance: fluxAmount(b.immature),
        locked_balance: fluxAmount(b.locked),
        total_balance: fluxAmount(b.total),
        keypoolsize: w.wallet.listAddresses().length,
      };
    },
  );
  rpc.register(
    'signmessage',
    'signmessage "address" "message": the base64 signature of the message by the address’s key in this wallet ("Zelcash Signed Message:\n" magic), as fluxd.',
    (p) => {
      const address = param.string(p, 0, 'address', { maxLength: 100 })!;
      const message = param.string(p, 1, 'message', { maxLength: 100_000 })!;
      let type: string;
      try {
        type = decodeAddress(address, prefixes(ctx.params)).type;
      } catch (err) {
        if (err instanceof ConsensusError) throw new RpcError(RPC.TYPE_ERROR, 'Invalid address');
        throw err;
      }
      if (type !== 'p2pkh') throw new RpcError(RPC.TYPE_ERROR, 'Address does not refer to key');
      const key = w.wallet.keys.get(address);
      if (!key) throw new RpcError(RPC.WALLET_ERROR, 'Private key not available');
      return signMessageBase64(message, key.privateKey, { compressed: key.compressed });
    },
  );
  rpc.register(
    'dumpprivkey',
    'dumpprivkey "address": the private key of a key address in this wallet, WIF, as fluxd (-3 invalid address or not a key address, -4 key not in the wallet).',
    (p) => {
      const address = param.string(p, 0, 'address', { maxLength: 100 })!;
      let type: string;
      try {
        type = decodeAddress(address, prefixes(ctx.params)).type;
      } catch (err) {
        if (err instanceof ConsensusError) throw new RpcError(RPC.TYPE_ERROR, 'Invalid Flux address');
        throw err;
      }
      if (type !== 'p2pkh') throw new RpcError(RPC.TYPE_ERROR, 'Address does not refer to a key');
      const key = w.wallet.keys.get(address);
      if (!key) throw new RpcError(RPC.WALLET_ERROR, `Private key for address ${address} is not known`);
      return encodeWif(key.privateKey, ctx.params.base58.secretKey, key.compressed);
    },
  );
  rpc.register(
    'listunspent',
    'listunspent ( minconf maxconf ["address",…] ): spendable coins of this wallet, as fluxd (no immature coinbase, no locked collateral).',
    (p) => listUnspent(ctx, w.wallet, p),
  );
  rpc.register(
    'listcoins',
    'Every coin of this wallet with its status (spendable, immature, locked, pending).',
    () =>
      w.wallet.coins().map((c) => ({
        txid: reverseHex(c.outpoint.txid),
        vout: c.outpoint.index,
        amount: fluxAmount(c.value),
        satoshis: Number(c.value),
        height: c.height,
        status: c.status,
      })),
  );
  rpc.register('sendtoaddress', 'sendtoaddress "address" amount: pay FLUX; returns the txid.', async (p) => {
    const address = addressParam(p, 0, 'address', ctx.params)!;
    const amount = parseAmount(p[1], 'amount');
    try {
      const payment = w.wallet.createPayment({ to: [{ address, amount }] });
      try {
        await ctx.acceptTransaction(payment.tx);
      } catch (err) {
        w.wallet.release(payment);
        throw err;
      }
      return payment.txid;
    } catch (err) {
      return walletError(err);
    }
  });
  rpc.register(
    'createfluxnode',
    `createfluxnode "tier": pays the exact collateral of a tier (${TIERS.join(', ')}) to a new address; returns the collateral outpoint.`,
    async (p) => {
      const tier = param.string(p, 0, 'tier')!.toLowerCase();
      if (!isTier(tier))
        throw new RpcError(RPC.INVALID_PARAMETER, `tier must be one of ${TIERS.join(', ')}, got "${tier}"`);
      try {
        const payment = w.wallet.createCollateral(tier);
        w.save();
        try {
          await ctx.acceptTransaction(payment.tx);
        } catch (err) {
          w.wallet.release(payment);
          throw err;
        }
        return {
          collateral: `${payment.txid}:${payment.collateral.index}`,
          address: payment.address,
          tier,
          amount: fluxAmount(payment.amount),
        };
      } catch (err) {
        return walletError(err);
      }
    },
  );
  rpc.register(
    'startfluxnode',
    'startfluxnode "txid:n": sends the START for that collateral; the node then confirms by itself.',
    async (p) => {
      const collateral = param.string(p, 0, 'collateral')!;
      if (!/^[0-9a-fA-F]{64}:\d+$/.test(collateral))
        throw new RpcError(RPC.INVALID_PARAMETER, `collateral must be "txid:n", got "${collateral}"`);
      try {
        return { txid: await w.operator.start(collateral.toLowerCase()), collateral };
      } catch (err) {
        return walletError(err);
      }
    },
  );
  rpc.register('getfluxnodestatus', 'This node’s fluxnode status: collateral, tier, confirmations.', () =>
    w.operator.status(),
  );
}
