/**
 * The owner wallet file: an app owner's own keys, encrypted like a node's wallet (wallet/keystore:
 * scrypt + AES-256-GCM), opened by the CLI only. The passphrase comes from --passphrase-file or
 * FLUXNODE_OWNER_PASSPHRASE; the network from --network, or the node's when one is named.
 */
import { existsSync } from 'node:fs';
import { type ConsensusParams, isNetworkName, type NetworkName, paramsFor } from '../../consensus/index.ts';
import { Wallet } from '../../wallet/index.ts';
import { CliError } from '../output.ts';
import { NodeClient } from '../rpc.ts';
import { readSecret } from '../secrets.ts';

export interface OwnerWalletFlags {
  walletFile: string;
  passphraseFile?: string;
  network?: string;
  node?: string;
}

export function ownerPassphrase(o: OwnerWalletFlags): string {
  const secret = readSecret({
    what: 'owner wallet passphrase',
    flag: ['--passphrase', undefined],
    file: ['--passphrase-file', o.passphraseFile],
    env: 'FLUXNODE_OWNER_PASSPHRASE',
  });
  if (!secret)
    throw new CliError(
      'the owner wallet needs a passphrase: --passphrase-file FILE or FLUXNODE_OWNER_PASSPHRASE',
    );
  return secret;
}

/** The network: --network, else the named node's, else mainnet. */
export async function ownerNetwork(o: OwnerWalletFlags): Promise<ConsensusParams> {
  let name: string = o.network ?? 'mainnet';
  if (!o.network && o.node)
    name = (await new NodeClient({ url: o.node }).get<{ network: string }>('/chain/info')).network;
  if (!isNetworkName(name)) throw new CliError(`unknown network "${name}"`);
  return paramsFor(name as NetworkName);
}

export function openOwnerWallet(o: OwnerWalletFlags, params: ConsensusParams): Wallet {
  if (!existsSync(o.walletFile))
    throw new CliError(
      `no owner wallet at ${o.walletFile} (fluxnode owner create --wallet-file ${o.walletFile})`,
    );
  try {
    // Owner coins are never collateral: nothing is held back.
    return Wallet.load(o.walletFile, ownerPassphrase(o), params, { autoLockCollaterals: false });
  } catch (err) {
    if (err instanceof Error && err.name === 'WalletError') throw new CliError(err.message, 1);
    throw err;
  }
}
