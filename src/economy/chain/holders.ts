/**
 * Who holds what at a holder snapshot. Balances come from the address index, one figure per
 * address; a staking pool's address, though, holds its holders' stakes, so those count for the
 * holders: every pool stake (pool-data.ts) and withdrawal request on the chain is kept as a change
 * of the holder's principal at that pool, and at the snapshot each pool's balance is given to its
 * holders pro rata by principal (floors; what a pool holds beyond the principal stays the pool's).
 */
import {
  addressForScript,
  type Block,
  classifyScript,
  type ConsensusParams,
  hash160,
  scriptForAddress,
  toHex,
} from '../../consensus/index.ts';
import { decodePoolData } from '../pool/pool-data.ts';

export interface PoolStakeChange {
  pool: string;
  holder: string;
  /** Satoshis: + staked, − asked back. */
  delta: bigint;
}

/**
 * The stake changes a block makes. `scriptOf` gives the coin an input spends; `poolOfHash` maps
 * hash160 of a pool's script to its address (pools are known from their first stake).
 */
export function poolStakeChanges(
  block: Block,
  scriptOf: (txIndex: number) => Uint8Array | undefined,
  params: ConsensusParams,
  poolOfHash: (hash: string) => string | undefined,
): PoolStakeChange[] {
  const out: PoolStakeChange[] = [];
  for (const [t, tx] of block.txs.entries()) {
    if (t === 0) continue;
    const data = tx.outputs
      .map((o) => classifyScript(o.scriptPubKey))
      .map((c) => (c.type === 'nulldata' ? decodePoolData(c.data) : null))
      .find((d) => d !== null);
    const source = data && scriptOf(t);
    const holder = source && addressForScript(source, params.base58);
    if (!data || !holder) continue;
    if (data.kind === 'withdraw') {
      const pool = poolOfHash(toHex(data.pool));
      if (pool) out.push({ pool, holder, delta: -data.amount });
      continue;
    }
    for (const o of tx.outputs) {
      const pool = addressForScript(o.scriptPubKey, params.base58);
      if (pool && pool !== holder && o.value > 0n) out.push({ pool, holder, delta: o.value });
    }
  }
  return out;
}

/** hash160 of a pool address's script, as withdrawal requests name it. */
export function poolHash(pool: string, params: ConsensusParams): string {
  return toHex(hash160(scriptForAddress(pool, params.base58)));
}

/** Balances with every pool's balance moved to its holders by principal. */
export function attributeStakes(
  balances: ReadonlyMap<string, bigint>,
  principal: ReadonlyMap<string, ReadonlyMap<string, bigint>>,
): Map<string, bigint> {
  const out = new Map(balances);
  for (const [pool, holders] of [...principal].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const live = [...holders].filter(([, p]) => p > 0n).sort(([x], [y]) => (x < y ? -1 : 1));
    const total = live.reduce((n, [, p]) => n + p, 0n);
    const held = out.get(pool) ?? 0n;
    const moved = held < total ? held : total;
    if (total === 0n || moved === 0n) continue;
    let given = 0n;
    for (const [holder, p] of live) {
      const share = (moved * p) / total;
      out.set(holder, (out.get(holder) ?? 0n) + share);
      given += share;
    }
    out.set(pool, held - given);
  }
  return out;
}
