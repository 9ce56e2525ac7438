import {
  type Block,
  ConsensusError,
  must,
  type OutPoint,
  reverseHex,
  toHex,
  type Transaction,
} from '../consensus/index.ts';
import type { Coin, SpentCoin } from './types.ts';
import type { ScriptCheck } from './validator.ts';

/** The parts of the UTXO set a connect reads. */
export interface CoinSource {
  get(o: OutPoint): Coin | undefined;
  hasAnyOutputOf(txid: Uint8Array): boolean;
}

export interface UtxoRules {
  coinbaseMaturity: number;
  maxMoney: bigint;
}

/** The checked effect of one block on the UTXO set, ready to be written. */
export interface ConnectPlan {
  /** Coins spent, in block input order (coinbase excluded): the block's undo record. */
  spent: SpentCoin[];
  /** Spent coins that were in the store before the block (the rest were created and spent inside it). */
  deletes: OutPoint[];
  created: { outpoint: OutPoint; coin: Coin }[];
  fees: bigint;
  scriptChecks: ScriptCheck[];
}

const OP_RETURN = 0x6a;
const MAX_SCRIPT_SIZE = 10_000;

/** Outputs that can never be spent are not kept in the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === OP_RETURN) || script.length > MAX_SCRIPT_SIZE;
}

export function isCoinbaseTx(tx: Transaction): boolean {
  const [first] = tx.inputs;
  if (tx.inputs.length !== 1 || !first) return false;
  const p = first.prevout;
  return p.index === 0xffffffff && p.txid.every((b) => b === 0);
}

function outpointLabel(o: OutPoint): string {
  return `${reverseHex(o.txid)}:${o.index}`;
}

function inRange(v: bigint, max: bigint): boolean {
  return v >= 0n && v <= max;
}

/** Value entering the transparent part from shielded pools (Sapling value balance, JoinSplit vpub_new). */
function shieldedIn(tx: Transaction): bigint {
  let v = tx.valueBalance > 0n ? tx.valueBalance : 0n;
  for (const js of tx.joinSplits) v += js.vpubNew;
  return v;
}

/** Value leaving the transparent part into shielded pools. */
function shieldedOut(tx: Transaction): bigint {
  let v = tx.valueBalance < 0n ? -tx.valueBalance : 0n;
  for (const js of tx.joinSplits) v += js.vpubOld;
  return v;
}

/**
 * Checks a block's transactions against the UTXO set as it stands before the block (plus the
 * outputs the block's earlier transactions create) and works out what connecting it changes.
 * Reads only; throws a ConsensusError naming the first rule broken.
 */
export function planConnect(
  block: Block,
  txids: Uint8Array[],
  height: number,
  coins: CoinSource,
  rules: UtxoRules,
): ConnectPlan {
  const created = new Map<string, { outpoint: OutPoint; coin: Coin }>();
  const spentKeys = new Set<string>();
  const spent: SpentCoin[] = [];
  const deletes: OutPoint[] = [];
  const scriptChecks: ScriptCheck[] = [];
  let fees = 0n;

  // BIP30: a transaction may not recreate outputs of an earlier one that are still unspent.
  for (const [t, id] of txids.entries()) {
    if (coins.hasAnyOutputOf(id)) {
      throw new ConsensusError('bad-txns-BIP30', `transaction ${reverseHex(id)} overwrites unspent outputs`, {
        field: `txs[${t}]`,
        value: reverseHex(id),
      });
    }
  }

  for (const [t, tx] of block.txs.entries()) {
    const txid = must(txids[t], 'the id of a block transaction');
    const coinbase = t === 0 && isCoinbaseTx(tx);

    if (!coinbase && tx.inputs.length > 0) {
      let valueIn = 0n;
      const txSpent: Coin[] = [];
      for (const [i, { prevout: o }] of tx.inputs.entries()) {
        const key = `${toHex(o.txid)}:${o.index}`;
        const inBlock = spentKeys.has(key) ? undefined : created.get(key)?.coin;
        const coin = inBlock ?? (spentKeys.has(key) ? undefined : coins.get(o));
        if (!coin) {
          throw new ConsensusError(
            'bad-txns-inputs-missingorspent',
            `input ${outpointLabel(o)} is missing or spent`,
            {
              field: `txs[${t}].inputs[${i}].prevout`,
              value: outpointLabel(o),
            },
          );
        }
        if (coin.coinbase && height - coin.height < rules.coinbaseMaturity) {
          throw new ConsensusError(
            'bad-txns-premature-spend-of-coinbase',
            `coinbase output ${outpointLabel(o)} from height ${coin.height} spent at depth ${height - coin.height}, needs ${rules.coinbaseMaturity}`,
            { field: `txs[${t}].inputs[${i}].prevout`, value: height - coin.height },
          );
        }
        valueIn += coin.value;
        if (!inRange(coin.value, rules.maxMoney) || !inRange(valueIn, rules.maxMoney)) {
          throw new ConsensusError('bad-txns-inputvalues-outofrange', 'input values out of range', {
            field: `txs[${t}].inputs[${i}]`,
            value: coin.value,
          });
        }
        spentKeys.add(key);
        if (inBlock) created.delete(key);
        else deletes.push(o);
        txSpent.push(coin);
        spent.push({ outpoint: o, coin });
      }

      let valueOut = shieldedOut(tx);
      for (const out of tx.outputs) valueOut += out.value;
      const totalIn = valueIn + shieldedIn(tx);
      if (totalIn < valueOut) {
        throw new ConsensusError('bad-txns-in-belowout', `value in ${totalIn} < value out ${valueOut}`, {
          field: `txs[${t}]`,
          value: { in: totalIn, out: valueOut },
        });
      }
      const fee = totalIn - valueOut;
      fees += fee;
      if (!inRange(fee, rules.maxMoney) || !inRange(fees, rules.maxMoney)) {
        throw new ConsensusError('bad-txns-fee-outofrange', `fee ${fee} out of range`, {
          field: `txs[${t}]`,
          value: fee,
        });
      }
      scriptChecks.push({ tx, txIndex: t, spent: txSpent });
    }

    for (const [i, out] of tx.outputs.entries()) {
      if (isUnspendable(out.scriptPubKey)) continue;
      const outpoint = { txid, index: i };
      created.set(`${toHex(txid)}:${i}`, {
        outpoint,
        coin: { value: out.value, scriptPubKey: out.scriptPubKey, height, coinbase },
      });
    }
  }

  return { spent, deletes, created: [...created.values()], fees, scriptChecks };
}
