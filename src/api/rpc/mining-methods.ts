import { scriptForAddress } from '../../consensus/index.ts';
import { buildBlockTemplate, templateToJson } from '../../mining/index.ts';
import type { NodeContext } from '../context.ts';
import { difficultyOf, prefixes } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { addressParam } from './params.ts';

/** What mining RPCs need beyond the node context: the local miner's controls. */
export interface MiningControls {
  /** Address block rewards go to when a template or the local miner does not say otherwise. */
  defaultMinerAddress: () => string | undefined;
  /** `maxBlocks`: a fresh miner that stops by itself after finding that many blocks. */
  setGenerate: (on: boolean, address?: string, maxBlocks?: number) => void | Promise<void>;
  minerStats: () => { running: boolean; hashesPerSecond: number; blocksFound: number } | undefined;
}

export function registerMiningMethods(rpc: RpcDispatcher, ctx: NodeContext, controls: MiningControls): void {
  rpc.register(
    'getblocktemplate',
    'getblocktemplate ( {"mineraddress": "t1…"} ): a block to mine on the current tip, in fluxd’s format.',
    (p) => {
      const request = (p[0] ?? {}) as { mineraddress?: unknown };
      if (typeof request !== 'object' || request === null || Array.isArray(request))
        throw new RpcError(RPC.INVALID_PARAMETER, 'template request must be an object');
      if (request.mineraddress !== undefined && typeof request.mineraddress !== 'string')
        throw new RpcError(RPC.TYPE_ERROR, 'mineraddress must be a string');
      const address =
        typeof request.mineraddress === 'string' ? request.mineraddress : controls.defaultMinerAddress();
      if (!address) {
        throw new RpcError(
          RPC.INVALID_PARAMETER,
          'no miner address: pass {"mineraddress": "<address>"} or start the node with --mine-to',
        );
      }
      let minerScript: Uint8Array;
      try {
        minerScript = scriptForAddress(address, prefixes(ctx.params));
      } catch (err) {
        throw new RpcError(
          RPC.INVALID_ADDRESS_OR_KEY,
          `invalid miner address ${address}: ${(err as Error).message}`,
        );
      }
      const t = buildBlockTemplate({
        chain: ctx.chain,
        params: ctx.params,
        mempool: ctx.mempool,
        payees: (h) => ctx.registry().payees(h),
        minerScript,
        time: Math.floor(Date.now() / 1000),
      });
      return templateToJson(t, ctx.params);
    },
  );

  rpc.register('getmininginfo', 'Mining state: height, difficulty, local miner.', () => {
    const tip = ctx.chain.tip();
    const stats = controls.minerStats();
    return {
      blocks: tip.height,
      difficulty: difficultyOf(tip.bits, ctx.params),
      pooledtx: ctx.mempool.size,
      chain: ctx.params.network,
      generate: stats?.running ?? false,
      localsolps: stats?.hashesPerSecond ?? 0,
      /** Blocks the current (or last) CPU miner run found. */
      blocksfound: stats?.blocksFound ?? 0,
    };
  });

  rpc.register(
    'setgenerate',
    'setgenerate on ( "address" blocks ): start or stop the CPU miner; with blocks, it stops after mining exactly that many.',
    async (p) => {
      const on = param.bool(p, 0, 'generate', true);
      const address = addressParam(p, 1, 'address', ctx.params, { optional: true });
      const blocks = param.int(p, 2, 'blocks', { optional: true, min: 1, max: 1_000_000 });
      if (!on && blocks !== undefined)
        throw new RpcError(RPC.INVALID_PARAMETER, 'blocks is only for setgenerate true');
      if (address) {
        try {
          scriptForAddress(address, prefixes(ctx.params));
        } catch (err) {
          throw new RpcError(
            RPC.INVALID_ADDRESS_OR_KEY,
            `invalid address ${address}: ${(err as Error).message}`,
          );
        }
      }
      await controls.setGenerate(on, address, blocks);
      return null;
    },
  );
}
