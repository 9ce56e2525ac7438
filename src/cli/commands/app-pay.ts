/**
 * `fluxnode app register|update|renew|quote SPEC`: paying for an app. Two ways to pay:
 *   --wallet-file F --node URL   the owner's own wallet: this CLI signs the spec and the payment and
 *                                hands both to any node's public API; no node sees the key
 *   (otherwise)                  the running node's wallet, over JSON-RPC (registerapp)
 * The node quotes first (what the payment does and what is due: an update pays its price minus
 * the unused value of the old version; a renewal extends the expiry by what it pays); `quote` and
 * --dry-run stop there. A payment that would change nothing is refused before anything is sent.
 */
import type { Command } from 'commander';
import type { PaymentKind } from '../../cloud/index.ts';
import { printJson } from '../output.ts';
import { openOwnerWallet, ownerNetwork } from '../owner/owner-wallet.ts';
import { type OwnerNodeApi, payForSpec, type QuoteJson, quoteSpec } from '../owner/pay.ts';
import {
  type ConnectionFlags,
  connect,
  DEFAULT_API_URL,
  NodeClient,
  showFlux,
  withConnectionOptions,
} from '../rpc.ts';

interface PayFlags extends ConnectionFlags {
  walletFile?: string;
  passphraseFile?: string;
  node?: string;
  dryRun?: boolean;
  json?: boolean;
}

const WHAT: Record<PaymentKind, string> = {
  register: 'register an app (its name must be free)',
  update: 'change a live app’s spec, paying its price minus the unused value of the current one',
  renew: 'pay again for a live app’s unchanged spec: its expiry moves by the blocks paid for',
};

export function quoteLines(q: QuoteJson): string {
  const lines = [`${q.kind} ${q.name} (spec hash ${q.specHash}) in block ${q.height}:`];
  lines.push(`  price for ${q.expire} blocks: ${showFlux(q.price)} FLUX`);
  if (q.kind === 'update') lines.push(`  unused value of the current version: ${showFlux(q.unused)} FLUX`);
  lines.push(`  due at least: ${showFlux(q.due)} FLUX; this pays ${showFlux(q.amount)} FLUX to ${q.address}`);
  return `${lines.join('\n')}\n`;
}

/** The owner's path: REST of any node, keys from the wallet file. */
async function viaOwnerWallet(spec: unknown, kind: PaymentKind | undefined, o: PayFlags): Promise<void> {
  const node = o.node ?? DEFAULT_API_URL;
  const api: OwnerNodeApi = new NodeClient({ url: node });
  if (o.dryRun) return show(await quoteSpec(api, spec, kind), o);
  const params = await ownerNetwork({ walletFile: o.walletFile!, node });
  const wallet = openOwnerWallet({ walletFile: o.walletFile!, passphraseFile: o.passphraseFile }, params);
  const r = await payForSpec(api, wallet, spec, params, kind);
  if (o.json) printJson(r);
  else
    process.stdout.write(
      `${r.kind} ${r.name}: spec hash ${r.specHash}\npaid ${showFlux(r.amount / 1e8)} FLUX in ${r.txid}\n` +
        'it takes effect once the payment is mined (fluxnode app status NAME)\n',
    );
}

/** The node wallet's path: JSON-RPC. */
async function viaNodeWallet(spec: unknown, kind: PaymentKind | undefined, o: PayFlags): Promise<void> {
  const client = connect(o);
  if (o.dryRun) return show(await client.call<QuoteJson>('appquote', kind ? [spec, kind] : [spec]), o);
  const r = await client.call<{ name: string; specHash: string; txid: string; price: number; kind: string }>(
    'registerapp',
    kind ? [spec, kind] : [spec],
  );
  if (o.json) printJson(r);
  else
    process.stdout.write(
      `${r.kind} ${r.name}: spec hash ${r.specHash}\npaid ${showFlux(r.price)} FLUX in ${r.txid}\n` +
        'it takes effect once the payment is mined (fluxnode app status NAME)\n',
    );
}

function show(q: QuoteJson, o: PayFlags): void {
  if (o.json) printJson(q);
  else process.stdout.write(quoteLines(q));
}

function payCommand(app: Command, name: string, description: string): Command {
  return withConnectionOptions(
    app
      .command(name)
      .description(description)
      .argument('<file>', 'spec file (.json, .yaml or .yml; - for stdin)')
      .option('--wallet-file <file>', 'pay from this owner wallet (fluxnode owner), not the node’s')
      .option('--passphrase-file <file>', 'the owner wallet’s passphrase (or FLUXNODE_OWNER_PASSPHRASE)')
      .option('--node <url>', 'with --wallet-file: any node’s public API', DEFAULT_API_URL)
      .option('--json', 'machine-readable output'),
  );
}

/** Adds register, update, renew and quote to `app`; `readSpec` reads a spec file as an object. */
export function registerPayCommands(app: Command, readSpec: (file: string) => unknown): void {
  for (const kind of ['register', 'update', 'renew'] as const)
    payCommand(app, kind, `${WHAT[kind]}; --dry-run only quotes`)
      .option('--dry-run', 'show the quote, pay nothing')
      .action((file: string, o: PayFlags) =>
        o.walletFile ? viaOwnerWallet(readSpec(file), kind, o) : viaNodeWallet(readSpec(file), kind, o),
      );
  payCommand(
    app,
    'quote',
    'what paying for the spec now would do (register, update or renew) and cost',
  ).action((file: string, o: PayFlags) => viaOwnerWallet(readSpec(file), undefined, { ...o, dryRun: true }));
}
