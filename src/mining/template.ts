import {
  bitsToTarget,
  type Block,
  type BlockHeader,
  type CoinbaseSplit,
  ConsensusError,
  type ConsensusParams,
  encodeTransaction,
  type EquihashSpec,
  equihashSpecsAt,
  fromReverseHex,
  legacySigOpCount,
  MAX_BLOCK_SIGOPS,
  merkleRoot,
  must,
  type Transaction,
  txid as txidOf,
} from '../consensus/index.ts';
import {
  type ChainEntry,
  checkTransactionContext,
  type EvictedTx,
  isFinalTx,
  type Payee,
  type PoolEntry,
  requiredBits,
} from '../chain/index.ts';
import { buildCoinbaseTx, finalSaplingRootAt } from './coinbase.ts';
import { MiningError } from './errors.ts';
import { type CoinbasePayout, planCoinbase } from './payouts.ts';

/** Block header version fluxd mines (CBlockHeader::CURRENT_VERSION). */
export const BLOCK_VERSION = 4;
/** Bytes kept free for the header (a 200,9 solution is 1,344 bytes) and the coinbase. */
export const BLOCK_RESERVED_BYTES = 4_000;
/** Signature operations kept free for the coinbase, as fluxd starts its count at 100. */
const RESERVED_SIGOPS = 100;
const MEDIAN_TIME_SPAN = 11;

/**
 * The parts of the chain a template reads: the tip, whose parent links reach back far enough, and
 * the fluxnode registry's payment queue (Chain.fluxnodes), whose payees the coinbase must pay.
 */
export interface TemplateChain {
  tip(): ChainEntry;
  readonly fluxnodes: { payees(height: number): readonly Payee[] };
}

/** The part of the mempool a template reads (and the miner evicts from). */
export interface TemplateMempool {
  selectForBlock(maxBytes: number): PoolEntry[];
  evict?(txid: string, rule: string, reason: string): EvictedTx[];
}

export interface TemplateOptions {
  chain: TemplateChain;
  params: ConsensusParams;
  mempool?: TemplateMempool;
  /**
   * Pay these nodes instead of the chain's queue (a template for another chain's state, or a test's
   * fixed layout); a block paying others than the chain's queue is refused by it (`bad-cb-payee`).
   */
  payees?: readonly Payee[] | ((height: number) => readonly Payee[]);
  /** Script the miner's output pays. */
  minerScript: Uint8Array;
  /** The clock (seconds); the block time is this or median-time-past + 1, whichever is later. */
  time: number;
  /** Pushed after the height in the coinbase scriptSig; vary it for a new merkle root. */
  extraNonce?: number;
  /** Extra bytes for the coinbase scriptSig (a pool tag). */
  coinbaseData?: Uint8Array;
  /** Build on this entry instead of the tip. */
  prev?: ChainEntry;
  /** Largest block to build; default the network's maximum. */
  maxBlockBytes?: number;
}

/** A mempool transaction chosen for the block. */
export interface TemplateTx {
  tx: Transaction;
  /** Display hex. */
  txid: string;
  /** Serialized bytes (as the pool measured them). */
  size: number;
  fee: bigint;
  sigops: number;
  /** 1-based positions in the template's transaction list (coinbase = 0) of the pool parents it spends. */
  depends: number[];
}

export interface BlockTemplate {
  height: number;
  prev: ChainEntry;
  /** Every field final except nonce (zero) and solution (empty). */
  header: BlockHeader;
  /** Coinbase first. */
  txs: Transaction[];
  coinbase: Transaction;
  /** Non-coinbase transactions with their fees, in block order. */
  entries: TemplateTx[];
  fees: bigint;
  /** Total paid by the coinbase (subsidy + fees + fund outputs). */
  coinbaseValue: bigint;
  minerReward: bigint;
  split: CoinbaseSplit;
  /** The coinbase outputs, in order, with what each is for. */
  payouts: CoinbasePayout[];
  /** The block's target: a header hash at or below it wins. */
  target: bigint;
  /** Earliest valid block time (median time past + 1). */
  minTime: number;
  /** Equihash parameters the solution must use (first preferred). */
  equihash: EquihashSpec[];
  /** Serialized bytes of the transactions (the header adds 140 + the solution). */
  txBytes: number;
  /** Legacy signature operations of the transactions. */
  sigops: number;
  /** Pool transactions no block at this height may carry (the miner evicts them from the pool). */
  refused: RefusedTx[];
}

/** A pool transaction a block cannot carry, and the rule that says so. */
export interface RefusedTx {
  /** Display hex. */
  txid: string;
  rule: string;
  reason: string;
}

/** Median time of `e` and the 10 blocks before it (the bound a new block's time must exceed). */
export function medianTimePast(e: ChainEntry): number {
  const times: number[] = [];
  for (let cur: ChainEntry | null = e; cur && times.length < MEDIAN_TIME_SPAN; cur = cur.parent) {
    times.push(cur.time);
  }
  times.sort((a, b) => a - b);
  return must(times[times.length >> 1], 'a block time (the entry itself is one)');
}

const hasShielded = (tx: Transaction) =>
  tx.shieldedOutputs.length > 0 || tx.shieldedSpends.length > 0 || tx.joinSplits.length > 0;

/** The consensus rule that bars `tx` from any block at `height`, or null when none does. */
function refusalOf(tx: Transaction, txid: string, height: number, params: ConsensusParams): RefusedTx | null {
  try {
    checkTransactionContext(tx, null, height, params);
  } catch (err) {
    if (!(err instanceof ConsensusError)) throw err;
    return { txid, rule: err.rule, reason: err.message };
  }
  // The chain refuses proofs it cannot verify, and we keep no note commitment tree for the
  // header's Sapling root to commit to.
  if (hasShielded(tx)) {
    return {
      txid,
      rule: 'bad-txns-shielded-unverified',
      reason: 'shielded parts are not mined by this node',
    };
  }
  return null;
}

interface Budget {
  bytes: number;
  sigops: number;
}

/**
 * Mempool transactions valid in this block: meeting the height's contextual rules (those that do
 * not are `refused`, for the miner to evict), final at its height and time, within the size and
 * signature-operation budget. A transaction whose pool parent is left out is left out too, so the
 * block never spends an output it does not contain.
 */
function chooseTransactions(
  pool: PoolEntry[],
  at: { height: number; time: number; params: ConsensusParams },
  budget: Budget,
): { chosen: TemplateTx[]; refused: RefusedTx[] } {
  const position = new Map<string, number>();
  const out: TemplateTx[] = [];
  const refused: RefusedTx[] = [];
  let bytes = 0;
  let sigops = 0;
  for (const e of pool) {
    const tx = e.tx;
    const refusal = refusalOf(tx, e.txid, at.height, at.params);
    if (refusal) {
      refused.push(refusal);
      continue;
    }
    const parentMissing = [...e.parents].some((p) => !position.has(p));
    let txSigops = 0;
    for (const i of tx.inputs) txSigops += legacySigOpCount(i.scriptSig);
    for (const o of tx.outputs) txSigops += legacySigOpCount(o.scriptPubKey);
    if (
      parentMissing ||
      !isFinalTx(tx, at.height, at.time) ||
      bytes + e.size > budget.bytes ||
      sigops + txSigops > budget.sigops
    ) {
      continue;
    }
    bytes += e.size;
    sigops += txSigops;
    out.push({
      tx,
      txid: e.txid,
      size: e.size,
      fee: e.fee,
      sigops: txSigops,
      depends: [...e.parents].map((p) => position.get(p)!).sort((a, b) => a - b),
    });
    position.set(e.txid, out.length);
  }
  return { chosen: out, refused };
}

/**
 * A block template on the tip (or `prev`): the coinbase paying the miner, the fluxnode payees and
 * the fund outputs due exactly as the consensus split says, mempool transactions by fee rate, the
 * merkle root, the time (clock, but after the median time past) and the bits the difficulty
 * algorithm requires for that time. Nonce and solution are left for the solver.
 */
export function buildBlockTemplate(opts: TemplateOptions): BlockTemplate {
  const { params } = opts;
  const prev = opts.prev ?? opts.chain.tip();
  const height = prev.height + 1;
  const minTime = medianTimePast(prev) + 1;
  if (!Number.isSafeInteger(opts.time) || opts.time < 0) {
    throw new MiningError('bad-time', `clock must be whole seconds, got ${opts.time}`, {
      field: 'time',
      value: opts.time,
    });
  }
  const time = Math.max(minTime, opts.time);
  const bits = requiredBits(prev, time, params);

  const maxBlockBytes = Math.min(opts.maxBlockBytes ?? params.maxBlockSize, params.maxBlockSize);
  const pool = opts.mempool?.selectForBlock(Math.max(0, maxBlockBytes - BLOCK_RESERVED_BYTES)) ?? [];
  const { chosen: entries, refused } = chooseTransactions(
    pool,
    { height, time, params },
    { bytes: Math.max(0, maxBlockBytes - BLOCK_RESERVED_BYTES), sigops: MAX_BLOCK_SIGOPS - RESERVED_SIGOPS },
  );
  let fees = 0n;
  for (const e of entries) fees += e.fee;

  const given = opts.payees;
  const payees =
    given === undefined
      ? opts.chain.fluxnodes.payees(height)
      : typeof given === 'function'
        ? given(height)
        : given;
  const plan = planCoinbase(height, params, { fees, payees, minerScript: opts.minerScript });
  const coinbase = buildCoinbaseTx(
    height,
    params,
    plan.payouts.map((p) => p.output),
    { extraNonce: opts.extraNonce, data: opts.coinbaseData },
  );
  const txs = [coinbase, ...entries.map((e) => e.tx)];
  const header: BlockHeader = {
    version: BLOCK_VERSION,
    prevHash: prev.hash,
    // Pool entries carry their txids already; hashing a thousand transactions again would dominate.
    merkleRoot: merkleRoot([txidOf(coinbase), ...entries.map((e) => fromReverseHex(e.txid))]).root,
    finalSaplingRoot: finalSaplingRootAt(height, params),
    time,
    bits,
    nonce: new Uint8Array(32),
    solution: new Uint8Array(0),
  };

  let coinbaseValue = 0n;
  for (const o of coinbase.outputs) coinbaseValue += o.value;
  const coinbaseBytes = encodeTransaction(coinbase).length;
  let sigops = 0;
  for (const o of coinbase.outputs) sigops += legacySigOpCount(o.scriptPubKey);
  for (const e of entries) sigops += e.sigops;
  return {
    height,
    prev,
    header,
    txs,
    coinbase,
    entries,
    fees,
    coinbaseValue,
    minerReward: plan.split.miner,
    split: plan.split,
    payouts: plan.payouts,
    target: bitsToTarget(bits),
    minTime,
    equihash: equihashSpecsAt(height, params),
    txBytes: coinbaseBytes + entries.reduce((n, e) => n + e.size, 0),
    sigops,
    refused,
  };
}

/** The template's block with a solved header (time may have moved within the rules). */
export function assembleBlock(t: BlockTemplate, header: BlockHeader): Block {
  return { header, txs: t.txs };
}
