/**
 * `fluxnode pool …`: a node's staking pool over its JSON-RPC.
 *   pool info                                   the pool's address, terms, totals and its Stratus node
 *   pool staker ADDRESS                         a holder's stake, share, rewards, pending withdrawals
 *   pool journal [--from N]                     the public journal
 *   pool verify                                 replay the journal and the chain: both must match
 *   pool stake AMOUNT (--key WIF | --from ADDR) stake FLUX: a payment to the pool with the stake marker
 *   pool withdraw AMOUNT (--key WIF | --from ADDR)  ask for FLUX back after the notice period
 * With --key the transaction is built and signed here (the key stays in this process); with --from
 * the node's wallet holds the holder's key.
 */
import type { Command } from 'commander';
import { encodeTransaction, paramsFor, toHex } from '../../consensus/index.ts';
import { EconomyError, stakePayment, withdrawPayment } from '../../economy/index.ts';
import { InsufficientFundsError, Wallet } from '../../wallet/index.ts';
import { CliError, printJson } from '../output.ts';
import { type ConnectionFlags, connect, type NodeClient, withConnectionOptions } from '../rpc.ts';
import { coinSource, networkOf } from './assets.ts';
import { describe } from './list.ts';
import { parseFluxAmount } from './wallet.ts';

type Flags = ConnectionFlags & { json?: boolean };
type SendFlags = Flags & { key?: string; from?: string };

function show(o: unknown, json?: boolean): void {
  if (json) printJson(o);
  else process.stdout.write(`${JSON.stringify(o, null, 2)}\n`);
}

const sats = (flux: string) => {
  const [whole = '0', frac = ''] = flux.split('.');
  return BigInt(whole) * 100_000_000n + BigInt(frac.padEnd(8, '0'));
};

/** Builds the holder's transaction here from a WIF key and sends it raw. */
async function sendWithKey(client: NodeClient, key: string, kind: 'stake' | 'withdraw', amount: string) {
  const params = paramsFor(await networkOf(client));
  const wallet = new Wallet(params);
  const holder = wallet.importWif(key);
  wallet.setSource(await coinSource(client, holder, params.coinbaseMaturity));
  const pool = (await client.call<{ address: string }>('getpoolinfo')).address;
  try {
    const payment =
      kind === 'stake'
        ? stakePayment(wallet, holder, pool, sats(amount))
        : withdrawPayment(wallet, holder, pool, sats(amount), params);
    return await client.call<string>('sendrawtransaction', [toHex(encodeTransaction(payment.tx))]);
  } catch (err) {
    if (err instanceof EconomyError || err instanceof InsufficientFundsError)
      throw new CliError(err.message, 1);
    throw err;
  }
}

function sender(kind: 'stake' | 'withdraw') {
  return async (amountText: string, o: SendFlags) => {
    const amount = parseFluxAmount(amountText);
    if (!o.key === !o.from)
      throw new CliError('give one of --key WIF (sign here) or --from ADDRESS (the node’s wallet)');
    const client = connect(o);
    const txid = o.key
      ? await sendWithKey(client, o.key, kind, amount)
      : await client.call<string>(kind === 'stake' ? 'poolstake' : 'poolwithdraw', [o.from, Number(amount)]);
    if (o.json) printJson({ txid });
    else
      process.stdout.write(
        `${kind === 'stake' ? 'staked' : 'asked to withdraw'} ${amount} FLUX: transaction ${txid}\n`,
      );
  };
}

export function register(program: Command): void {
  const pool = program.command('pool').description(describe('pool'));
  const read = (name: string, what: string) =>
    withConnectionOptions(pool.command(name).description(what).option('--json', 'machine-readable output'));
  read('info', 'the pool’s address, terms, totals and its Stratus node').action(async (o: Flags) =>
    show(await connect(o).call('getpoolinfo'), o.json),
  );
  read('staker', 'a holder’s stake, share, rewards and pending withdrawals')
    .argument('<address>', 'the holder’s address')
    .action(async (address: string, o: Flags) =>
      show(await connect(o).call('getpoolstaker', [address]), o.json),
    );
  read('journal', 'the pool’s public journal')
    .option('--from <n>', 'first entry', '0')
    .action(async (o: Flags & { from: string }) =>
      show(await connect(o).call('getpooljournal', [Number(o.from)]), o.json),
    );
  read('verify', 'replay the journal and recompute it from the chain').action(async (o: Flags) => {
    const v = await connect(o).call<{ journal_replay: string; chain_replay: string }>('verifypool');
    show(v, o.json);
    if (v.journal_replay !== 'equal' || v.chain_replay !== 'equal') process.exitCode = 1;
  });
  for (const kind of ['stake', 'withdraw'] as const) {
    withConnectionOptions(
      pool
        .command(kind)
        .description(
          kind === 'stake' ? 'stake FLUX in the pool' : 'ask the pool for FLUX back after its notice period',
        )
        .argument('<amount>', 'FLUX, e.g. 1500.5')
        .option('--key <wif>', 'the holder’s private key (the transaction is signed here)')
        .option('--from <address>', 'a holder address whose key is in the node’s wallet')
        .option('--json', 'machine-readable output'),
    ).action(sender(kind));
  }
}
