/**
 * Script verification speed: how many P2PKH inputs per second the interpreter verifies (ZIP-243
 * signature hash + ECDSA), the figure that bounds block and mempool validation. Signing is timed
 * too, since the wallet signs every input it spends.
 */
import { hash160 } from '../src/consensus/hash.ts';
import { generatePrivateKey, publicKeyOf } from '../src/consensus/keys/keys.ts';
import { SAPLING_TX_VERSION, SAPLING_VERSION_GROUP_ID } from '../src/consensus/primitives/transaction.ts';
import type { Transaction, TxOut } from '../src/consensus/primitives/types.ts';
import { precomputeSighash } from '../src/consensus/script/sighash.ts';
import { signInput, verifyInputSignature } from '../src/consensus/script/sign.ts';
import { p2pkhScript } from '../src/consensus/script/templates.ts';
import type { Benchmark } from './harness.ts';
import { installEcdsaBackend } from '../src/chain/ecdsa-native.ts';
import { at } from '../test/support/at.ts';

// Signatures on the backend a node uses (native libsecp256k1 where it loads), as the node does.
installEcdsaBackend();

const SAPLING_BRANCH_ID = 0x76b809bb;
const TXS = 50;
const INPUTS_PER_TX = 4;

let signed: { tx: Transaction; spent: TxOut[] }[] = [];
let unsigned: { tx: Transaction; key: Uint8Array; spent: TxOut }[] = [];

function unsignedTx(seed: number, spent: TxOut): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs: Array.from({ length: INPUTS_PER_TX }, (_, i) => ({
      prevout: { txid: new Uint8Array(32).fill((seed * 7 + i) & 0xff), index: i },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffe,
    })),
    outputs: [
      { value: 4n * spent.value - 10_000n, scriptPubKey: p2pkhScript(new Uint8Array(20).fill(seed & 0xff)) },
    ],
    lockTime: 0,
    expiryHeight: 1_000_000 + seed,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function setup(): void {
  signed = [];
  unsigned = [];
  for (let n = 0; n < TXS; n++) {
    const key = generatePrivateKey();
    const spent: TxOut = {
      value: 1_000_000_000n + BigInt(n),
      scriptPubKey: p2pkhScript(hash160(publicKeyOf(key))),
    };
    let tx = unsignedTx(n, spent);
    unsigned.push({ tx, key, spent });
    const cache = precomputeSighash(tx);
    for (let i = 0; i < INPUTS_PER_TX; i++) tx = signInput(tx, i, key, spent, SAPLING_BRANCH_ID, { cache });
    signed.push({ tx, spent: Array(INPUTS_PER_TX).fill(spent) });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'script: P2PKH input verification (ZIP-243 + ECDSA)',
    unit: 'inputs/s',
    target: 'issue: P2PKH input verifications per second',
    setup,
    run: () => {
      let n = 0;
      for (const { tx, spent } of signed) {
        const cache = precomputeSighash(tx);
        for (let i = 0; i < tx.inputs.length; i++) {
          verifyInputSignature(tx, i, at(spent, i), SAPLING_BRANCH_ID, undefined, { cache });
          n++;
        }
      }
      return n;
    },
  },
  {
    name: 'script: P2PKH input signing (ZIP-243 + RFC 6979)',
    unit: 'inputs/s',
    setup,
    run: () => {
      let n = 0;
      for (const { tx, key, spent } of unsigned) {
        const cache = precomputeSighash(tx);
        let out = tx;
        for (let i = 0; i < tx.inputs.length; i++) {
          out = signInput(out, i, key, spent, SAPLING_BRANCH_ID, { cache });
          n++;
        }
      }
      return n;
    },
  },
];
