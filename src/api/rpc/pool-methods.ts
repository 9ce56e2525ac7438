/** The staking pool over JSON-RPC (a node started with `--pool`). */
import type { NodeContext } from '../context.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import {
  type PoolControls,
  poolInfoJson,
  poolJournalJson,
  poolStakerJson,
  poolVerifyJson,
} from '../pool-json.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { addressParam } from './params.ts';
import { parseAmount, walletError } from './wallet-methods.ts';
import { EconomyError } from '../../economy/index.ts';

function poolOf(pool: PoolControls | undefined): PoolControls {
  if (!pool) throw new RpcError(RPC.MISC_ERROR, 'this node runs no staking pool (start it with --pool)');
  return pool;
}

async function send(fn: () => Promise<string>): Promise<string> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EconomyError) throw new RpcError(RPC.WALLET_ERROR, err.message);
    return walletError(err);
  }
}

export function registerPoolMethods(
  rpc: RpcDispatcher,
  ctx: NodeContext,
  pool: PoolControls | undefined,
): void {
  rpc.register(
    'getpoolinfo',
    'The staking pool: address, fee, notice, totals, node slots and its Stratus node.',
    () => poolInfoJson(poolOf(pool)),
  );
  rpc.register(
    'getpoolstaker',
    'getpoolstaker "address": a holder’s stake, share, rewards earned and pending withdrawals.',
    (p) => {
      const address = addressParam(p, 0, 'address', ctx.params)!;
      const s = poolStakerJson(poolOf(pool), address);
      if (!s) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `${address} has never staked in this pool`);
      return s;
    },
  );
  rpc.register('getpooljournal', 'getpooljournal ( from ): the pool’s journal entries from `from` on.', (p) =>
    poolJournalJson(poolOf(pool), param.int(p, 0, 'from', { optional: true, min: 0 }) ?? 0),
  );
  rpc.register(
    'verifypool',
    'Replays the pool’s journal and recomputes it from the chain: both must equal the live books.',
    () => poolVerifyJson(poolOf(pool)),
  );
  rpc.register(
    'poolstake',
    'poolstake "holder" amount: stakes FLUX of a holder address in this node’s wallet (a payment to the pool with the stake marker); returns the txid.',
    (p) => {
      const holder = addressParam(p, 0, 'holder', ctx.params)!;
      const amount = parseAmount(p[1], 'amount');
      return send(() => poolOf(pool).stake(holder, amount));
    },
  );
  rpc.register(
    'poolwithdraw',
    'poolwithdraw "holder" amount: asks the pool to pay FLUX of the holder’s stake back after its notice period; returns the txid of the request.',
    (p) => {
      const holder = addressParam(p, 0, 'holder', ctx.params)!;
      const amount = parseAmount(p[1], 'amount');
      return send(() => poolOf(pool).withdraw(holder, amount));
    },
  );
}
