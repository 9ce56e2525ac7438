import {
  addressForScript,
  type ConsensusParams,
  encodeTransaction,
  legacySigOpCount,
  MAX_BLOCK_SIGOPS,
  reverseHex,
  type Tier,
  toHex,
  txid,
} from '../consensus/index.ts';
import type { BlockTemplate } from './template.ts';

/** One transaction of a `getblocktemplate` result (BIP 22). */
export interface TemplateTxJson {
  data: string;
  hash: string;
  depends: number[];
  /** Satoshis; for the coinbase, minus the block's fees. */
  fee: number;
  sigops: number;
  required?: boolean;
}

/** fluxd's `getblocktemplate` result (coinbasetxn form), with Flux's payee fields. */
export interface TemplateJson {
  capabilities: string[];
  version: number;
  previousblockhash: string;
  finalsaplingroothash: string;
  transactions: TemplateTxJson[];
  coinbasetxn: TemplateTxJson;
  longpollid: string;
  target: string;
  mintime: number;
  mutable: string[];
  noncerange: string;
  sigoplimit: number;
  sizelimit: number;
  curtime: number;
  bits: string;
  height: number;
  miner_reward: number;
  /** Per paid tier, as fluxd: `cumulus_fluxnode_*`, `basic_zelnode_*` and `cumulus_zelnode_*` (address, payout). */
  [payee: string]: unknown;
}

/** fluxd reports each tier under its pre-rebrand name and its current one. */
const TIER_NAMES: Record<Tier, readonly [string, string]> = {
  cumulus: ['basic', 'cumulus'],
  nimbus: ['super', 'nimbus'],
  stratus: ['bamf', 'stratus'],
};

/**
 * The template in the shape fluxd's `getblocktemplate` returns, so pool software written for
 * fluxd reads it unchanged: hashes in display hex, amounts in satoshis, the coinbase as
 * `coinbasetxn`, `miner_reward`, the fluxnode payees as `<tier>_fluxnode_address/payout` under the
 * cumulus/nimbus/stratus names and `<tier>_zelnode_address/payout` under those and the old
 * basic/super/bamf ones and a fund output as
 * `flux_creation_address/amount`. `longPollId` defaults to the previous block's hash.
 */
export function templateToJson(
  t: BlockTemplate,
  params: ConsensusParams,
  opts: { longPollId?: string } = {},
): TemplateJson {
  const cb = t.coinbase;
  let cbSigops = 0;
  for (const i of cb.inputs) cbSigops += legacySigOpCount(i.scriptSig);
  for (const o of cb.outputs) cbSigops += legacySigOpCount(o.scriptPubKey);
  const prevId = reverseHex(t.header.prevHash);
  const json: TemplateJson = {
    capabilities: ['proposal'],
    version: t.header.version,
    previousblockhash: prevId,
    finalsaplingroothash: reverseHex(t.header.finalSaplingRoot),
    transactions: t.entries.map((e) => ({
      data: toHex(encodeTransaction(e.tx)),
      hash: e.txid,
      depends: e.depends,
      fee: Number(e.fee),
      sigops: e.sigops,
    })),
    coinbasetxn: {
      data: toHex(encodeTransaction(cb)),
      hash: reverseHex(txid(cb)),
      depends: [],
      fee: -Number(t.fees),
      sigops: cbSigops,
      required: true,
    },
    longpollid: opts.longPollId ?? prevId,
    target: t.target.toString(16).padStart(64, '0'),
    mintime: t.minTime,
    mutable: ['time', 'transactions', 'prevblock'],
    noncerange: '00000000ffffffff',
    sigoplimit: MAX_BLOCK_SIGOPS,
    sizelimit: params.maxBlockSize,
    curtime: t.header.time,
    bits: t.header.bits.toString(16).padStart(8, '0'),
    height: t.height,
    miner_reward: Number(t.minerReward),
  };
  for (const p of t.payouts) {
    if (p.kind === 'miner') continue;
    const address = addressForScript(p.output.scriptPubKey, params.base58) ?? '';
    if (p.kind === 'fluxnode') {
      const [legacy, current] = TIER_NAMES[p.tier];
      // fluxd: the current tier name with both suffixes, the legacy name only with `zelnode`.
      for (const key of [`${current}_fluxnode`, `${legacy}_zelnode`, `${current}_zelnode`]) {
        json[`${key}_address`] = address;
        json[`${key}_payout`] = Number(p.output.value);
      }
    } else {
      json.flux_creation_address = p.address;
      json.flux_creation_amount = Number(p.output.value);
    }
  }
  return json;
}
