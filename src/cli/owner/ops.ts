/**
 * An owner's operation on every instance of an app, from the CLI: find where the app runs through
 * any node's API, sign one request naming those nodes (owner-request.ts: op, app, nodes, a fresh
 * nonce, the time) with the owner's key, and hand it to the node, which carries it to the others.
 * The key stays here: it comes from the owner wallet file or a WIF, and only the signature leaves.
 */
import { randomBytes } from 'node:crypto';
import type { OwnerOpAnswer } from '../../api/index.ts';
import { type OwnerOp, type OwnerRequest, signOwnerRequest } from '../../cloud/index.ts';
import {
  addressForPublicKey,
  ConsensusError,
  decodeWif,
  isNetworkName,
  paramsFor,
  publicKeyOf,
} from '../../consensus/index.ts';
import { CliError } from '../output.ts';
import type { NodeClient } from '../rpc.ts';
import { openOwnerWallet } from './owner-wallet.ts';

export interface OwnerKeyFlags {
  walletFile?: string;
  passphraseFile?: string;
  ownerKey?: string;
}

export interface AppOwnerView {
  name: string;
  owner: string;
  locations: { node: string }[];
}

/** The private key of `owner`: from the owner wallet file, else a WIF (--owner-key or FLUXNODE_OWNER_KEY). */
export async function ownerKeyFor(client: NodeClient, owner: string, o: OwnerKeyFlags): Promise<Uint8Array> {
  const { network } = await client.get<{ network: string }>('/chain/info');
  if (!isNetworkName(network)) throw new CliError(`the node runs an unknown network "${network}"`, 1);
  const params = paramsFor(network);
  if (o.walletFile) {
    const key = openOwnerWallet(
      { walletFile: o.walletFile, passphraseFile: o.passphraseFile },
      params,
    ).keys.get(owner);
    if (!key)
      throw new CliError(`the app's owner ${owner} is not a key of ${o.walletFile} (fluxnode owner import)`);
    return key.privateKey;
  }
  const wif = o.ownerKey ?? process.env.FLUXNODE_OWNER_KEY;
  if (!wif)
    throw new CliError('the owner’s key is needed: --wallet-file F, or --owner-key WIF (FLUXNODE_OWNER_KEY)');
  let key: { privateKey: Uint8Array; compressed: boolean };
  try {
    key = decodeWif(wif, params.base58.secretKey);
  } catch (err) {
    if (err instanceof ConsensusError)
      throw new CliError(`the owner key is not a WIF private key of ${network}: ${err.message}`);
    throw err;
  }
  const signer = addressForPublicKey(publicKeyOf(key.privateKey, key.compressed), params.base58);
  if (signer !== owner)
    throw new CliError(`the owner key is for ${signer}, but the app is owned by ${owner}`);
  return key.privateKey;
}

export interface OpArgs {
  tail?: number;
  since?: number;
  hard?: boolean;
}

/** Signs `op` for every node the app is placed on and sends it through `client`. */
export async function runOwnerOp(
  client: NodeClient,
  app: AppOwnerView,
  key: Uint8Array,
  op: OwnerOp,
  args: OpArgs,
  timeoutMs: number,
): Promise<OwnerOpAnswer> {
  const nodes = [...new Set(app.locations.map((l) => l.node))];
  if (nodes.length === 0) throw new CliError(`${app.name} has no instance placed yet`, 1);
  const req: OwnerRequest = signOwnerRequest(
    {
      op,
      app: app.name,
      nodes,
      nonce: randomBytes(16).toString('hex'),
      issuedAt: Date.now(),
      ...args,
    },
    key,
  );
  return client.post<OwnerOpAnswer>(`/apps/${encodeURIComponent(app.name)}/ops?timeout=${timeoutMs}`, req);
}
