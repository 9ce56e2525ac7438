/**
 * Builders for test chains: coinbases that commit to their height, spends of earlier outputs, and
 * blocks whose merkle root matches their transactions. Amounts and heights are the caller's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain, type ChainOptions } from '../../src/chain/chain.ts';
import { genesisBlock } from '../../src/chain/genesis.ts';
import { concatBytes } from '../../src/consensus/bytes.ts';
import { paramsFor } from '../../src/consensus/params/index.ts';
import { blockHash } from '../../src/consensus/primitives/block.ts';
import { merkleRoot } from '../../src/consensus/primitives/merkle.ts';
import {
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../../src/consensus/primitives/transaction.ts';
import type { Block, OutPoint, Transaction, TxOut } from '../../src/consensus/primitives/types.ts';
import { pushData, pushNumber } from '../../src/consensus/script/script.ts';
import { at } from './at.ts';

/** OP_TRUE: anyone can spend, with an empty scriptSig. */
export const ANYONE = Uint8Array.of(0x51);
export const NULL_TXID = new Uint8Array(32);

export function tempDir(prefix = 'fluxnode-chain-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function baseTx(inputs: Transaction['inputs'], outputs: TxOut[], lockTime = 0): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs,
    outputs,
    lockTime,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

/** A coinbase for `height`; `tag` makes otherwise equal coinbases of competing branches differ. */
export function coinbaseTx(height: number, outputs: TxOut[], tag = 0): Transaction {
  const scriptSig = concatBytes(
    pushNumber(height),
    pushData(Uint8Array.of(tag & 0xff, (tag >> 8) & 0xff, 0x66)),
  );
  return baseTx(
    [{ prevout: { txid: NULL_TXID, index: 0xffffffff }, scriptSig, sequence: 0xffffffff }],
    outputs,
  );
}

export function spendTx(
  inputs: OutPoint[],
  outputs: TxOut[],
  opts: { scriptSig?: Uint8Array; lockTime?: number; sequence?: number } = {},
): Transaction {
  return baseTx(
    inputs.map((prevout) => ({
      prevout,
      scriptSig: opts.scriptSig ?? new Uint8Array(0),
      sequence: opts.sequence ?? 0xffffffff,
    })),
    outputs,
    opts.lockTime ?? 0,
  );
}

export interface Parent {
  hash: Uint8Array;
  height: number;
  time: number;
}

export function makeBlock(
  parent: Parent,
  txs: Transaction[],
  opts: { time?: number; bits?: number; nonce?: number; version?: number } = {},
): Block {
  const nonce = new Uint8Array(32);
  new DataView(nonce.buffer).setUint32(0, opts.nonce ?? 0, true);
  return {
    header: {
      version: opts.version ?? 4,
      prevHash: parent.hash,
      merkleRoot: merkleRoot(txs.map((t) => txid(t))).root,
      finalSaplingRoot: new Uint8Array(32),
      time: opts.time ?? parent.time + 30,
      bits: opts.bits ?? 0x200f0f0f,
      nonce,
      solution: new Uint8Array(0),
    },
    txs,
  };
}

export function makeGenesis(time = 1_700_000_000, bits = 0x200f0f0f): Block {
  const cb = baseTx(
    [
      {
        prevout: { txid: NULL_TXID, index: 0xffffffff },
        scriptSig: pushData(Uint8Array.of(1, 2, 3, 4)),
        sequence: 0xffffffff,
      },
    ],
    [{ value: 0n, scriptPubKey: ANYONE }],
  );
  return makeBlock({ hash: new Uint8Array(32), height: -1, time: time - 30 }, [cb], { time, bits });
}

export function parentOf(block: Block, height: number): Parent {
  return { hash: blockHash(block), height, time: block.header.time };
}

/**
 * Grows a chain of simple blocks in memory: each pays `reward` to ANYONE, optionally spending
 * mature outputs. Keeps the coins it created so later blocks can spend them.
 */
export class ChainBuilder {
  blocks: Block[] = [];
  tip: Parent;
  readonly reward: bigint;
  readonly tag: number;

  constructor(base: Parent, reward: bigint, tag = 0) {
    this.tip = base;
    this.reward = reward;
    this.tag = tag;
  }

  /** Adds a block with a coinbase plus `txs`; the coinbase takes `reward + fees`. */
  next(txs: Transaction[] = [], opts: { fees?: bigint; time?: number; coinbaseValue?: bigint } = {}): Block {
    const height = this.tip.height + 1;
    const value = opts.coinbaseValue ?? this.reward + (opts.fees ?? 0n);
    const cb = coinbaseTx(height, [{ value, scriptPubKey: ANYONE }], this.tag);
    const block = makeBlock(this.tip, [cb, ...txs], { time: opts.time });
    this.blocks.push(block);
    this.tip = parentOf(block, height);
    return block;
  }

  extend(n: number): Block[] {
    const out: Block[] = [];
    for (let i = 0; i < n; i++) out.push(this.next());
    return out;
  }
}

export function coinbaseOutpoint(block: Block, index = 0): OutPoint {
  return { txid: txid(at(block.txs, 0)), index };
}

export const devnet = paramsFor('devnet');
export const DEVNET_GENESIS = genesisBlock(devnet);
export const SUBSIDY = 150n * 100_000_000n;

/** A devnet chain whose validator skips proof of work and difficulty (chain-logic tests only). */
export function openTestChain(dir: string, options: ChainOptions = {}): Promise<Chain> {
  return Chain.open(dir, devnet, {
    validation: { checkPow: false, checkDifficulty: false },
    ...options,
  });
}

export function genesisParent(): Parent {
  return parentOf(DEVNET_GENESIS, 0);
}

/** UTXO set hash of a fresh chain that connects `blocks` in order (the replay oracle). */
export async function replayHash(blocks: Block[]): Promise<{ hash: string; height: number }> {
  const t = tempDir('fluxnode-replay-');
  const chain = await openTestChain(t.dir);
  try {
    for (const b of blocks) {
      const r = await chain.acceptBlock(b);
      if (r.status !== 'connected')
        throw new Error(`replay: block at ${r.height} ${r.status} ${r.rule ?? ''}`);
    }
    return { hash: chain.utxoSetHash(), height: chain.height() };
  } finally {
    chain.close();
    t.cleanup();
  }
}
