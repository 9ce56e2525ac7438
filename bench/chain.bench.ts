/**
 * Chain connect speed on a devnet chain: blocks connected per second and transactions validated
 * per second. Realistic blocks, mined for real (Equihash 48,5 at the required bits) and checked
 * under every rule: each spends 100 P2PKH outputs with real ZIP-243 signatures, plus a fan-out
 * that creates the next outputs to spend. A second set of blocks (built, not mined; proof of work
 * not checked) spends anyone-can-spend outputs, to show the storage-bound rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../src/chain/chain.ts';
import { requiredBits } from '../src/chain/default-validator.ts';
import { genesisBlock } from '../src/chain/genesis.ts';
import type { ChainEntry } from '../src/chain/types.ts';
import { concatBytes } from '../src/consensus/bytes.ts';
import { hash160 } from '../src/consensus/hash.ts';
import { generatePrivateKey, publicKeyOf } from '../src/consensus/keys/keys.ts';
import { bitsToTarget, hashToBigInt } from '../src/consensus/difficulty/target.ts';
import { branchIdAt, equihashSpecsAt, paramsFor } from '../src/consensus/params/index.ts';
import { solveEquihash } from '../src/consensus/pow/solver.ts';
import { blockHash } from '../src/consensus/primitives/block.ts';
import { headerHash, powInput } from '../src/consensus/primitives/header.ts';
import { merkleRoot } from '../src/consensus/primitives/merkle.ts';
import {
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../src/consensus/primitives/transaction.ts';
import type { Block, OutPoint, Transaction, TxOut } from '../src/consensus/primitives/types.ts';
import { pushData, pushNumber } from '../src/consensus/script/script.ts';
import { precomputeSighash } from '../src/consensus/script/sighash.ts';
import { signInput } from '../src/consensus/script/sign.ts';
import { p2pkhScript } from '../src/consensus/script/templates.ts';
import type { Benchmark } from './harness.ts';
import { installEcdsaBackend } from '../src/chain/ecdsa-native.ts';
import { at } from '../test/support/at.ts';

// Signatures on the backend a node uses (native libsecp256k1 where it loads), as the node does.
installEcdsaBackend();

const params = paramsFor('devnet');
const GENESIS = genesisBlock(params);
const SUBSIDY = 150n * 100_000_000n;
const SPENDS_PER_BLOCK = 100;
// 10,000 spends: enough that the per-run costs (opening SQLite, starting the script workers)
// do not hide the steady rate; with 20 blocks they were about half the time.
const SIGNED_BLOCKS = 100;
const FAN_OUT = 200;
const ANYONE = Uint8Array.of(0x51);

function tx(inputs: OutPoint[], outputs: TxOut[], coinbaseSig?: Uint8Array): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs: coinbaseSig
      ? [
          {
            prevout: { txid: new Uint8Array(32), index: 0xffffffff },
            scriptSig: coinbaseSig,
            sequence: 0xffffffff,
          },
        ]
      : inputs.map((prevout) => ({ prevout, scriptSig: new Uint8Array(0), sequence: 0xffffffff })),
    outputs,
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

interface Tip {
  hash: Uint8Array;
  height: number;
  time: number;
  /** The header facts retargeting reads, linked back to genesis (for mined chains). */
  entry?: ChainEntry;
}

/** Gives `b` the bits the difficulty rule wants after `tip` and a nonce and solution that meet them. */
function mine(b: Block, tip: Tip): Block {
  const bits = requiredBits(tip.entry!, b.header.time, params);
  const target = bitsToTarget(bits);
  const spec = at(equihashSpecsAt(tip.height + 1, params), 0);
  for (let nonce = 0; ; nonce++) {
    const n = new Uint8Array(32);
    new DataView(n.buffer).setUint32(0, nonce, true);
    const header = { ...b.header, bits, nonce: n };
    for (const solution of solveEquihash(spec, powInput(header))) {
      const solved = { ...header, solution };
      if (hashToBigInt(headerHash(solved)) <= target) return { header: solved, txs: b.txs };
    }
  }
}

function entryOf(b: Block, height: number, parent: ChainEntry | null): ChainEntry {
  const hash = blockHash(b);
  return {
    hash,
    id: '',
    prevHash: b.header.prevHash,
    height,
    chainWork: 0n,
    version: b.header.version,
    time: b.header.time,
    bits: b.header.bits,
    status: 'valid',
    invalidRule: undefined,
    invalidReason: undefined,
    parent,
  };
}

function block(tip: Tip, txs: Transaction[], payTo: Uint8Array, fees: bigint): Block {
  const height = tip.height + 1;
  const cb = tx(
    [],
    [{ value: SUBSIDY + fees, scriptPubKey: payTo }],
    concatBytes(pushNumber(height), pushData(Uint8Array.of(7))),
  );
  const all = [cb, ...txs];
  return {
    header: {
      version: 4,
      prevHash: tip.hash,
      merkleRoot: merkleRoot(all.map((t) => txid(t))).root,
      finalSaplingRoot: new Uint8Array(32),
      time: tip.time + 3,
      bits: 0x200f0f0f,
      nonce: new Uint8Array(32),
      solution: new Uint8Array(0),
    },
    txs: all,
  };
}

const next = (b: Block, height: number, parent?: Tip): Tip => ({
  hash: blockHash(b),
  height,
  time: b.header.time,
  entry: entryOf(b, height, parent?.entry ?? null),
});

/** Blocks 1–10 pay the key; then each block fans a mature coinbase out and spends 100 earlier outputs. */
function buildSignedChain(): { blocks: Block[]; spends: number } {
  const key = generatePrivateKey();
  const script = p2pkhScript(hash160(publicKeyOf(key)));
  const blocks: Block[] = [];
  let tip: Tip = next(GENESIS, 0);
  const spendable: { outpoint: OutPoint; out: TxOut }[] = [];
  let spends = 0;
  const sign = (t: Transaction, spent: TxOut, height: number): Transaction => {
    const cache = precomputeSighash(t);
    let s = t;
    for (let i = 0; i < t.inputs.length; i++)
      s = signInput(s, i, key, spent, branchIdAt(height, params), { cache });
    return s;
  };
  while (blocks.length < 11 + SIGNED_BLOCKS) {
    const height = tip.height + 1;
    const txs: Transaction[] = [];
    let fees = 0n;
    if (height > 10) {
      const cbOut = at(at(blocks, height - 11).txs, 0);
      const each = (at(cbOut.outputs, 0).value - 10_000n) / BigInt(FAN_OUT);
      const fan = sign(
        tx(
          [{ txid: txid(cbOut), index: 0 }],
          Array.from({ length: FAN_OUT }, () => ({ value: each, scriptPubKey: script })),
        ),
        at(cbOut.outputs, 0),
        height,
      );
      fees += at(cbOut.outputs, 0).value - each * BigInt(FAN_OUT);
      const use = spendable.splice(0, SPENDS_PER_BLOCK);
      for (const u of use) {
        txs.push(
          sign(tx([u.outpoint], [{ value: u.out.value - 1_000n, scriptPubKey: script }]), u.out, height),
        );
        fees += 1_000n;
        spends++;
      }
      txs.push(fan);
      const id = txid(fan);
      for (let index = 0; index < fan.outputs.length; index++) {
        spendable.push({ outpoint: { txid: id, index }, out: at(fan.outputs, index) });
      }
    }
    const b = mine(block(tip, txs, script, fees), tip);
    blocks.push(b);
    tip = next(b, height, tip);
  }
  return { blocks, spends };
}

/** The same shape with anyone-can-spend outputs: no signatures, so storage sets the pace. */
function buildPlainChain(n: number): { blocks: Block[]; spends: number } {
  const blocks: Block[] = [];
  let tip: Tip = next(GENESIS, 0);
  const spendable: { outpoint: OutPoint; value: bigint }[] = [];
  let spends = 0;
  while (blocks.length < n) {
    const height = tip.height + 1;
    const txs: Transaction[] = [];
    let fees = 0n;
    if (height > 10) {
      const cb = at(at(blocks, height - 11).txs, 0);
      const each = (at(cb.outputs, 0).value - 10_000n) / BigInt(FAN_OUT);
      const fan = tx(
        [{ txid: txid(cb), index: 0 }],
        Array.from({ length: FAN_OUT }, () => ({ value: each, scriptPubKey: ANYONE })),
      );
      fees += at(cb.outputs, 0).value - each * BigInt(FAN_OUT);
      for (const o of spendable.splice(0, SPENDS_PER_BLOCK)) {
        txs.push(tx([o.outpoint], [{ value: o.value - 1_000n, scriptPubKey: ANYONE }]));
        fees += 1_000n;
        spends++;
      }
      txs.push(fan);
      const id = txid(fan);
      for (let i = 0; i < FAN_OUT; i++) spendable.push({ outpoint: { txid: id, index: i }, value: each });
    }
    const b = block(tip, txs, ANYONE, fees);
    blocks.push(b);
    tip = next(b, height);
  }
  return { blocks, spends };
}

let signed: { blocks: Block[]; spends: number } | undefined;
let plain: { blocks: Block[]; spends: number } | undefined;

/** Blocks per `acceptBlocks` call, as sync hands them over (its batch size); 1 = `acceptBlock` each. */
const SYNC_BATCH = 64;

async function connectAll(blocks: Block[], pow: boolean, batch = SYNC_BATCH): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-chain-bench-'));
  const chain = await Chain.open(dir, params, {
    genesis: GENESIS,
    validation: { checkPow: pow, checkDifficulty: pow },
  });
  try {
    for (let i = 0; i < blocks.length; i += batch) {
      const results =
        batch === 1
          ? [await chain.acceptBlock(at(blocks, i))]
          : await chain.acceptBlocks(blocks.slice(i, i + batch));
      for (const r of results) {
        if (r.status !== 'connected') throw new Error(`bench block ${r.height} ${r.status}: ${r.reason}`);
      }
    }
  } finally {
    chain.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'chain: blocks connected (mined devnet, 100 P2PKH spends each, all rules)',
    unit: 'blocks/s',
    trials: 3,
    setup: () => {
      signed ??= buildSignedChain();
    },
    run: async () => {
      await connectAll(signed!.blocks, true);
      return signed!.blocks.length;
    },
  },
  {
    name: 'chain: transparent transactions validated (P2PKH spends in mined blocks, 64 per acceptBlocks as sync)',
    unit: 'tx/s',
    target: 'issue 14: ≥ 12,000 tx/s (2 cores)',
    trials: 3,
    setup: () => {
      signed ??= buildSignedChain();
    },
    run: async () => {
      await connectAll(signed!.blocks, true);
      return signed!.spends;
    },
  },
  {
    name: 'chain: transparent transactions validated, one block per acceptBlock (as gossip)',
    unit: 'tx/s',
    trials: 3,
    setup: () => {
      signed ??= buildSignedChain();
    },
    run: async () => {
      await connectAll(signed!.blocks, true, 1);
      return signed!.spends;
    },
  },
  {
    name: 'chain: blocks connected (100 anyone-can-spend spends each: storage bound)',
    unit: 'blocks/s',
    trials: 3,
    setup: () => {
      plain ??= buildPlainChain(200);
    },
    run: async () => {
      await connectAll(plain!.blocks, false);
      return plain!.blocks.length;
    },
  },
];
