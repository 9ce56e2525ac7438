/**
 * `fluxnode wallet …`: the running node's own wallet, over JSON-RPC.
 *   wallet address [--label L]     a new receiving address
 *   wallet balance                 spendable, immature (coinbase), locked (collateral) and total FLUX
 *   wallet send ADDRESS AMOUNT     pay AMOUNT FLUX (up to 8 decimals); prints the txid
 *   wallet list                    addresses with labels, and the coins with their status
 */
import type { Command } from 'commander';
import { describe } from './list.ts';
import { CliError, formatTable, printJson } from '../output.ts';
import { type ConnectionFlags, connect, showFlux, withConnectionOptions } from '../rpc.ts';

type Flags = ConnectionFlags & { json?: boolean };

interface WalletInfo {
  balance: number;
  immature_balance: number;
  locked_balance: number;
  total_balance: number;
  keypoolsize: number;
}

interface AddressInfo {
  address: string;
  label: string;
}

interface Coin {
  txid: string;
  vout: number;
  amount: number;
  satoshis: string | number;
  height: number;
  status: string;
}

/** A FLUX amount as typed: digits with at most 8 decimals, more than zero. Kept as text so it stays exact. */
export function parseFluxAmount(text: string): string {
  const t = text.trim();
  if (!/^\d+(\.\d{1,8})?$/.test(t))
    throw new CliError(`AMOUNT must be FLUX with at most 8 decimals (e.g. 12.5), got "${text}"`);
  if (/^[0.]+$/.test(t)) throw new CliError(`AMOUNT must be more than zero, got "${text}"`);
  return t;
}

export function register(program: Command): void {
  const wallet = program.command('wallet').description(describe('wallet'));

  withConnectionOptions(
    wallet
      .command('address')
      .description('a new address of the node’s wallet')
      .option('--label <label>', 'label stored with the address', '')
      .option('--json', 'machine-readable output'),
  ).action(async (o: Flags & { label: string }) => {
    const address = await connect(o).call<string>('getnewaddress', [o.label]);
    if (o.json) printJson({ address, label: o.label });
    else process.stdout.write(`${address}\n`);
  });

  withConnectionOptions(
    wallet
      .command('balance')
      .description('spendable, immature, locked and total balance in FLUX')
      .option('--json', 'machine-readable output'),
  ).action(async (o: Flags) => {
    const info = await connect(o).call<WalletInfo>('getwalletinfo');
    if (o.json) {
      printJson(info);
      return;
    }
    const rows: [string, number][] = [
      ['spendable', info.balance],
      ['immature', info.immature_balance],
      ['locked', info.locked_balance],
      ['total', info.total_balance],
    ];
    process.stdout.write(
      `${formatTable(
        ['balance', 'FLUX'],
        rows.map(([k, v]) => [k, showFlux(v)]),
      )}\n`,
    );
  });

  withConnectionOptions(
    wallet
      .command('send')
      .description('pay FLUX from the node’s wallet; prints the txid')
      .argument('<address>', 'address to pay')
      .argument('<amount>', 'FLUX, up to 8 decimals')
      .option('--json', 'machine-readable output'),
  ).action(async (address: string, amountText: string, o: Flags) => {
    const amount = parseFluxAmount(amountText);
    const client = connect(o);
    const check = await client.call<{ isvalid: boolean; error?: string }>('validateaddress', [address]);
    if (!check.isvalid)
      throw new CliError(
        `ADDRESS "${address}" is not an address of the node’s network: ${check.error ?? ''}`,
      );
    const txid = await client.call<string>('sendtoaddress', [address, amount]);
    if (o.json) printJson({ txid, address, amount });
    else process.stdout.write(`${txid}\n`);
  });

  withConnectionOptions(
    wallet
      .command('list')
      .description('the wallet’s addresses and coins')
      .option('--json', 'machine-readable output'),
  ).action(async (o: Flags) => {
    const client = connect(o);
    const addresses = await client.call<AddressInfo[]>('listaddresses');
    const coins = await client.call<Coin[]>('listcoins');
    if (o.json) {
      printJson({
        addresses: addresses.map((a) => ({ address: a.address, label: a.label })),
        coins,
      });
      return;
    }
    const out = [
      formatTable(
        ['address', 'label'],
        addresses.map((a) => [a.address, a.label || '-']),
      ),
      '',
      coins.length === 0
        ? '(no coins)'
        : formatTable(
            ['coin', 'FLUX', 'height', 'status'],
            coins.map((c) => [`${c.txid}:${c.vout}`, showFlux(c.amount), c.height, c.status]),
          ),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  });
}
