/**
 * `fluxnode owner …`: an app owner's own wallet, kept in a file of its own and never given to a
 * node (the node's wallet is `fluxnode wallet`). Spending from it: `fluxnode app register|update|
 * renew SPEC --wallet-file F --node URL`.
 *   owner create --wallet-file F        a new wallet with one key; prints its address
 *   owner import WIF|- --wallet-file F  adds a key (WIF; - reads it from stdin); creates F if needed
 *   owner address --wallet-file F       the wallet's addresses
 *   owner balance --wallet-file F --node URL   each address's balance through the node's API
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe } from './list.ts';
import { ConsensusError } from '../../consensus/index.ts';
import { Wallet } from '../../wallet/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';
import {
  type OwnerWalletFlags,
  openOwnerWallet,
  ownerNetwork,
  ownerPassphrase,
} from '../owner/owner-wallet.ts';
import { DEFAULT_API_URL, NodeClient, showFlux } from '../rpc.ts';

type Flags = OwnerWalletFlags & { json?: boolean };

function withWalletOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--wallet-file <file>', 'the owner wallet file')
    .option('--passphrase-file <file>', 'its passphrase, first line (or FLUXNODE_OWNER_PASSPHRASE)')
    .option('--network <name>', 'mainnet, testnet, devnet or regtest (default: the node’s, else mainnet)')
    .option(
      '--node <url>',
      `a node’s public API, for its network and balances (balance: default ${DEFAULT_API_URL})`,
    )
    .option('--json', 'machine-readable output');
}

interface AddressJson {
  balanceSat: string | number;
  spendableSat: string | number;
  immatureSat: string | number;
  utxos: number;
}

export function register(program: Command): void {
  const owner = program.command('owner').description(describe('owner'));

  withWalletOptions(owner.command('create').description('a new owner wallet with one key')).action(
    async (o: Flags) => {
      if (existsSync(o.walletFile))
        throw new CliError(`${o.walletFile} exists: refusing to overwrite a wallet`);
      const params = await ownerNetwork(o);
      const wallet = new Wallet(params);
      const address = wallet.newAddress('owner');
      wallet.save(o.walletFile, ownerPassphrase(o));
      if (o.json) printJson({ address, walletFile: o.walletFile, network: params.network });
      else process.stdout.write(`${address}\n`);
    },
  );

  withWalletOptions(
    owner
      .command('import')
      .description('add a private key (WIF) to the owner wallet, creating it if needed')
      .argument('<wif>', 'the key in WIF, or - to read it from stdin (keeps it out of ps)'),
  ).action(async (wif: string, o: Flags) => {
    const params = await ownerNetwork(o);
    const wallet = existsSync(o.walletFile) ? openOwnerWallet(o, params) : new Wallet(params);
    const text = wif === '-' ? readFileSync(0, 'utf8').trim() : wif;
    let address: string;
    try {
      address = wallet.importWif(text, 'owner');
    } catch (err) {
      if (err instanceof ConsensusError || (err instanceof Error && err.name === 'WalletError'))
        throw new CliError(`not a ${params.network} private key in WIF: ${err.message}`);
      throw err;
    }
    wallet.save(o.walletFile, ownerPassphrase(o));
    if (o.json) printJson({ address });
    else process.stdout.write(`${address}\n`);
  });

  withWalletOptions(owner.command('address').description('the owner wallet’s addresses')).action(
    async (o: Flags) => {
      const list = openOwnerWallet(o, await ownerNetwork(o)).listAddresses();
      if (o.json) printJson(list.map((k) => k.address));
      else process.stdout.write(list.map((k) => `${k.address}\n`).join(''));
    },
  );

  withWalletOptions(
    owner
      .command('balance')
      .description('the balance of each owner address, through any node’s API (its address index)'),
  ).action(async (o: Flags) => {
    const node = o.node ?? DEFAULT_API_URL;
    const wallet = openOwnerWallet(o, await ownerNetwork({ ...o, node }));
    const client = new NodeClient({ url: node });
    const rows = [];
    for (const { address } of wallet.listAddresses()) {
      const a = await client.get<AddressJson>(`/chain/address/${encodeURIComponent(address)}?limit=1`);
      rows.push({
        address,
        balanceSat: Number(a.balanceSat),
        spendableSat: Number(a.spendableSat),
        utxos: a.utxos,
      });
    }
    if (o.json) {
      printJson(rows);
      return;
    }
    const flux = (sat: number) => showFlux(sat / 1e8);
    process.stdout.write(
      `${formatTable(
        ['address', 'balance', 'spendable', 'coins'],
        rows.map((r) => [r.address, flux(r.balanceSat), flux(r.spendableSat), r.utxos]),
      )}\n`,
    );
  });
}
