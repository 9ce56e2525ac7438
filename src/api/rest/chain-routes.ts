import type { ChainEntry } from '../../chain/index.ts';
import { decodeBlock, p2pkhScript, p2shScript } from '../../consensus/index.ts';
import type { ApiServer } from '../http-server.ts';
import { blockJson, difficultyOf, txJson } from '../json.ts';
import { BlockSummaryCache, summarizeBlock } from './block-summary.ts';
import type { RestContext } from './providers.ts';
import type { BlockSummary } from './types.ts';
import { addressParam, blockRef, intParam, notFound, txidParam } from './validate.ts';
import { HttpError } from '../http-server.ts';

/** Block summaries with payouts, cached by hash; shared by the block routes and the `block` event. */
export class BlockSummaries {
  private readonly ctx: RestContext;
  private readonly cache = new BlockSummaryCache();

  constructor(ctx: RestContext) {
    this.ctx = ctx;
  }

  of(e: ChainEntry): BlockSummary {
    return this.cache.get(e.id, () => {
      const bytes = this.ctx.chain.getBlockBytes(e.hash);
      if (!bytes) throw notFound(`block ${e.id} is known by its header only`);
      return summarizeBlock(decodeBlock(bytes), e, bytes.length, this.ctx.params, this.ctx.registry().list());
    });
  }

  /** The `limit` main-chain blocks below `before` (default: from the tip), newest first. */
  latest(limit: number, before?: number): BlockSummary[] {
    const { chain } = this.ctx;
    const top = Math.min(chain.height(), before === undefined ? chain.height() : before - 1);
    const out: BlockSummary[] = [];
    for (let h = top; h >= 0 && out.length < limit; h--) {
      const e = chain.getEntry(h);
      if (e) out.push(this.of(e));
    }
    return out;
  }
}

function entryOr404(ctx: RestContext, ref: number | string): ChainEntry {
  const e = ctx.chain.getEntry(ref);
  if (!e)
    throw notFound(
      typeof ref === 'number'
        ? `no block at height ${ref} (tip is ${ctx.chain.height()})`
        : `block ${ref} not found`,
    );
  return e;
}

export function registerChainRoutes(api: ApiServer, ctx: RestContext, blocks: BlockSummaries): void {
  const { chain, params } = ctx;

  api.get('/chain/info', () => {
    const tip = chain.tip();
    return {
      network: params.network,
      version: ctx.version,
      height: tip.height,
      bestHash: tip.id,
      tipTime: tip.time,
      headers: chain.bestHeader().height,
      difficulty: difficultyOf(tip.bits, params),
      chainwork: tip.chainWork.toString(16).padStart(64, '0'),
      mempool: { count: ctx.mempool.size, bytes: ctx.mempool.totalBytes },
      peers: ctx.peers().length,
      targetSpacing: params.difficulty.targetSpacing,
    };
  });

  api.get('/chain/blocks', ({ query }) => {
    const limit = intParam(query, 'limit', { min: 1, max: 100, fallback: 10 });
    const before = intParam(query, 'before', { min: 1, max: 0xffffffff });
    return blocks.latest(limit, before);
  });

  api.get('/chain/block/:ref', ({ params: p, query }) => {
    const e = entryOr404(ctx, blockRef(p.ref));
    const bytes = chain.getBlockBytes(e.hash);
    if (!bytes) throw notFound(`block ${e.id} is known by its header only`);
    const verbose = query.get('verbose');
    if (verbose !== null && verbose !== 'true' && verbose !== 'false')
      throw new HttpError(400, `verbose ${JSON.stringify(verbose)} is not valid: expected true or false`);
    const inMain = chain.isInMainChain(e.hash);
    const next = inMain ? chain.getEntry(e.height + 1) : undefined;
    const confirmations = inMain ? chain.height() - e.height + 1 : -1;
    return {
      ...blockJson(decodeBlock(bytes), e, confirmations, next, params, bytes.length, verbose === 'true'),
      summary: blocks.of(e),
    };
  });

  api.get('/chain/tx/:txid', ({ params: p }) => {
    const id = txidParam(p.txid);
    const pooled = ctx.mempool.get(id);
    if (pooled) return txJson(pooled.tx, params, { confirmations: 0, inMempool: true });
    const at = ctx.txIndex.locate(id);
    if (!at) throw notFound(`transaction ${id} is neither in the chain nor in the mempool`);
    const e = chain.getEntry(at.height)!;
    const tx = chain.getBlock(e.hash)?.txs[at.position];
    if (!tx) throw notFound(`transaction ${id} is indexed at a block position that holds none`);
    return txJson(tx, params, {
      blockhash: e.id,
      height: e.height,
      confirmations: chain.height() - e.height + 1,
      time: e.time,
    });
  });

  api.get('/chain/address/:address', ({ params: p, query }) => {
    const addr = addressParam(p.address, params);
    const limit = intParam(query, 'limit', { min: 1, max: 500, fallback: 50 });
    const before = intParam(query, 'before', { min: 1, max: 0xffffffff });
    if (!ctx.addressIndex) throw new HttpError(501, 'this node keeps no address index');
    const script = addr.type === 'p2pkh' ? p2pkhScript(addr.hash) : p2shScript(addr.hash);
    const balance = ctx.addressIndex.balance(script);
    const history = ctx.addressIndex.history(script, limit, before);
    return {
      address: p.address,
      type: addr.type,
      balanceSat: balance.total,
      spendableSat: balance.spendable,
      immatureSat: balance.immature,
      utxos: balance.coins,
      history: history.map((h) => ({
        txid: h.txid,
        height: h.height,
        time: chain.getEntry(h.height)?.time ?? null,
        deltaSat: h.delta,
      })),
    };
  });
}
