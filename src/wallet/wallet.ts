import {
  collateralFor,
  ConsensusError,
  type ConsensusParams,
  encodeTransaction,
  must,
  nullDataScript,
  type OutPoint,
  outpointKey,
  reverseHex,
  scriptForAddress,
  type Tier,
  tierOfCollateral,
  toHex,
  txid,
  type TxOut,
  verifyTransactionInputs,
} from '../consensus/index.ts';
import {
  feeFor,
  fundFromCoins,
  InsufficientFundsError,
  P2PKH_INPUT_BYTES,
  type SelectOptions,
  selectCoins,
} from './coin-select.ts';
import { type KeyEntry, type KeyInfo, KeyRing } from './keyring.ts';
import { loadKeys, saveKeys, WalletError } from './keystore.ts';
import {
  DEFAULT_EXPIRY_DELTA,
  extraBytesFor,
  frameFor,
  signAllInputs,
  UNCOMPRESSED_P2PKH_INPUT_BYTES,
  unsignedTransaction,
} from './tx-builder.ts';

import {
  type CoinSource,
  type CoinStatus,
  type CollateralPayment,
  DEFAULT_FEE_PER_KB,
  DUST_THRESHOLD,
  type Payment,
  type PaymentRequest,
  type WalletBalance,
  type WalletCoin,
  type WalletCoinInfo,
  type WalletOptions,
} from './wallet-types.ts';

export {
  type CoinSource,
  type CoinStatus,
  type CollateralPayment,
  DEFAULT_FEE_PER_KB,
  DUST_THRESHOLD,
  type Payment,
  type PaymentRequest,
  type WalletBalance,
  type WalletCoin,
  type WalletCoinInfo,
  type WalletOptions,
} from './wallet-types.ts';

/**
 * A wallet of transparent keys on one network: keys and addresses, balance, and payments built and
 * signed from the coins its source reports for its scripts. It keeps no chain state of its own:
 * the source (the chain's address index) is the truth; the wallet only remembers which coins it has
 * locked (collaterals) or spent in payments that are not mined yet.
 */
export class Wallet {
  readonly params: ConsensusParams;
  readonly keys: KeyRing;
  private source: CoinSource | undefined;
  private readonly now: () => number;
  private readonly random: ((n: number) => Uint8Array) | undefined;
  private readonly autoLock: boolean;
  private readonly locked = new Set<string>();
  /** Collateral-sized coins the user unlocked explicitly. */
  private readonly unlocked = new Set<string>();
  private readonly pending = new Set<string>();

  constructor(params: ConsensusParams, opts: WalletOptions = {}) {
    this.params = params;
    this.keys = new KeyRing(params.base58, opts.keys ?? []);
    this.source = opts.source;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.random = opts.random;
    this.autoLock = opts.autoLockCollaterals ?? true;
  }

  /** Opens an encrypted wallet file (see keystore.ts). */
  static load(
    file: string,
    passphrase: string,
    params: ConsensusParams,
    opts: Omit<WalletOptions, 'keys'> = {},
  ): Wallet {
    return new Wallet(params, { ...opts, keys: loadKeys(file, passphrase) });
  }

  save(file: string, passphrase: string): void {
    saveKeys(file, passphrase, this.keys.toStored());
  }

  setSource(source: CoinSource): void {
    this.source = source;
  }

  // ── keys ──────────────────────────────────────────────────────────────────────────────────────

  /** A new key; returns its address. */
  newAddress(label = ''): string {
    return this.keys.generate(label, this.now(), this.random).address;
  }

  importWif(wif: string, label = ''): string {
    return this.keys.importWif(wif, label).address;
  }

  exportWif(address: string): string {
    return this.keys.exportWif(address);
  }

  setLabel(address: string, label: string): void {
    this.keys.setLabel(address, label);
  }

  listAddresses(): KeyInfo[] {
    return this.keys.list();
  }

  isMine(address: string): boolean {
    return this.keys.get(address) !== undefined;
  }

  /** The key that owns an output script, for signing things other than payments (fluxnode START). */
  keyForScript(script: Uint8Array): KeyEntry | undefined {
    return this.keys.forScript(script);
  }

  // ── coins and balance ─────────────────────────────────────────────────────────────────────────

  /** Height of the block the next transaction would go into. */
  nextHeight(): number {
    return this.requireSource().tipHeight() + 1;
  }

  /** Every coin our scripts hold, with why it can or cannot be spent now. */
  coins(): WalletCoinInfo[] {
    const source = this.requireSource();
    const next = source.tipHeight() + 1;
    const all = source.coinsFor(this.keys.scripts());
    // Pending coins that left the UTXO set were mined (or replaced): forget them.
    const present = new Set(all.map((c) => outpointKey(c.outpoint)));
    for (const k of this.pending) if (!present.has(k)) this.pending.delete(k);
    return all.map((c) => {
      const key = outpointKey(c.outpoint);
      let status: CoinStatus = 'spendable';
      if (c.coinbase && next - c.height < this.params.coinbaseMaturity) status = 'immature';
      else if (this.isLocked(key, c.value, next)) status = 'locked';
      else if (this.pending.has(key)) status = 'pending';
      return { ...c, address: this.keys.forScript(c.scriptPubKey)?.address ?? '', status };
    });
  }

  balance(): WalletBalance {
    const b: WalletBalance = { total: 0n, confirmed: 0n, spendable: 0n, immature: 0n, locked: 0n };
    for (const c of this.coins()) {
      b.total += c.value;
      if (c.status === 'immature') b.immature += c.value;
      else {
        b.confirmed += c.value;
        if (c.status === 'spendable') b.spendable += c.value;
        else b.locked += c.value;
      }
    }
    return b;
  }

  /** Keeps a coin (a fluxnode collateral) out of every payment that does not name it in `inputs`. */
  lockCoin(outpoint: OutPoint): void {
    const key = outpointKey(outpoint);
    this.locked.add(key);
    this.unlocked.delete(key);
  }

  /** Lets payments use a coin again, including one locked only for being collateral-sized. */
  unlockCoin(outpoint: OutPoint): void {
    const key = outpointKey(outpoint);
    this.locked.delete(key);
    this.unlocked.add(key);
  }

  /** Coins locked by name ("txid:index"); collateral-sized coins show as locked in `coins()`. */
  lockedCoins(): string[] {
    return [...this.locked];
  }

  private isLocked(key: string, value: bigint, nextHeight: number): boolean {
    if (this.locked.has(key)) return true;
    return (
      this.autoLock && !this.unlocked.has(key) && tierOfCollateral(value, nextHeight, this.params) !== null
    );
  }

  /** Makes the coins of a payment that was never broadcast spendable again. */
  release(payment: Pick<Payment, 'inputs'>): void {
    for (const c of payment.inputs) this.pending.delete(outpointKey(c.outpoint));
  }

  // ── payments ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Builds and signs a payment: coin selection over spendable coins (or exactly `inputs`), the
   * recipients in order, then the OP_RETURN output, then change. The fee covers the signed size at
   * `feePerKb`. Errors name the field at fault; a shortfall is an InsufficientFundsError with the
   * amounts needed and available.
   */
  createPayment(req: PaymentRequest): Payment {
    const feePerKb = req.feePerKb ?? DEFAULT_FEE_PER_KB;
    const dust = req.dustThreshold ?? DUST_THRESHOLD;
    if (feePerKb < 0n) throw new WalletError('feePerKb', `fee rate must not be negative, got ${feePerKb}`);
    if (!Array.isArray(req.to) || req.to.length === 0)
      throw new WalletError('to', 'a payment needs at least one recipient');

    const outputs: TxOut[] = req.to.map((r, i) => {
      if (typeof r.amount !== 'bigint' || r.amount <= 0n || r.amount > this.params.maxMoney) {
        throw new WalletError(
          `to[${i}].amount`,
          `amount must be 1…${this.params.maxMoney} satoshis, got ${String(r.amount)}`,
        );
      }
      if (r.amount < dust) {
        throw new WalletError(
          `to[${i}].amount`,
          `amount ${r.amount} is below the dust threshold of ${dust} satoshis`,
        );
      }
      return { value: r.amount, scriptPubKey: this.scriptFor(r.address, `to[${i}].address`) };
    });
    if (req.opReturn !== undefined) {
      try {
        outputs.push({ value: 0n, scriptPubKey: nullDataScript(req.opReturn) });
      } catch (err) {
        if (err instanceof ConsensusError) throw new WalletError('opReturn', err.message);
        throw err;
      }
    }
    const changeScript =
      req.changeAddress === undefined ? undefined : this.scriptFor(req.changeAddress, 'changeAddress');
    const amount = req.to.reduce((n, r) => n + r.amount, 0n);

    const source = this.requireSource();
    const frame = frameFor(source.tipHeight() + 1, this.params, req.expiryDelta ?? DEFAULT_EXPIRY_DELTA);
    const candidates = this.candidateCoins(req.inputs);
    const keyed = candidates.coins.map((c) => ({ ...c, key: outpointKey(c.outpoint) }));
    const opts: SelectOptions = {
      amount,
      outputs: outputs.length,
      feePerKb,
      dustThreshold: dust,
      extraBytes: extraBytesFor(frame, outputs),
      inputBytes: keyed.some((c) => !this.keys.forScript(c.scriptPubKey)?.compressed)
        ? UNCOMPRESSED_P2PKH_INPUT_BYTES
        : P2PKH_INPUT_BYTES,
    };
    let selection: ReturnType<typeof selectCoins<(typeof keyed)[number]>>;
    try {
      selection = req.inputs ? fundFromCoins(keyed, opts) : selectCoins(keyed, opts);
    } catch (err) {
      if (err instanceof InsufficientFundsError && candidates.heldBack) {
        throw new InsufficientFundsError(err.needed, err.available, candidates.heldBack);
      }
      throw err;
    }

    const inputs: WalletCoin[] = selection.inputs.map(({ key: _k, ...c }) => c);
    let change: Payment['change'];
    if (selection.change > 0n) {
      const script = changeScript ?? must(inputs[0], 'a selected coin (there is change)').scriptPubKey;
      const address = req.changeAddress ?? this.keys.forScript(script)?.address ?? '';
      outputs.push({ value: selection.change, scriptPubKey: script });
      change = { address, value: selection.change, index: outputs.length - 1 };
    }

    const unsigned = unsignedTransaction(
      frame,
      inputs.map((c) => c.outpoint),
      outputs,
    );
    const spent = inputs.map((c) => ({ value: c.value, scriptPubKey: c.scriptPubKey }));
    const tx = signAllInputs(unsigned, spent, (script) => this.signingKey(script), frame.branchId);
    // The same check a node applies: a wallet never hands out a transaction it would refuse.
    if (req.verify ?? true) verifyTransactionInputs(tx, spent, frame.branchId);
    const size = encodeTransaction(tx).length;
    if (selection.fee < feeFor(size, feePerKb)) {
      throw new WalletError(
        'feePerKb',
        `internal: fee ${selection.fee} does not cover ${size} bytes at ${feePerKb} per kB`,
      );
    }
    if (req.reserve ?? true) for (const c of inputs) this.pending.add(outpointKey(c.outpoint));
    return { tx, txid: reverseHex(txid(tx)), size, fee: selection.fee, inputs, change, frame };
  }

  /**
   * Funds a fluxnode collateral: an output of exactly the tier's amount (as the next block's height
   * requires it) to a new address of this wallet, locked against later payments.
   */
  createCollateral(
    tier: Tier,
    opts: { feePerKb?: bigint; label?: string; address?: string } = {},
  ): CollateralPayment {
    const amount = collateralFor(tier, this.nextHeight(), this.params)[0];
    if (amount === undefined)
      throw new WalletError('tier', `no ${tier} collateral amount at the next height`);
    const address = opts.address ?? this.newAddress(opts.label ?? `${tier} collateral`);
    if (!this.isMine(address))
      throw new WalletError('address', `${address} is not an address of this wallet`);
    const payment = this.createPayment({ to: [{ address, amount }], feePerKb: opts.feePerKb });
    const collateral = { txid: txid(payment.tx), index: 0 };
    this.lockCoin(collateral);
    return { ...payment, tier, amount, address, collateral };
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  private requireSource(): CoinSource {
    if (!this.source)
      throw new WalletError('source', 'the wallet has no coin source (connect it to a chain)');
    return this.source;
  }

  private scriptFor(address: string, field: string): Uint8Array {
    try {
      return scriptForAddress(address, this.params.base58);
    } catch (err) {
      if (err instanceof ConsensusError) throw new WalletError(field, `${address}: ${err.message}`);
      throw err;
    }
  }

  private signingKey(script: Uint8Array): KeyEntry {
    const key = this.keys.forScript(script);
    if (!key) throw new WalletError('inputs', `no key of this wallet signs for script ${toHex(script)}`);
    return key;
  }

  /**
   * The coins a payment may use: the named ones (which must be ours, unspent and mature; a locked
   * coin may be named on purpose), or every spendable coin. `heldBack` says what was left out.
   */
  private candidateCoins(named?: OutPoint[]): { coins: WalletCoin[]; heldBack: string } {
    const all = this.coins();
    if (named) {
      const byKey = new Map(all.map((c) => [outpointKey(c.outpoint), c]));
      const seen = new Set<string>();
      const coins = named.map((o, i) => {
        const key = outpointKey(o);
        const c = byKey.get(key);
        if (!c) throw new WalletError(`inputs[${i}]`, `${key} is not an unspent output of this wallet`);
        if (c.status === 'immature') {
          throw new WalletError(
            `inputs[${i}]`,
            `${key} is a coinbase output from height ${c.height}, spendable from height ${c.height + this.params.coinbaseMaturity}`,
          );
        }
        if (c.status === 'pending')
          throw new WalletError(`inputs[${i}]`, `${key} is already spent by a payment not yet mined`);
        if (seen.has(key)) throw new WalletError(`inputs[${i}]`, `${key} is named twice`);
        seen.add(key);
        return c;
      });
      return { coins: coins.map(stripInfo), heldBack: '' };
    }
    const sum = (s: CoinStatus) => all.filter((c) => c.status === s).reduce((n, c) => n + c.value, 0n);
    const notes: string[] = [];
    const immature = sum('immature');
    const locked = sum('locked') + sum('pending');
    if (immature > 0n) notes.push(`${immature} more in immature coinbase outputs`);
    if (locked > 0n) notes.push(`${locked} more locked or pending`);
    return { coins: all.filter((c) => c.status === 'spendable').map(stripInfo), heldBack: notes.join(', ') };
  }
}

function stripInfo(c: WalletCoinInfo): WalletCoin {
  return {
    outpoint: c.outpoint,
    value: c.value,
    scriptPubKey: c.scriptPubKey,
    height: c.height,
    coinbase: c.coinbase,
  };
}
