import type { ChainEntry } from '../chain/index.ts';
import {
  addressForScript,
  bitsToTarget,
  type Block,
  type BlockHeader,
  classifyScript,
  COIN,
  type ConsensusParams,
  encodeHeader,
  encodeTransaction,
  reverseHex,
  scriptToAsm,
  toHex,
  type Transaction,
  txid,
} from '../consensus/index.ts';
import { shieldedJson } from './shielded-json.ts';

/** The API's JSON replacer is the consensus layer's (bigint → decimal string). */
export { jsonReplacer } from '../consensus/index.ts';

/** FLUX amount as fluxd prints it (a JSON number with 8 decimals of precision). */
export function fluxAmount(sats: bigint): number {
  return Number(sats) / Number(COIN);
}

/** Difficulty relative to the network's easiest target, as fluxd reports it. */
export function difficultyOf(bits: number, params: ConsensusParams): number {
  const target = bitsToTarget(bits);
  if (target === 0n) return 0;
  return Number((params.difficulty.powLimit * 1_000_000n) / target) / 1_000_000;
}

export function scriptJson(script: Uint8Array, params: ConsensusParams) {
  const t = classifyScript(script);
  const address = addressForScript(script, prefixes(params));
  return {
    asm: safeAsm(script),
    hex: toHex(script),
    type:
      t.type === 'nulldata'
        ? 'nulldata'
        : t.type === 'p2pkh'
          ? 'pubkeyhash'
          : t.type === 'p2sh'
            ? 'scripthash'
            : t.type,
    ...(address ? { reqSigs: 1, addresses: [address] } : {}),
  };
}

function safeAsm(script: Uint8Array): string {
  try {
    return scriptToAsm(script);
  } catch {
    return '[error]';
  }
}

export function prefixes(params: ConsensusParams) {
  return { pubkeyHash: params.base58.pubkeyHash, scriptHash: params.base58.scriptHash };
}

export function txJson(tx: Transaction, params: ConsensusParams, extra: Record<string, unknown> = {}) {
  const id = reverseHex(txid(tx));
  const coinbase = tx.inputs.length === 1 && tx.inputs[0]?.prevout.index === 0xffffffff;
  return {
    txid: id,
    version: tx.version,
    overwintered: tx.overwintered,
    ...(tx.overwintered
      ? { versiongroupid: tx.versionGroupId.toString(16).padStart(8, '0'), expiryheight: tx.expiryHeight }
      : {}),
    locktime: tx.lockTime,
    vin: tx.inputs.map((i) =>
      coinbase
        ? { coinbase: toHex(i.scriptSig), sequence: i.sequence }
        : {
            txid: reverseHex(i.prevout.txid),
            vout: i.prevout.index,
            scriptSig: { asm: safeAsm(i.scriptSig), hex: toHex(i.scriptSig) },
            sequence: i.sequence,
          },
    ),
    vout: tx.outputs.map((o, n) => ({
      value: fluxAmount(o.value),
      // Satoshis as JSON numbers, as fluxd (exact: no output may exceed 21e14 < 2^53).
      valueZat: Number(o.value),
      valueSat: Number(o.value),
      n,
      scriptPubKey: scriptJson(o.scriptPubKey, params),
    })),
    ...shieldedJson(tx),
    ...(tx.fluxnode
      ? {
          fluxnode: {
            type: tx.fluxnode.type === 2 ? 'start' : 'confirm',
            collateral: `${reverseHex(tx.fluxnode.collateral.txid)}:${tx.fluxnode.collateral.index}`,
            sigTime: tx.fluxnode.sigTime,
            ...(tx.fluxnode.ip ? { ip: tx.fluxnode.ip } : {}),
          },
        }
      : {}),
    hex: toHex(encodeTransaction(tx)),
    ...extra,
  };
}

export function headerJson(
  h: BlockHeader,
  e: ChainEntry,
  confirmations: number,
  next: ChainEntry | undefined,
  params: ConsensusParams,
) {
  return {
    hash: e.id,
    confirmations,
    height: e.height,
    version: h.version,
    merkleroot: reverseHex(h.merkleRoot),
    finalsaplingroot: reverseHex(h.finalSaplingRoot),
    time: h.time,
    nonce: reverseHex(h.nonce),
    solution: toHex(h.solution),
    bits: h.bits.toString(16).padStart(8, '0'),
    difficulty: difficultyOf(h.bits, params),
    chainwork: e.chainWork.toString(16).padStart(64, '0'),
    ...(e.parent ? { previousblockhash: e.parent.id } : {}),
    ...(next ? { nextblockhash: next.id } : {}),
  };
}

export function blockJson(
  block: Block,
  e: ChainEntry,
  confirmations: number,
  next: ChainEntry | undefined,
  params: ConsensusParams,
  size: number,
  verbose: boolean,
) {
  return {
    ...headerJson(block.header, e, confirmations, next, params),
    size,
    tx: verbose ? block.txs.map((t) => txJson(t, params)) : block.txs.map((t) => reverseHex(txid(t))),
  };
}

export function headerHex(h: BlockHeader): string {
  return toHex(encodeHeader(h));
}
