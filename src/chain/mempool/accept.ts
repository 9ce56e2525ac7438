import {
  type Block,
  branchIdAt,
  checkTransaction,
  ConsensusError,
  type ConsensusParams,
  encodeTransaction,
  isCoinbase,
  isStandardScript,
  must,
  NO_FAULT,
  type OutPoint,
  precomputeSighash,
  reverseHex,
  STANDARD_SCRIPT_VERIFY_FLAGS,
  type Transaction,
  txid,
  type TxOut,
  verifyInputSignature,
} from '../../consensus/index.ts';
import { isFinalTx } from '../rules/contextual.ts';
import { checkTransactionContext } from '../rules/transaction.ts';
import type { Coin } from '../types.ts';
import type { FluxnodeRegistry } from '../fluxnodes/registry.ts';
import type { TxValidator, ValidatedTx } from './mempool.ts';

export interface MempoolChainView {
  params: ConsensusParams;
  tipHeight: () => number;
  getUtxo: (o: OutPoint) => Coin | undefined;
  /** The chain's fluxnode registry at the tip (Chain.fluxnodes): it applies every fluxnode rule. */
  registry: () => FluxnodeRegistry;
  /** Largest standard transaction, bytes. */
  maxStandardTxSize?: number;
  /** Clock in seconds, for time lock times (the next block's time is not known yet); default: system clock. */
  now?: () => number;
}

/**
 * The rules a transaction must meet to enter the pool (and so to be relayed): the consensus rules
 * it would meet in the next block — the contextual ones too: format and upgrade rules of that
 * height, expiry, lock time — plus standard policy (known output templates, size, no dust).
 */
export function mempoolValidator(view: MempoolChainView): TxValidator {
  const dust = 546n;
  return (tx: Transaction, poolOutput): ValidatedTx => {
    const bytes = encodeTransaction(tx);
    const id = reverseHex(txid(tx));
    const height = view.tipHeight() + 1;
    checkTransaction(tx, { maxMoney: view.params.maxMoney }, bytes.length);
    if (isCoinbase(tx))
      throw new ConsensusError('coinbase', 'a coinbase cannot be relayed', { field: 'vin', value: id });
    // What a block at `height` would refuse, the pool refuses: a template must be able to carry it.
    checkTransactionContext(tx, null, height, view.params);
    const now = view.now?.() ?? Math.floor(Date.now() / 1000);
    if (!isFinalTx(tx, height, now)) {
      throw new ConsensusError('non-final', `lock time ${tx.lockTime} is not reached at height ${height}`, {
        field: 'lockTime',
        value: tx.lockTime,
      });
    }
    if (bytes.length > (view.maxStandardTxSize ?? 100_000)) {
      throw new ConsensusError('tx-size', `${bytes.length} bytes is over the standard limit`, {
        score: NO_FAULT,
        field: 'size',
        value: bytes.length,
      });
    }
    if (tx.fluxnode) {
      // Dry-run the registry on a block holding only this tx: every fluxnode rule, nothing kept.
      const registry = view.registry();
      const ctx = { getUtxo: (o: OutPoint) => view.getUtxo(o) };
      const block: Block = { header: undefined as never, txs: [tx] };
      registry.disconnectBlock(registry.connectBlock(block, height, ctx));
      return { txid: id, fee: 0n, size: bytes.length };
    }
    if (tx.joinSplits.length || tx.shieldedSpends.length || tx.shieldedOutputs.length) {
      throw new ConsensusError(
        'bad-txns-shielded-unsupported',
        'this node relays transparent transactions only',
        { score: NO_FAULT, field: 'tx', value: id },
      );
    }
    let totalIn = 0n;
    const spent: TxOut[] = [];
    for (const [i, input] of tx.inputs.entries()) {
      const coin = view.getUtxo(input.prevout);
      const pool = coin ? undefined : poolOutput(input.prevout);
      const out = coin ?? pool;
      if (!out) {
        throw new ConsensusError(
          'bad-txns-inputs-missingorspent',
          `input ${i} spends ${reverseHex(input.prevout.txid)}:${input.prevout.index}, which is not an unspent output`,
          {
            score: NO_FAULT,
            field: `vin[${i}]`,
            value: `${reverseHex(input.prevout.txid)}:${input.prevout.index}`,
          },
        );
      }
      if (coin?.coinbase && height - coin.height < view.params.coinbaseMaturity) {
        throw new ConsensusError(
          'bad-txns-premature-spend-of-coinbase',
          `input ${i} spends a coinbase of height ${coin.height} before maturity (${view.params.coinbaseMaturity} blocks)`,
          {
            score: NO_FAULT, // a peer one block ahead of us sees it mature
            field: `vin[${i}]`,
            value: coin.height,
          },
        );
      }
      totalIn += out.value;
      spent.push({ value: out.value, scriptPubKey: out.scriptPubKey });
    }
    let totalOut = 0n;
    for (const [i, out] of tx.outputs.entries()) {
      totalOut += out.value;
      if (!isStandardScript(out.scriptPubKey))
        throw new ConsensusError('scriptpubkey', `output ${i} has a non-standard script`, {
          score: NO_FAULT,
          field: `vout[${i}]`,
          value: i,
        });
      const nulldata = out.scriptPubKey[0] === 0x6a;
      if (!nulldata && out.value < dust)
        throw new ConsensusError('dust', `output ${i} of ${out.value} satoshis is below ${dust}`, {
          score: NO_FAULT,
          field: `vout[${i}].value`,
          value: out.value,
        });
    }
    if (totalIn < totalOut) {
      throw new ConsensusError(
        'bad-txns-in-belowout',
        `inputs ${totalIn} are less than outputs ${totalOut}`,
        { field: 'vout', value: totalOut },
      );
    }
    const branchId = branchIdAt(height, view.params);
    const cache = tx.overwintered ? precomputeSighash(tx) : undefined;
    for (let i = 0; i < tx.inputs.length; i++) {
      verifyInputSignature(
        tx,
        i,
        must(spent[i], 'the coin a mempool input spends'),
        branchId,
        STANDARD_SCRIPT_VERIFY_FLAGS,
        cache,
      );
    }
    return { txid: id, fee: totalIn - totalOut, size: bytes.length };
  };
}
