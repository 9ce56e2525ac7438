/**
 * Turns one connected block into the economy's BlockSummary. Pure: everything the chain knows about
 * the block (its fluxnode payees before it connected, the coins it spent, the collateral it locked or
 * released) comes in as plain facts, so the same block always gives the same summary.
 */
import {
  addressForScript,
  type Block,
  type ConsensusParams,
  equalBytes,
  fromHex,
  oneOffsAt,
  reverseHex,
  scriptForAddress,
  tierPayment,
  type Transaction,
  txid,
  type TxOut,
  type Tier,
} from '../../consensus/index.ts';
import { isUnspendable } from '../../chain/index.ts';
import { parseAppPayment } from '../../cloud/index.ts';
import type {
  AppPayment,
  BlockSummary,
  CollateralChange,
  MinedOutput,
  OneOffOutput,
  OperatorPayout,
} from '../inputs.ts';
import { must } from '../../consensus/index.ts';

/** A node the fluxnode queue pays in this block, as the registry stood before the block. */
export interface BlockPayee {
  tier: Tier;
  /** Collateral outpoint, `txid:vout` (display order). */
  collateral: string;
  /** Hex of the collateral output's script: the coinbase pays the node there. */
  payoutScript: string;
  /** UTC seconds of the block holding the node's START (see the start rule in parallel/accrual.ts). */
  nodeStartTime: number;
}

export interface BlockFacts {
  block: Block;
  height: number;
  /** The block's header time. */
  time: number;
  /** The registry's payees for this height, taken before the block was applied to it. */
  payees: readonly BlockPayee[];
  /** Values of the coins the block's transactions spend (coinbase excluded), as the chain reports them. */
  spentValues: readonly bigint[];
  /** Net collateral this block locked (+) or released (−) per tier, zero tiers left out. */
  collateral: readonly CollateralChange[];
}

export interface SummaryRules {
  params: ConsensusParams;
  /** The network's app payment script (cloud/registry/app-address.ts). */
  appScript: Uint8Array;
}

/** The consensus calls the foundation output `foundation-fund`; the supply figures say `foundation`. */
function oneOffKind(kind: string): string {
  return kind === 'foundation-fund' ? 'foundation' : kind;
}

export function payoutAddressOf(script: Uint8Array, params: ConsensusParams): string {
  return addressForScript(script, params.base58) ?? `script:${Buffer.from(script).toString('hex')}`;
}

/** Value the transaction takes from (positive) or gives to (negative) the shielded pools. */
function shieldedNet(tx: Transaction): bigint {
  let v = tx.valueBalance;
  for (const js of tx.joinSplits) v += js.vpubNew - js.vpubOld;
  return v;
}

/** Fees of the block: what its transactions spend (plus shielded value unshielded) minus what they pay out. */
export function blockFees(block: Block, spentValues: readonly bigint[]): bigint {
  let fees = 0n;
  for (const v of spentValues) fees += v;
  for (const tx of block.txs.slice(1)) {
    fees += shieldedNet(tx);
    for (const o of tx.outputs) fees -= o.value;
  }
  return fees;
}

/**
 * Finds each required coinbase output once. A fund output must match exactly (as the rules require);
 * a node's payment may carry more than its due, so an exact match is preferred and a larger one taken
 * otherwise. An output serves one purpose only.
 */
function takeOutput(
  outputs: readonly TxOut[],
  used: Set<number>,
  script: Uint8Array,
  amount: bigint,
  exactOnly: boolean,
): number {
  const fits = (exact: boolean) =>
    outputs.findIndex(
      (o, i) =>
        !used.has(i) &&
        (exact ? o.value === amount : o.value >= amount) &&
        equalBytes(o.scriptPubKey, script),
    );
  let at = fits(true);
  if (at < 0 && !exactOnly) at = fits(false);
  if (at >= 0) used.add(at);
  return at;
}

/**
 * The supply view of a block. Coinbase outputs split into fund outputs due at the height, the
 * payments due to this block's payees (their tier's share: any excess a miner adds is counted as
 * the miner's), and the rest, which is the miner's reward. Fees are inputs − outputs of the other
 * transactions. Should a miner claim less than the fees (coins thrown away), the shortfall counts as
 * burned, so minted − burned always equals the coin the block added to the UTXO set.
 */
export function summarizeBlock(f: BlockFacts, rules: SummaryRules): BlockSummary {
  const { params } = rules;
  const coinbase = must(f.block.txs[0], 'the coinbase of a connected block');
  const coinbaseTxid = reverseHex(txid(coinbase));
  const used = new Set<number>();

  const oneOffs: OneOffOutput[] = [];
  for (const due of oneOffsAt(f.height, params)) {
    const script = scriptForAddress(due.address, params.base58);
    if (takeOutput(coinbase.outputs, used, script, due.amount, true) >= 0) {
      oneOffs.push({ address: due.address, amount: due.amount, kind: oneOffKind(due.kind) });
    }
  }

  const operatorPayouts: OperatorPayout[] = [];
  for (const p of f.payees) {
    const due = tierPayment(f.height, p.tier, params);
    if (due <= 0n) continue;
    const script = fromHex(p.payoutScript, 'payoutScript');
    if (takeOutput(coinbase.outputs, used, script, due, false) < 0) continue;
    operatorPayouts.push({
      height: f.height,
      time: f.time,
      txid: coinbaseTxid,
      payoutAddress: payoutAddressOf(script, params),
      collateral: p.collateral,
      tier: p.tier,
      amount: due,
      nodeStartTime: p.nodeStartTime,
    });
  }

  let coinbaseTotal = 0n;
  for (const o of coinbase.outputs) coinbaseTotal += o.value;
  let burned = 0n;
  for (const tx of f.block.txs)
    for (const o of tx.outputs) if (isUnspendable(o.scriptPubKey)) burned += o.value;

  let minerReward = coinbaseTotal;
  for (const o of oneOffs) minerReward -= o.amount;
  for (const p of operatorPayouts) minerReward -= p.amount;
  let fees = blockFees(f.block, f.spentValues);
  if (fees > minerReward) {
    burned += fees - minerReward;
    fees = minerReward;
  }

  const minerOutputs: MinedOutput[] = [];
  for (const [vout, o] of coinbase.outputs.entries()) {
    if (used.has(vout) || o.value === 0n || isUnspendable(o.scriptPubKey)) continue;
    minerOutputs.push({
      height: f.height,
      time: f.time,
      txid: coinbaseTxid,
      vout,
      address: payoutAddressOf(o.scriptPubKey, params),
      amount: o.value,
    });
  }

  const appPayments: AppPayment[] = [];
  for (const tx of f.block.txs.slice(1)) {
    const paid = parseAppPayment(tx, rules.appScript);
    if (paid) appPayments.push({ txid: reverseHex(txid(tx)), amount: paid.paid });
  }

  return {
    height: f.height,
    time: f.time,
    minerReward,
    fees,
    operatorPayouts,
    oneOffs,
    appPayments,
    burned,
    collateral: f.collateral.filter((c) => c.amount !== 0n),
    minerOutputs,
  };
}
