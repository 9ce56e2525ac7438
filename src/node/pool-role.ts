/**
 * Builds the pool role from its options. The pool's definition (address, start height, fee,
 * notice, collateral) is fixed at the first start and kept in <datadir>/pool.json, so the books
 * every holder recomputes never change under them; the address is a key of the node's wallet.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolControls } from '../api/index.ts';
import { type OutPoint, reverseHex, type Transaction } from '../consensus/index.ts';
import {
  decodeEvent,
  encodeEvent,
  type PoolDefinition,
  stakePayment,
  withdrawPayment,
} from '../economy/index.ts';
import type { Payment } from '../wallet/index.ts';
import type { PoolModule } from './modules/pool.ts';
import type { PoolRole } from './options.ts';
import type { ChainServices } from './services.ts';

const LABEL = 'staking pool';

export function poolDefinition(
  role: PoolRole,
  services: ChainServices,
  dataDir: string,
  saveWallet: () => void,
): PoolDefinition {
  const file = join(dataDir, 'pool.json');
  if (existsSync(file)) return fromJson(readFileSync(file, 'utf8'));
  const { wallet, params, chain } = services;
  let address = role.address;
  if (!address) {
    address = wallet.listAddresses().find((k) => k.label === LABEL)?.address ?? wallet.newAddress(LABEL);
    saveWallet();
  } else if (!wallet.isMine(address)) {
    throw new Error(`--pool ${address}: the pool's address must be a key of this node's wallet`);
  }
  const def: PoolDefinition = {
    address,
    startHeight: chain.height(),
    params: {
      collateral: params.fluxnodes.collateral.stratus.after,
      feeBps: role.feeBps,
      noticeBlocks: role.noticeBlocks,
    },
  };
  writeFileSync(file, `${toJson(def)}\n`);
  return def;
}

// The definition is stored with the journal's own bigint encoding.
function toJson(def: PoolDefinition): string {
  const init = encodeEvent({ seq: 0, type: 'init', height: def.startHeight, params: def.params });
  return JSON.stringify({ address: def.address, init: JSON.parse(init) });
}

function fromJson(text: string): PoolDefinition {
  const o = JSON.parse(text) as { address: string; init: unknown };
  const init = decodeEvent(JSON.stringify(o.init));
  if (init.type !== 'init') throw new Error('pool.json: not a pool definition');
  return { address: o.address, startHeight: init.height, params: init.params };
}

/** What the API drives of the pool role: its books, its node, and holder transactions from this wallet. */
export function poolControls(
  pool: PoolModule,
  services: ChainServices,
  accept: (tx: Transaction) => Promise<unknown>,
): PoolControls {
  const { wallet, params, chain } = services;
  const send = async (payment: Payment) => {
    try {
      await accept(payment.tx);
    } catch (err) {
      wallet.release(payment);
      throw err;
    }
    return payment.txid;
  };
  return {
    follower: () => pool.follower,
    recompute: () => pool.recompute(),
    node: () => {
      const c = pool.actions.collateral;
      return c ? { collateral: c, status: chain.fluxnodes.get(c)?.status ?? 'not-registered' } : null;
    },
    stake: (holder, amount) => send(stakePayment(wallet, holder, pool.def.address, amount)),
    withdraw: (holder, amount) => send(withdrawPayment(wallet, holder, pool.def.address, amount, params)),
  };
}

/** The script of any output on the main chain, spent or not, from the tx index. */
export function outputScriptOf(services: ChainServices, o: OutPoint): Uint8Array | undefined {
  const at = services.txIndex.locate(reverseHex(o.txid));
  return at
    ? services.chain.getBlock(at.height)?.txs[at.position]?.outputs[o.index]?.scriptPubKey
    : undefined;
}
