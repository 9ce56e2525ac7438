/**
 * Fluxnode START and CONFIRM transactions, built and signed as fluxd expects them. What each key
 * signs, and the checks the chain applies, are consensus (consensus/fluxnode/signatures.ts); this
 * file only builds and signs.
 */
import {
  FLUXNODE_CONFIRM,
  FLUXNODE_INTERNAL_NORMAL_TX_VERSION,
  FLUXNODE_START,
  FLUXNODE_TX_UPGRADEABLE_VERSION,
  FLUXNODE_TX_VERSION,
  fluxnodeBenchmarkMessage,
  fluxnodeConfirmMessage,
  fluxnodeStartMessage,
  fluxnodeTransaction,
  type FluxnodeTx,
  type OutPoint,
  outpointKey,
  publicKeyOf,
  scriptPaysToPubKey,
  signMessage,
  type Tier,
  type Transaction,
} from '../consensus/index.ts';
import { WalletError } from './keystore.ts';
import type { Wallet } from './wallet.ts';

/** fluxd numbers the tiers 1 (Cumulus), 2 (Nimbus), 3 (Stratus) in CONFIRM's benchmarkTier. */
export const BENCHMARK_TIER_NUMBER: Record<Tier, number> = { cumulus: 1, nimbus: 2, stratus: 3 };

/** CONFIRM's nUpdateType: 0 the regular confirmation, 1 an update (new IP) between confirmations. */
export const CONFIRM_UPDATE_TYPE_INITIAL = 0;
export const CONFIRM_UPDATE_TYPE_UPDATE = 1;

export interface StartOptions {
  collateral: OutPoint;
  /** Private key of the collateral output's address. */
  collateralKey: Uint8Array;
  /** Whether the collateral address hashes the compressed public key (default true). */
  collateralCompressed?: boolean;
  /** The node's operator key, which will sign its CONFIRMs. */
  operatorPubKey: Uint8Array;
  sigTime: number;
  /** 5 (default) or 6 (upgradeable format, normal collateral layout). */
  version?: typeof FLUXNODE_TX_VERSION | typeof FLUXNODE_TX_UPGRADEABLE_VERSION;
}

export interface ConfirmOptions {
  collateral: OutPoint;
  /** The operator private key (its public key is the START's `pubKey`). */
  operatorKey: Uint8Array;
  operatorCompressed?: boolean;
  /** "host:port" the node serves on. */
  ip: string;
  sigTime: number;
  /** 1..3, see BENCHMARK_TIER_NUMBER. */
  benchmarkTier: number;
  benchmarkSigTime: number;
  updateType?: number;
  /**
   * The network's benchmark key, where the caller is the bench component (or a test standing in
   * for it). fluxd's benchmark daemon signs with a key the network trusts; an operator has none,
   * so without this key the benchmark is left unsigned for the bench process to attest.
   */
  benchmarkKey?: Uint8Array;
}

function requireUint32(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new WalletError(field, `must be a 32-bit unsigned integer, got ${v}`);
}

/** A signed START: the collateral key signs the txid (which leaves the signature out). */
export function buildFluxnodeStart(o: StartOptions): Transaction {
  requireUint32('sigTime', o.sigTime);
  const version = o.version ?? FLUXNODE_TX_VERSION;
  const compressed = o.collateralCompressed ?? true;
  const fluxnode: FluxnodeTx = {
    type: FLUXNODE_START,
    ...(version === FLUXNODE_TX_UPGRADEABLE_VERSION
      ? { fluxTxVersion: FLUXNODE_INTERNAL_NORMAL_TX_VERSION }
      : {}),
    collateral: { txid: Uint8Array.from(o.collateral.txid), index: o.collateral.index },
    collateralPubKey: publicKeyOf(o.collateralKey, compressed),
    pubKey: Uint8Array.from(o.operatorPubKey),
    sigTime: o.sigTime,
    sig: new Uint8Array(0),
  };
  const tx = fluxnodeTransaction(version, fluxnode);
  fluxnode.sig = signMessage(fluxnodeStartMessage(tx), o.collateralKey, { compressed });
  return tx;
}

/** A signed CONFIRM: the operator key signs the outpoint/update/time message (the benchmark: see benchmarkKey). */
export function buildFluxnodeConfirm(o: ConfirmOptions): Transaction {
  requireUint32('sigTime', o.sigTime);
  requireUint32('benchmarkSigTime', o.benchmarkSigTime);
  if (!Number.isInteger(o.benchmarkTier) || o.benchmarkTier < 1 || o.benchmarkTier > 3) {
    throw new WalletError(
      'benchmarkTier',
      `must be 1 (cumulus), 2 (nimbus) or 3 (stratus), got ${o.benchmarkTier}`,
    );
  }
  const updateType = o.updateType ?? CONFIRM_UPDATE_TYPE_INITIAL;
  if (updateType !== CONFIRM_UPDATE_TYPE_INITIAL && updateType !== CONFIRM_UPDATE_TYPE_UPDATE) {
    throw new WalletError('updateType', `must be 0 or 1, got ${updateType}`);
  }
  // fluxd carries the ip as raw bytes: text outside Latin-1 has no such form.
  if ([...o.ip].some((c) => c.charCodeAt(0) > 0xff || c.length > 1)) {
    throw new WalletError('ip', `${JSON.stringify(o.ip)} is not single-byte text`);
  }
  const compressed = o.operatorCompressed ?? true;
  const fluxnode: FluxnodeTx = {
    type: FLUXNODE_CONFIRM,
    collateral: { txid: Uint8Array.from(o.collateral.txid), index: o.collateral.index },
    sigTime: o.sigTime,
    benchmarkTier: o.benchmarkTier,
    benchmarkSigTime: o.benchmarkSigTime,
    updateType,
    ip: o.ip,
    sig: new Uint8Array(0),
    benchmarkSig: new Uint8Array(0),
  };
  const tx = fluxnodeTransaction(FLUXNODE_TX_VERSION, fluxnode);
  fluxnode.sig = signMessage(fluxnodeConfirmMessage(tx), o.operatorKey, { compressed });
  // The benchmark is attested by the bench process's key, never the operator's: without one given
  // here, benchmarkSig stays empty for the bench component to sign (cloud/benchmark/attest.ts).
  if (o.benchmarkKey) {
    fluxnode.benchmarkSig = signMessage(fluxnodeBenchmarkMessage(tx), o.benchmarkKey, { compressed: true });
  }
  return tx;
}

/**
 * A START for a collateral this wallet holds: finds the coin, checks it pays a P2PKH address of
 * ours, and signs with that address's key.
 */
export function startFromWallet(
  wallet: Wallet,
  o: { collateral: OutPoint; operatorPubKey: Uint8Array; sigTime: number; version?: StartOptions['version'] },
): Transaction {
  const key = outpointKey(o.collateral);
  const coin = wallet.coins().find((c) => outpointKey(c.outpoint) === key);
  if (!coin) throw new WalletError('collateral', `${key} is not an unspent output of this wallet`);
  const owner = wallet.keyForScript(coin.scriptPubKey);
  if (!owner || !scriptPaysToPubKey(coin.scriptPubKey, owner.publicKey)) {
    throw new WalletError('collateral', `${key} does not pay a P2PKH address of this wallet`);
  }
  return buildFluxnodeStart({
    collateral: o.collateral,
    collateralKey: owner.privateKey,
    collateralCompressed: owner.compressed,
    operatorPubKey: o.operatorPubKey,
    sigTime: o.sigTime,
    version: o.version,
  });
}
