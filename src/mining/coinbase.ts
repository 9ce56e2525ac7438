import {
  concatBytes,
  type ConsensusParams,
  fromReverseHex,
  nullOutPoint,
  pushData,
  pushNumber,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  type Transaction,
  type TxOut,
  upgradeActive,
} from '../consensus/index.ts';
import { MiningError } from './errors.ts';

/** A coinbase scriptSig must be 2 to 100 bytes (`bad-cb-length`). */
export const MAX_COINBASE_SCRIPT_SIG = 100;

/**
 * Root of the empty Sapling note commitment tree (depth 32), internal byte order. Blocks carry it as
 * their final Sapling root from Acadia (Sapling) on while no Sapling output was ever mined; our
 * templates never include Sapling outputs, so on our networks the root stays this value.
 */
export const EMPTY_SAPLING_ROOT = fromReverseHex(
  '3e49b5f954aa9d3545bc6c37744661eea48d7c34e3000d82b7f0010c30f4c2fb',
  'EMPTY_SAPLING_ROOT',
);

/** The header's final-Sapling-root field for a block at `height`: reserved zeros before Acadia. */
export function finalSaplingRootAt(height: number, params: ConsensusParams): Uint8Array {
  return upgradeActive('acadia', height, params) ? EMPTY_SAPLING_ROOT.slice() : new Uint8Array(32);
}

/**
 * The coinbase scriptSig: the height as a number push (BIP34, which the chain checks with
 * `bad-cb-height`), then the extra nonce as a number push, as fluxd's IncrementExtraNonce writes
 * them, then optional miner data.
 */
export function coinbaseScriptSig(height: number, extraNonce = 0, data?: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(extraNonce) || extraNonce < 0) {
    throw new MiningError('bad-extranonce', `extra nonce must be a non-negative integer, got ${extraNonce}`, {
      field: 'extraNonce',
      value: extraNonce,
    });
  }
  const parts = [pushNumber(height), pushNumber(extraNonce)];
  if (data && data.length > 0) parts.push(pushData(data));
  const script = concatBytes(...parts);
  if (script.length > MAX_COINBASE_SCRIPT_SIG) {
    throw new MiningError(
      'bad-cb-length',
      `coinbase scriptSig would be ${script.length} bytes, at most ${MAX_COINBASE_SCRIPT_SIG}`,
      { field: 'coinbaseData', value: data?.length ?? 0 },
    );
  }
  return script;
}

/**
 * The coinbase transaction, in the format of the network upgrade at `height` as fluxd's
 * CreateNewContextualCMutableTransaction picks it: Sapling v4 once Acadia is active (expiry height
 * 0, since expiry does not apply to a coinbase), Overwinter's v3 never (Flux activated both at
 * once), version 1 before.
 */
export function buildCoinbaseTx(
  height: number,
  params: ConsensusParams,
  outputs: TxOut[],
  opts: { extraNonce?: number; data?: Uint8Array } = {},
): Transaction {
  const sapling = upgradeActive('acadia', height, params);
  return {
    version: sapling ? SAPLING_TX_VERSION : 1,
    overwintered: sapling,
    versionGroupId: sapling ? SAPLING_VERSION_GROUP_ID : 0,
    inputs: [
      {
        prevout: nullOutPoint(),
        scriptSig: coinbaseScriptSig(height, opts.extraNonce ?? 0, opts.data),
        sequence: 0xffffffff,
      },
    ],
    outputs,
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}
