/**
 * `fluxnode assets …`: parallel assets of a fluxnode payout address, over a node's JSON-RPC.
 *   assets balance ADDRESS                         earnings and every asset's accrued/claimable/pending
 *   assets claim --asset A --to ADDR --key WIF     build the claim transaction here, signed with the
 *                                                  payout address's key, and send it
 *   assets snapshot --asset A                      the asset's latest claim snapshot (Merkle root, proofs)
 * The key never leaves this process: only the signed transaction goes to the node.
 */
import type { Command } from 'commander';
import { describe } from './list.ts';
import {
  addressForPublicKey,
  ConsensusError,
  decodeWif,
  encodeTransaction,
  fromHex,
  type NetworkName,
  paramsFor,
  publicKeyOf,
  toHex,
} from '../../consensus/index.ts';
import { claimPayment, EconomyError, PARALLEL_ASSETS } from '../../economy/index.ts';
import { InsufficientFundsError, Wallet, type WalletCoin } from '../../wallet/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';
import { type ConnectionFlags, connect, type NodeClient, showFlux, withConnectionOptions } from '../rpc.ts';

type Flags = ConnectionFlags & { json?: boolean };

interface AssetRow {
  asset: string;
  chain: string;
  decimals: number;
  launched: boolean;
  launch_time: number | null;
  status: 'claimable' | 'pending';
  accrued: string;
  matured: string;
  claimed: string;
  claimable: string;
  pending: string;
  immature: string;
  next_nonce: number;
}

interface Balance {
  address: string;
  height: number;
  time: number;
  matured_height: number;
  earnings: { payouts: number; total: number; eligible: number };
  assets: AssetRow[];
}

/** Units of an asset with `decimals` as a token amount, exact (no floating point). */
export function formatUnits(units: string | bigint, decimals: number): string {
  const v = BigInt(units);
  if (decimals === 0) return v.toString();
  const base = 10n ** BigInt(decimals);
  const frac = (v % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return frac ? `${v / base}.${frac}` : `${v / base}`;
}

/** A token amount as typed (e.g. 12.5) to units; refuses more decimals than the asset has. */
export function parseTokenAmount(text: string, decimals: number): bigint {
  const t = text.trim();
  const [, whole, frac = ''] = /^(\d+)(?:\.(\d+))?$/.exec(t) ?? [];
  if (whole === undefined)
    throw new CliError(`--amount must be a number of tokens such as 12.5, got "${text}"`);
  if (frac.length > decimals)
    throw new CliError(`--amount has ${frac.length} decimals, the asset has ${decimals}: "${text}"`);
  const units = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
  if (units <= 0n) throw new CliError(`--amount must be more than zero, got "${text}"`);
  return units;
}

/** The node's network, as getblockchaininfo names it. */
export async function networkOf(client: NodeClient): Promise<NetworkName> {
  const info = await client.call<{ chain: string }>('getblockchaininfo');
  const names: Record<string, NetworkName> = {
    main: 'mainnet',
    test: 'testnet',
    regtest: 'regtest',
    devnet: 'devnet',
  };
  const network = names[info.chain];
  if (!network) throw new CliError(`the node runs an unknown network "${info.chain}"`, 1);
  return network;
}

/**
 * An address's coins as the node's address index lists them. The index does not say which are
 * coinbase outputs: for a coin young enough for that to matter the node's `gettxout` is asked, and
 * one it cannot tell about is taken as a coinbase (left alone rather than refused by the pool).
 */
export async function coinSource(client: NodeClient, address: string, maturity: number) {
  const tip = await client.call<number>('getblockcount');
  const rows = await client.call<
    { txid: string; outputIndex: number; script: string; satoshis: number; height: number }[]
  >('getaddressutxos', [address]);
  const coins: WalletCoin[] = [];
  for (const u of rows) {
    let coinbase = false;
    if (tip + 1 - u.height < maturity) {
      const out = await client
        .call<{ coinbase: boolean } | null>('gettxout', [u.txid, u.outputIndex])
        .catch(() => null);
      coinbase = out?.coinbase ?? true;
    }
    coins.push({
      outpoint: { txid: fromHex(u.txid, 'txid').reverse(), index: u.outputIndex },
      value: BigInt(u.satoshis),
      scriptPubKey: fromHex(u.script, 'script'),
      height: u.height,
      coinbase,
    });
  }
  return { coinsFor: () => coins, tipHeight: () => tip };
}

function findAsset(balance: Balance, id: string): AssetRow {
  const row = balance.assets.find((a) => a.asset.toUpperCase() === id.toUpperCase());
  if (!row)
    throw new CliError(
      `--asset "${id}" is not a parallel asset; known: ${balance.assets.map((a) => a.asset).join(', ')}`,
    );
  return row;
}

function balanceTable(b: Balance): string {
  const t = (row: AssetRow, v: string) => formatUnits(v, row.decimals);
  return [
    `address ${b.address} at height ${b.height}: ${b.earnings.payouts} fluxnode payments, ${showFlux(b.earnings.total)} FLUX earned (${showFlux(b.earnings.eligible)} accruing)`,
    `claims count payments up to height ${b.matured_height}`,
    '',
    formatTable(
      ['asset', 'chain', 'status', 'accrued', 'claimable', 'pending', 'immature', 'claimed'],
      b.assets.map((a) => [
        a.asset,
        a.chain,
        a.status,
        t(a, a.accrued),
        t(a, a.claimable),
        t(a, a.pending),
        t(a, a.immature),
        t(a, a.claimed),
      ]),
    ),
  ].join('\n');
}

export function register(program: Command): void {
  const assets = program.command('assets').description(describe('assets'));

  withConnectionOptions(
    assets
      .command('balance')
      .description('fluxnode earnings of a payout address and its accrual in every parallel asset')
      .argument('<address>', 'a fluxnode payout (collateral) address')
      .option('--json', 'machine-readable output'),
  ).action(async (address: string, o: Flags) => {
    const b = await connect(o).call<Balance>('getassetbalance', [address]);
    if (o.json) printJson(b);
    else process.stdout.write(`${balanceTable(b)}\n`);
  });

  withConnectionOptions(
    assets
      .command('claim')
      .description('claim a parallel asset: signed here with the payout address’s key, recorded by the node')
      .requiredOption('--asset <id>', 'the asset, e.g. FLUX-ETH')
      .requiredOption('--to <address>', 'your address on the asset’s chain')
      .requiredOption('--key <wif>', 'private key (WIF) of the payout address')
      .option('--amount <tokens>', 'tokens to claim (default: everything claimable)')
      .option('--json', 'machine-readable output'),
  ).action(async (o: Flags & { asset: string; to: string; key: string; amount?: string }) => {
    const client = connect(o);
    const params = paramsFor(await networkOf(client));
    let key: { privateKey: Uint8Array; compressed: boolean };
    try {
      key = decodeWif(o.key, params.base58.secretKey);
    } catch (err) {
      if (err instanceof ConsensusError) throw new CliError(`--key: ${err.message}`);
      throw err;
    }
    const source = addressForPublicKey(publicKeyOf(key.privateKey, key.compressed), params.base58);
    const balance = await client.call<Balance>('getassetbalance', [source]);
    const row = findAsset(balance, o.asset);
    const claimable = BigInt(row.claimable);
    if (!row.launched)
      throw new CliError(
        `${row.asset} has not launched: ${formatUnits(row.pending, row.decimals)} is pending for ${source}`,
        1,
      );
    const amount = o.amount === undefined ? claimable : parseTokenAmount(o.amount, row.decimals);
    if (claimable === 0n)
      throw new CliError(
        `nothing of ${row.asset} is claimable for ${source} (${formatUnits(row.immature, row.decimals)} still maturing)`,
        1,
      );
    if (amount > claimable)
      throw new CliError(
        `--amount ${formatUnits(amount, row.decimals)} is more than the ${formatUnits(claimable, row.decimals)} ${row.asset} claimable for ${source}`,
      );
    const wallet = new Wallet(params);
    wallet.importWif(o.key);
    wallet.setSource(await coinSource(client, source, params.coinbaseMaturity));
    const claim = {
      assetId: row.asset,
      sourceAddress: source,
      targetAddress: o.to,
      amount,
      nonce: row.next_nonce,
    };
    let hex: string;
    try {
      hex = toHex(encodeTransaction(claimPayment(wallet, claim, PARALLEL_ASSETS).tx));
    } catch (err) {
      // A fault in what was typed is a usage error (2); a wallet that cannot pay is 1.
      if (err instanceof EconomyError) throw new CliError(err.message);
      if (err instanceof InsufficientFundsError) throw new CliError(err.message, 1);
      throw err;
    }
    const txid = await client.call<string>('sendrawtransaction', [hex]);
    const result = { ...claim, amount: amount.toString(), txid };
    if (o.json) printJson(result);
    else
      process.stdout.write(
        `sent claim of ${formatUnits(amount, row.decimals)} ${row.asset} for ${source} to ${o.to}\ntransaction ${txid}: it counts once a block carries it\n`,
      );
  });

  withConnectionOptions(
    assets
      .command('snapshot')
      .description('an asset’s latest claim snapshot: Merkle root, claims and proofs')
      .requiredOption('--asset <id>', 'the asset, e.g. FLUX-ETH')
      .option('--json', 'machine-readable output'),
  ).action(async (o: Flags & { asset: string }) => {
    const client = connect(o);
    const s = await client.call<{
      asset: string;
      snapshots: number;
      snapshot: { snapshot: number; root: string; hash: string; leafCount: number; total: string } | null;
      awaiting: unknown[];
    }>('getassetsnapshot', [o.asset]);
    if (o.json) printJson(s);
    else if (!s.snapshot)
      process.stdout.write(`${s.asset}: no snapshot yet; ${s.awaiting.length} claims awaiting one\n`);
    else
      process.stdout.write(
        `${s.asset} snapshot ${s.snapshot.snapshot} (${s.snapshots} in all): ${s.snapshot.leafCount} claims, total ${s.snapshot.total} units\nroot ${s.snapshot.root} (${s.snapshot.hash})\n${s.awaiting.length} claims awaiting the next snapshot\n`,
      );
  });
}
