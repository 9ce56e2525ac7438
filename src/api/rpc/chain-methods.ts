import { isIP } from 'node:net';
import {
  branchIdAt,
  ConsensusError,
  type ConsensusParams,
  decodeAddress,
  decodeBlock,
  decodeTransaction,
  encodeHeader,
  encodeTransaction,
  fromHex,
  scriptForAddress,
  reverseHex,
  toHex,
  txid,
  UPGRADE_ORDER,
} from '../../consensus/index.ts';
import type { NodeContext } from '../context.ts';
import { blockJson, difficultyOf, fluxAmount, headerJson, prefixes, txJson } from '../json.ts';
import { param, type RpcDispatcher } from '../jsonrpc.ts';
import { RPC, RpcError } from '../rpc-errors.ts';
import { must } from '../../consensus/index.ts';
import { heightParam } from './state-methods.ts';
import { clientVersion, PROTOCOL_VERSION, relayFee } from './versions.ts';

/** Hex of a block or transaction: the request body cap (4 MB) is the real bound. */
const HEX_MAX = 8_000_000;

/** Resolves a block hash (display hex) to its entry, or fails with fluxd's error. */
function entryFor(ctx: NodeContext, hash: string) {
  if (!/^[0-9a-fA-F]{64}$/.test(hash))
    throw new RpcError(RPC.INVALID_PARAMETER, `blockhash must be 64 hex digits, got "${hash}"`);
  const e = ctx.chain.getEntry(hash.toLowerCase());
  if (!e) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `Block not found: ${hash}`);
  return e;
}

function confirmationsOf(ctx: NodeContext, height: number, hash: string): number {
  return ctx.chain.isInMainChain(hash) ? ctx.chain.height() - height + 1 : -1;
}

function rejectReason(err: unknown): never {
  if (err instanceof ConsensusError) throw new RpcError(RPC.VERIFY_REJECTED, `${err.rule}: ${err.message}`);
  throw err;
}

/** The chain, raw transaction, mempool and network calls of fluxd's RPC. */
export function registerChainMethods(rpc: RpcDispatcher, ctx: NodeContext): void {
  const { chain, params } = ctx;

  rpc.register('getblockcount', 'Height of the most-work fully validated chain.', () => chain.height());
  rpc.register('getbestblockhash', 'Hash of the tip block.', () => chain.tip().id);
  rpc.register('getblockhash', 'getblockhash height: hash of the main-chain block at height.', (p) => {
    const h = heightParam(p, 0, 'height');
    if (h === undefined) throw new RpcError(RPC.INVALID_PARAMS, 'missing parameter 1 (height)');
    if (h > chain.height())
      throw new RpcError(RPC.INVALID_PARAMETER, `Block height out of range: ${h} > tip ${chain.height()}`);
    return chain.getEntry(h)!.id;
  });

  rpc.register(
    'getblockchaininfo',
    'State of the chain: network, height, best hash, difficulty, work, upgrades.',
    () => {
      const tip = chain.tip();
      return {
        chain: params.network === 'mainnet' ? 'main' : params.network === 'testnet' ? 'test' : params.network,
        blocks: tip.height,
        headers: chain.bestHeader().height,
        bestblockhash: tip.id,
        difficulty: difficultyOf(tip.bits, params),
        mediantime: medianTimePast(ctx),
        verificationprogress: chain.bestHeader().height === 0 ? 1 : tip.height / chain.bestHeader().height,
        chainwork: tip.chainWork.toString(16).padStart(64, '0'),
        size_on_disk: 0,
        pruned: false,
        upgrades: upgradesJson(params, tip.height),
        consensus: {
          chaintip: branchHex(branchIdAt(tip.height, params)),
          nextblock: branchHex(branchIdAt(tip.height + 1, params)),
        },
      };
    },
  );

  rpc.register(
    'getblock',
    'getblock "hash|height" ( verbosity ): 0 = hex, 1 = JSON with txids, 2 = JSON with transactions.',
    (p) => {
      const ref = p[0];
      let hash: string;
      // A number, or text shorter than a hash, is a height (fluxd-cli sends `getblock 618` as text).
      if (typeof ref === 'number' || (typeof ref === 'string' && ref.length < 64)) {
        const h = typeof ref === 'number' ? ref : /^-?\d{1,10}$/.test(ref) ? Number(ref) : Number.NaN;
        if (!Number.isInteger(h) || h < 0 || h > chain.height())
          throw new RpcError(RPC.INVALID_PARAMETER, `Block height out of range: ${JSON.stringify(ref)}`);
        hash = chain.getEntry(h)!.id;
      } else hash = param.string(p, 0, 'blockhash')!;
      const e = entryFor(ctx, hash);
      const verbosity =
        typeof p[1] === 'boolean'
          ? p[1]
            ? 1
            : 0
          : (param.int(p, 1, 'verbosity', { optional: true, min: 0, max: 2 }) ?? 1);
      const bytes = chain.getBlockBytes(e.hash);
      if (!bytes)
        throw new RpcError(RPC.MISC_ERROR, `Block not available (only its header is known): ${e.id}`);
      if (verbosity === 0) return toHex(bytes);
      const block = decodeBlock(bytes);
      const next = chain.isInMainChain(e.hash) ? chain.getEntry(e.height + 1) : undefined;
      return blockJson(
        block,
        e,
        confirmationsOf(ctx, e.height, e.id),
        next,
        params,
        bytes.length,
        verbosity === 2,
      );
    },
  );

  rpc.register(
    'getblockheader',
    'getblockheader "hash" ( verbose ): header as JSON, or hex when verbose is false.',
    (p) => {
      const e = entryFor(ctx, param.string(p, 0, 'blockhash')!);
      const info = chain.getHeader(e.hash)!;
      if (!param.bool(p, 1, 'verbose', true)) return toHex(encodeHeader(info.header));
      const next = info.inMainChain ? chain.getEntry(e.height + 1) : undefined;
      return headerJson(info.header, e, confirmationsOf(ctx, e.height, e.id), next, params);
    },
  );

  rpc.register(
    'getrawtransaction',
    'getrawtransaction "txid" ( verbose ): a transaction from the mempool or the chain.',
    (p) => {
      const id = param.string(p, 0, 'txid')!.toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(id))
        throw new RpcError(RPC.INVALID_PARAMETER, `txid must be 64 hex digits, got "${id}"`);
      const verbose = typeof p[1] === 'number' ? p[1] !== 0 : param.bool(p, 1, 'verbose', false);
      const pooled = ctx.mempool.get(id);
      if (pooled)
        return verbose
          ? txJson(pooled.tx, params, { confirmations: 0 })
          : toHex(encodeTransaction(pooled.tx));
      const at = ctx.txIndex.locate(id);
      if (!at)
        throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `No information available about transaction ${id}`);
      const e = chain.getEntry(at.height)!;
      const tx = chain.getBlock(e.hash)?.txs[at.position];
      if (!tx)
        throw new RpcError(
          RPC.INTERNAL_ERROR,
          `transaction ${id} is indexed at a block position that holds none`,
        );
      if (!verbose) return toHex(encodeTransaction(tx));
      return txJson(tx, params, {
        blockhash: e.id,
        height: e.height,
        confirmations: chain.height() - e.height + 1,
        time: e.time,
        blocktime: e.time,
      });
    },
  );

  rpc.register('decoderawtransaction', 'decoderawtransaction "hex": the transaction as JSON.', (p) => {
    try {
      return txJson(
        decodeTransaction(fromHex(param.string(p, 0, 'hexstring', { maxLength: HEX_MAX })!, 'hexstring')),
        params,
      );
    } catch (err) {
      if (err instanceof ConsensusError)
        throw new RpcError(RPC.DESERIALIZATION_ERROR, `TX decode failed: ${err.message}`);
      throw err;
    }
  });

  rpc.register(
    'sendrawtransaction',
    'sendrawtransaction "hex": validate, add to the mempool and relay; returns the txid.',
    async (p) => {
      let tx: ReturnType<typeof decodeTransaction>;
      try {
        tx = decodeTransaction(
          fromHex(param.string(p, 0, 'hexstring', { maxLength: HEX_MAX })!, 'hexstring'),
        );
      } catch (err) {
        if (err instanceof ConsensusError)
          throw new RpcError(RPC.DESERIALIZATION_ERROR, `TX decode failed: ${err.message}`);
        throw err;
      }
      const id = reverseHex(txid(tx));
      // fluxd answers a transaction it already holds in its mempool with the txid; -27 is for one
      // already in a block.
      if (ctx.mempool.has(id)) return id;
      if (ctx.txIndex.locate(id))
        throw new RpcError(RPC.VERIFY_ALREADY_IN_CHAIN, 'transaction already in block chain');
      try {
        return (await ctx.acceptTransaction(tx)).txid;
      } catch (err) {
        if (err instanceof ConsensusError && err.rule === 'txn-already-in-mempool') return id;
        return rejectReason(err);
      }
    },
  );

  rpc.register(
    'submitblock',
    'submitblock "hex": null when accepted, else the reason (fluxd style).',
    async (p) => {
      let block: ReturnType<typeof decodeBlock>;
      try {
        block = decodeBlock(fromHex(param.string(p, 0, 'hexdata', { maxLength: HEX_MAX })!, 'hexdata'));
      } catch (err) {
        if (err instanceof ConsensusError)
          throw new RpcError(RPC.DESERIALIZATION_ERROR, `Block decode failed: ${err.message}`);
        throw err;
      }
      const r = await ctx.submitBlock(block);
      if (r.status === 'connected') return null;
      if (r.status === 'duplicate') return 'duplicate';
      if (r.status === 'side-branch') return 'inconclusive';
      if (r.status === 'orphan') return 'orphan: parent unknown';
      return `rejected: ${r.rule}${r.reason ? ` (${r.reason})` : ''}`;
    },
  );

  rpc.register('getmempoolinfo', 'Mempool size, bytes and fee floor.', () => ({
    size: ctx.mempool.size,
    bytes: ctx.mempool.totalBytes,
    usage: ctx.mempool.totalBytes,
  }));
  rpc.register('getrawmempool', 'getrawmempool ( verbose ): txids in the mempool.', (p) => {
    const entries = ctx.mempool.all();
    if (!param.bool(p, 0, 'verbose', false)) return entries.map((e) => e.txid);
    return Object.fromEntries(
      entries.map((e) => [
        e.txid,
        {
          size: e.size,
          fee: fluxAmount(e.fee),
          time: Math.floor(e.time / 1000),
          height: chain.height(),
          depends: [...e.parents],
        },
      ]),
    );
  });

  rpc.register(
    'validateaddress',
    'validateaddress "address": whether it is a valid address of this network, and its script.',
    (p) => {
      const address = param.string(p, 0, 'address')!;
      try {
        const d = decodeAddress(address, prefixes(params));
        return {
          isvalid: true,
          address,
          scriptPubKey: toHex(scriptForAddress(address, prefixes(params))),
          isscript: d.type === 'p2sh',
        };
      } catch (err) {
        return { isvalid: false, error: (err as Error).message };
      }
    },
  );

  rpc.register('getpeerinfo', 'Connected peers.', () =>
    ctx.peers().map((peer, id) => ({ id, addr: peer.addr, peerid: peer.id })),
  );
  registerBanMethods(rpc, ctx);
  rpc.register('getconnectioncount', 'Number of connected peers.', () => ctx.peers().length);
  rpc.register('getnetworkinfo', 'Version, protocol, connections and relay fee, as fluxd.', () => ({
    version: clientVersion(ctx.version),
    subversion: `/fluxnode-ts:${ctx.version}/`,
    protocolversion: PROTOCOL_VERSION,
    localservices: '0000000000000001',
    timeoffset: 0,
    connections: ctx.peers().length,
    networks: [],
    relayfee: relayFee(ctx),
    localaddresses: [],
    warnings: '',
    network: params.network,
  }));
  rpc.register('uptime', 'Seconds since the node started.', () =>
    Math.floor((Date.now() - ctx.startedAt) / 1000),
  );
  rpc.register('getblockbytes', 'getblockbytes "hash": the raw block (alias of getblock hash 0).', (p) => {
    const e = entryFor(ctx, param.string(p, 0, 'blockhash')!);
    const bytes = chain.getBlockBytes(e.hash);
    return bytes ? toHex(bytes) : null;
  });
}

/** fluxd's setban/listbanned/clearbanned, by IP address (no netmask, no ban time: until removed). */
function registerBanMethods(rpc: RpcDispatcher, ctx: NodeContext): void {
  const bans = () => {
    if (!ctx.bans) throw new RpcError(RPC.MISC_ERROR, 'this node has no p2p to ban addresses from');
    return ctx.bans;
  };
  rpc.register(
    'setban',
    'setban "ip" "add|remove": refuse p2p connections with an IP address (and hang up on it now), or stop.',
    async (p) => {
      const ip = param.string(p, 0, 'ip', { maxLength: 64 })!;
      const command = param.string(p, 1, 'command', { maxLength: 10 })!;
      if (isIP(ip) === 0)
        throw new RpcError(
          RPC.CLIENT_INVALID_IP_OR_SUBNET,
          `setban: invalid IP address ${JSON.stringify(ip)}`,
        );
      if (command === 'add') await bans().add(ip);
      else if (command === 'remove') {
        if (!bans().remove(ip)) throw new RpcError(RPC.MISC_ERROR, `setban: ${ip} is not banned`);
      } else
        throw new RpcError(
          RPC.INVALID_PARAMETER,
          `setban: command must be add or remove, got ${JSON.stringify(command)}`,
        );
      return null;
    },
  );
  rpc.register('listbanned', 'The banned IP addresses.', () =>
    bans()
      .list()
      .map((address) => ({ address })),
  );
  rpc.register('clearbanned', 'Lifts every IP ban.', () => {
    for (const ip of bans().list()) bans().remove(ip);
    return null;
  });
}

const branchHex = (id: number) => id.toString(16).padStart(8, '0');

/** Upgrade descriptions from Acadia on, keyed by branch id as fluxd: upgrades sharing an id share a key, the last wins. */
function upgradesJson(params: ConsensusParams, tipHeight: number) {
  const out: Record<string, { name: string; activationheight: number; status: string; info: string }> = {};
  for (const name of UPGRADE_ORDER.slice(UPGRADE_ORDER.indexOf('acadia'))) {
    const u = params.upgrades[name];
    if (u.activationHeight === null) continue;
    out[branchHex(u.branchId)] = {
      name: name.charAt(0).toUpperCase() + name.slice(1),
      activationheight: u.activationHeight,
      status: tipHeight >= u.activationHeight ? 'active' : 'pending',
      info: `the ${name} network upgrade`,
    };
  }
  return out;
}

function medianTimePast(ctx: NodeContext): number {
  const times: number[] = [];
  for (
    let e = ctx.chain.tip() as ReturnType<NodeContext['chain']['tip']> | null;
    e && times.length < 11;
    e = e.parent
  )
    times.push(e.time);
  times.sort((a, b) => a - b);
  return must(times[times.length >> 1], 'a block time (the tip has one)');
}
