/**
 * fluxd's read-only chain state calls that explorers, pools and Electrum servers poll: difficulty,
 * chain tips, one unspent output, UTXO set totals, subsidy, network solution rate, the fee estimate
 * and the old `getinfo` summary. Field names and types are fluxd's; what fluxnode cannot know is
 * filled with fluxd's neutral value and listed in docs/api.md.
 */
import type { ChainEntry } from '../../chain/index.ts';
import { blockSubsidy, fromReverseHex } from '../../consensus/index.ts';
import type { NodeContext } from '../context.ts';
import { difficultyOf, fluxAmount, scriptJson } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { clientVersion, PROTOCOL_VERSION, relayFee } from './versions.ts';

/** What only the wallet knows, for `getinfo`'s wallet fields. */
export interface StateControls {
  walletBalance?: () => bigint;
  keypoolSize?: () => number;
}

export function registerStateMethods(rpc: RpcDispatcher, ctx: NodeContext, w: StateControls = {}): void {
  const { chain, params } = ctx;
  rpc.register('getdifficulty', 'Difficulty of the tip as a multiple of the easiest target.', () =>
    difficultyOf(chain.tip().bits, params),
  );
  rpc.register('getchaintips', 'Every known branch tip: height, hash, branchlen and status, as fluxd.', () =>
    chain.tips().map((e) => chainTipJson(ctx, e)),
  );
  rpc.register(
    'gettxout',
    'gettxout "txid" n ( includemempool ): an unspent output, or null when spent or unknown.',
    (p) => gettxout(ctx, p),
  );
  rpc.register('gettxoutsetinfo', 'Totals of the unspent output set at the tip.', () => {
    const s = chain.utxoStats();
    return {
      height: chain.height(),
      bestblock: chain.tip().id,
      transactions: 0,
      txouts: s.count,
      bytes_serialized: 0,
      hash_serialized: chain.utxoSetHash(),
      total_amount: fluxAmount(s.totalValue),
    };
  });
  rpc.register(
    'getblocksubsidy',
    'getblocksubsidy ( height ): the block subsidy in FLUX, as {"miner": x}.',
    (p) => {
      const h = heightParam(p, 0, 'height') ?? chain.height();
      return { miner: fluxAmount(blockSubsidy(h, params)) };
    },
  );
  const solps = (p: unknown[]) =>
    networkSolps(
      chain.tip(),
      param.int(p, 0, 'blocks', { optional: true }) ?? 120,
      param.int(p, 1, 'height', { optional: true }) ?? -1,
      params.difficulty.digishield.averagingWindow,
      (h) => chain.getEntry(h),
    );
  rpc.register(
    'getnetworksolps',
    'getnetworksolps ( blocks height ): solutions per second over the last blocks (default 120).',
    solps,
  );
  rpc.register(
    'getnetworkhashps',
    'getnetworkhashps ( blocks height ): the same as getnetworksolps (fluxd’s older name).',
    solps,
  );
  rpc.register(
    'estimatefee',
    'estimatefee nblocks: fee per kB in FLUX for confirmation within nblocks.',
    (p) => {
      param.int(p, 0, 'nblocks', { min: 0 });
      return relayFee(ctx);
    },
  );
  rpc.register(
    'getinfo',
    'Summary of the node: version, height, peers, difficulty, fees, wallet balance.',
    () => ({
      version: clientVersion(ctx.version),
      protocolversion: PROTOCOL_VERSION,
      ...(w.walletBalance ? { walletversion: 60000, balance: fluxAmount(w.walletBalance()) } : {}),
      blocks: chain.height(),
      timeoffset: 0,
      connections: ctx.peers().length,
      proxy: '',
      difficulty: difficultyOf(chain.tip().bits, params),
      testnet: params.network !== 'mainnet',
      ...(w.keypoolSize ? { keypoololdest: 0, keypoolsize: w.keypoolSize() } : {}),
      paytxfee: 0,
      relayfee: relayFee(ctx),
      errors: '',
    }),
  );
}

/** A height given as a number or as decimal text (fluxd-cli sends some heights as strings). */
export function heightParam(p: unknown[], i: number, name: string): number | undefined {
  // fluxd keeps heights in a signed 32-bit int: anything larger is bad input, not an internal error.
  const v = p[i];
  const max = 0x7fffffff;
  if (typeof v === 'string' && /^\d{1,10}$/.test(v) && Number(v) <= max) return Number(v);
  return param.int(p, i, name, { optional: true, min: 0, max });
}

function chainTipJson(ctx: NodeContext, tip: ChainEntry) {
  let fork: ChainEntry | null = tip;
  while (fork && !ctx.chain.isInMainChain(fork.hash)) fork = fork.parent;
  const active = fork === tip;
  const status = active
    ? 'active'
    : tip.status === 'invalid'
      ? 'invalid'
      : tip.status === 'valid'
        ? 'valid-fork'
        : tip.status === 'data'
          ? 'valid-headers'
          : 'headers-only';
  return { height: tip.height, hash: tip.id, branchlen: tip.height - (fork?.height ?? 0), status };
}

function gettxout(ctx: NodeContext, p: unknown[]) {
  const id = param.string(p, 0, 'txid')!.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new RpcError(RPC.INVALID_PARAMETER, `txid must be 64 hex digits, got "${id}"`);
  const n = param.int(p, 1, 'n', { min: 0 })!;
  const mempool = param.bool(p, 2, 'includemempool', true);
  const outpoint = { txid: fromReverseHex(id), index: n };
  const tip = ctx.chain.tip();
  if (mempool && ctx.mempool.isSpent(outpoint)) return null;
  const coin = ctx.chain.getUtxo(outpoint);
  if (coin)
    return {
      bestblock: tip.id,
      confirmations: tip.height - coin.height + 1,
      value: fluxAmount(coin.value),
      scriptPubKey: scriptJson(coin.scriptPubKey, ctx.params),
      version: txVersionOf(ctx, id, coin.height),
      coinbase: coin.coinbase,
    };
  const pooled = mempool ? ctx.mempool.get(id) : undefined;
  const out = pooled?.tx.outputs[n];
  if (!pooled || !out) return null;
  return {
    bestblock: tip.id,
    confirmations: 0,
    value: fluxAmount(out.value),
    scriptPubKey: scriptJson(out.scriptPubKey, ctx.params),
    version: pooled.tx.version,
    coinbase: false,
  };
}

/** The creating transaction's version, read through the tx index (1 when it is not indexed). */
function txVersionOf(ctx: NodeContext, id: string, height: number): number {
  const at = ctx.txIndex.locate(id);
  const e = ctx.chain.getEntry(at?.height ?? height);
  const tx = at && e ? ctx.chain.getBlock(e.hash)?.txs[at.position] : undefined;
  return tx?.version ?? 1;
}

/**
 * fluxd's estimate of solutions per second: the work of the last `lookup` blocks over the spread
 * of their times (0 when the chain is too short or the times coincide).
 */
export function networkSolps(
  tip: ChainEntry,
  lookup: number,
  height: number,
  window: number,
  at: (h: number) => ChainEntry | undefined,
): number {
  const end = height >= 0 && height < tip.height ? at(height) : tip;
  if (!end || end.height === 0) return 0;
  let n = lookup <= 0 ? window : lookup;
  if (n > end.height) n = end.height;
  let start = end;
  let minTime = end.time;
  let maxTime = end.time;
  for (let i = 0; i < n && start.parent; i++) {
    start = start.parent;
    minTime = Math.min(minTime, start.time);
    maxTime = Math.max(maxTime, start.time);
  }
  if (minTime === maxTime) return 0;
  return Math.trunc(Number(end.chainWork - start.chainWork) / (maxTime - minTime));
}
