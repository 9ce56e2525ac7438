/**
 * `fluxnode start --datadir DIR [--network devnet] [--host IP] …`: runs one node until SIGINT or
 * SIGTERM, then stops cleanly (the chain database is never left mid-block).
 */
import { isIP, isIPv4 } from 'node:net';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describe } from './list.ts';
import { isNetworkName, NETWORKS, paramsFor } from '../../consensus/index.ts';
import {
  DEFAULT_API_PORT,
  DEFAULT_RPC_PORT,
  type NodeOptions,
  parseHolderSnapshot,
} from '../../node/index.ts';
import { allowList, isLoopback } from '../../api/index.ts';
import { CliError } from '../output.ts';
import { readSecret } from '../secrets.ts';

function port(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`${name} must be a port number (0-65535), got "${value}"`);
  return n;
}

function ip(value: string, name: string): string {
  if (!isIP(value)) throw new CliError(`${name} must be an IP address, got "${value}"`);
  return value;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(describe('start'))
    .requiredOption('--datadir <dir>', 'folder for the chain, keys and app data')
    .option('--network <name>', `network: ${NETWORKS.join(', ')}`, 'devnet')
    .option('--host <ip>', 'IPv4 address to bind and announce', '127.0.0.1')
    .option('--p2p-port <port>', 'libp2p TCP port (default: the network’s port)')
    .option('--api-port <port>', 'public HTTP port: REST, WebSocket, dashboard', String(DEFAULT_API_PORT))
    .option('--rpc-port <port>', 'JSON-RPC port (private: see --rpc-bind)', String(DEFAULT_RPC_PORT))
    .option(
      '--rpc-bind <ip>',
      'address JSON-RPC binds (beyond loopback only with --rpc-allow-ip)',
      '127.0.0.1',
    )
    .option('--rpc-allow-ip <ip/cidr...>', 'clients allowed to use JSON-RPC besides this machine', [])
    .option('--bootstrap <addr...>', 'peers to connect to (host:port or multiaddr)', [])
    .option('--rpc-user <user>', 'JSON-RPC user, or FLUXNODE_RPC_USER (default: cookie in <datadir>/.cookie)')
    .option('--rpc-password-file <file>', 'JSON-RPC password from this file (or FLUXNODE_RPC_PASSWORD)')
    .option('--rpc-password <password>', 'JSON-RPC password (visible in ps: prefer the file or variable)')
    .option('--mine-to <address>', 'mine with the CPU, paying the miner share to this address')
    .option('--mine-interval-ms <ms>', 'at most one mined block per this many milliseconds', '0')
    .option('--stratum-port <port>', 'serve GPU miners over stratum on this port')
    .option('--fluxnode', 'host apps: run the cloud agent once this node is a registered fluxnode')
    .option('--docker-socket <path>', 'this node’s Docker engine socket (for --fluxnode)')
    .option('--no-mesh', 'no routing mesh: do not answer on app ports for instances elsewhere (HAProxy)')
    .option(
      '--geolocation <place>',
      'where this fluxnode is, for apps with location rules: <continent>[_<country>[_<region>]], e.g. EU_DE',
    )
    .option(
      '--syncthing-port <port>',
      'Syncthing’s sync port for replicated app data (default: API port + 2)',
    )
    .option('--syncthing-rest-port <port>', 'Syncthing’s REST port, loopback only (default: API port + 3)')
    .option(
      '--wallet-passphrase-file <file>',
      'wallet passphrase from this file (or FLUXNODE_WALLET_PASSPHRASE)',
    )
    .option('--wallet-passphrase <text>', 'wallet passphrase (visible in ps: prefer the file or variable)')
    .option('--pool [address]', 'run a staking pool at this wallet address (default: a new wallet key)')
    .option('--pool-fee-bps <n>', 'the pool operator’s cut of each node payment, basis points', '500')
    .option('--pool-notice <blocks>', 'blocks between a withdrawal request and its payment', '720')
    .option(
      '--holder-snapshot <asset:height>',
      'give every holder ASSET at block HEIGHT, 0.1 per FLUX held (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .action(async (o) => {
      if (!isNetworkName(o.network))
        throw new CliError(`unknown network "${o.network}" (one of: ${NETWORKS.join(', ')})`);
      if (!isIPv4(o.host)) throw new CliError(`--host must be an IPv4 address, got "${o.host}"`);
      const params = paramsFor(o.network);
      try {
        allowList(o.rpcAllowIp);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (!isLoopback(ip(o.rpcBind, '--rpc-bind')) && o.rpcAllowIp.length === 0)
        throw new CliError(
          `--rpc-bind ${o.rpcBind} would serve JSON-RPC (wallet, app registration) beyond this machine: also give --rpc-allow-ip`,
        );
      const opts: NodeOptions = {
        network: o.network,
        dataDir: resolve(o.datadir),
        host: o.host,
        p2pPort: o.p2pPort === undefined ? params.defaultPort : port(o.p2pPort, '--p2p-port'),
        apiPort: port(o.apiPort, '--api-port'),
        bootstrap: o.bootstrap,
        rpcUser: o.rpcUser ?? (process.env.FLUXNODE_RPC_USER || undefined),
        rpcPassword: readSecret({
          what: 'RPC password',
          flag: ['--rpc-password', o.rpcPassword],
          file: ['--rpc-password-file', o.rpcPasswordFile],
          env: 'FLUXNODE_RPC_PASSWORD',
        }),
        rpcPort: port(o.rpcPort, '--rpc-port'),
        rpcBind: ip(o.rpcBind, '--rpc-bind'),
        rpcAllowIp: o.rpcAllowIp,
        mineTo: o.mineTo,
        mineIntervalMs: Number(o.mineIntervalMs) || 0,
        stratumPort: o.stratumPort === undefined ? undefined : port(o.stratumPort, '--stratum-port'),
        walletPassphrase: readSecret({
          what: 'wallet passphrase',
          flag: ['--wallet-passphrase', o.walletPassphrase],
          file: ['--wallet-passphrase-file', o.walletPassphraseFile],
          env: 'FLUXNODE_WALLET_PASSPHRASE',
        }),
        fluxnode: Boolean(o.fluxnode),
        dockerSocket: o.dockerSocket,
        mesh: o.mesh !== false,
        geolocation: o.geolocation,
        syncthingPort: o.syncthingPort === undefined ? undefined : port(o.syncthingPort, '--syncthing-port'),
        syncthingRestPort:
          o.syncthingRestPort === undefined ? undefined : port(o.syncthingRestPort, '--syncthing-rest-port'),
        logLevel: o.logLevel,
        holderSnapshots: holderSnapshots(o.holderSnapshot),
        ...(o.pool
          ? {
              pool: {
                ...(typeof o.pool === 'string' ? { address: o.pool } : {}),
                feeBps: wholeNumber(o.poolFeeBps, '--pool-fee-bps'),
                noticeBlocks: wholeNumber(o.poolNotice, '--pool-notice'),
              },
            }
          : {}),
      };
      // Loaded here, not at the top: every other command starts a second faster without the node's graph.
      const { FluxNode } = await import('../../node/index.ts');
      const node = await FluxNode.start(opts);
      // Every server contains its own failures; a rejection still reaching here is a bug to log
      // with its stack, not a reason to take the chain, wallet and apps down with it.
      process.on('unhandledRejection', (reason) =>
        node.log.error({ err: reason }, 'unhandled promise rejection (a bug: please report it)'),
      );
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          node.stop().then(done, (err) => {
            process.stderr.write(`fluxnode: stop failed: ${String(err)}\n`);
            process.exitCode = 1;
            done();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new CliError(`${flag} must be a whole number, got "${text}"`);
  return Number(text);
}

function holderSnapshots(texts: string[]): NonNullable<NodeOptions['holderSnapshots']> {
  try {
    return texts.map(parseHolderSnapshot);
  } catch (err) {
    throw new CliError(`${(err as Error).message} (field: holderSnapshots)`);
  }
}
