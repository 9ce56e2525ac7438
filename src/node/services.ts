/**
 * The node's stateful core, built before anything that uses it: consensus params, the logger, the
 * chain (a complete validator with its own fluxnode list) and its extensions (app payments, tx and
 * address indexes, economy) in one
 * SQLite database, and the wallet reading coins from the address index.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { AddressIndex, Chain, installEcdsaBackend, TxIndexExtension } from '../chain/index.ts';
import { appPaymentScriptFor, AppPaymentsExtension } from '../cloud/index.ts';
import { type ConsensusParams, paramsFor, txid } from '../consensus/index.ts';
import { EconomyExtension, type EconomyOptions, type HolderBalances } from '../economy/index.ts';
import { Wallet } from '../wallet/index.ts';
import { createNodeMetrics, type NodeMetrics } from './metrics.ts';
import type { NodeOptions } from './options.ts';

export interface ChainServices {
  params: ConsensusParams;
  log: Logger;
  /** Every layer's metrics, served at GET /metrics. */
  metrics: NodeMetrics;
  chain: Chain;
  appPayments: AppPaymentsExtension;
  txIndex: TxIndexExtension;
  addressIndex: AddressIndex;
  economy: EconomyExtension;
  wallet: Wallet;
}

function walletFile(opts: NodeOptions): string {
  return join(opts.dataDir, 'wallet.json');
}

/** The wallet passphrase: given, from the environment, or on devnet/regtest a well-known default. */
function walletPassphrase(opts: NodeOptions): string {
  const given = opts.walletPassphrase ?? process.env.FLUXNODE_WALLET_PASSPHRASE;
  if (given) return given;
  if (opts.network === 'devnet' || opts.network === 'regtest') return opts.network;
  throw new Error(
    `a wallet passphrase is needed on ${opts.network}: pass --wallet-passphrase or set FLUXNODE_WALLET_PASSPHRASE`,
  );
}

export function saveWallet(wallet: Wallet, opts: NodeOptions): void {
  wallet.save(walletFile(opts), walletPassphrase(opts));
}

/** The economy's options from the node's: the address index as holder source, the snapshots asked for. */
export function economyOptionsOf(
  opts: NodeOptions,
  params: ConsensusParams,
  holders: HolderBalances,
): EconomyOptions {
  return { params, holders, holderSnapshots: opts.holderSnapshots ?? [] };
}

/** Opens the chain database (with every extension) and the wallet. */
export async function openChainServices(opts: NodeOptions): Promise<ChainServices> {
  const params = paramsFor(opts.network);
  const log = pino({ level: opts.logLevel ?? 'info', base: { node: opts.host } }, pino.destination(2));
  const metrics = createNodeMetrics();
  // Native libsecp256k1 where the addon loads, WebAssembly otherwise (the pool's workers do the same).
  log.info({ secp256k1: installEcdsaBackend().name }, 'signature backend');
  const appPayments = new AppPaymentsExtension(appPaymentScriptFor(params), txid);
  const txIndex = new TxIndexExtension();
  const addressIndex = new AddressIndex({ coinbaseMaturity: params.coinbaseMaturity });
  const economy = new EconomyExtension(economyOptionsOf(opts, params, addressIndex));
  const chain = await Chain.open(join(opts.dataDir, 'chain'), params, {
    extensions: [appPayments, txIndex, addressIndex, economy],
    metrics: metrics.chain,
    log: log.child({ module: 'chain' }),
  });
  const wallet = existsSync(walletFile(opts))
    ? Wallet.load(walletFile(opts), walletPassphrase(opts), params)
    : new Wallet(params);
  wallet.setSource(addressIndex);
  return { params, log, metrics, chain, appPayments, txIndex, addressIndex, economy, wallet };
}

/** The key this node signs CONFIRMs and cloud messages with: kept in its wallet under a fixed label. */
export function operatorKeyOf(wallet: Wallet, save: () => void): Uint8Array {
  const label = 'fluxnode operator';
  const existing = wallet.keys.entries().find((k) => k.label === label);
  if (existing) return existing.privateKey;
  const entry = wallet.keys.generate(label);
  save();
  return entry.privateKey;
}
