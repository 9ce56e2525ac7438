import { REFERENCE_DIR } from '../../support/reference.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromHex, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { DecodeError } from '../../../src/consensus/errors.ts';
import { hash160, sha256d } from '../../../src/consensus/hash.ts';
import { blockHash, decodeBlock, encodeBlock } from '../../../src/consensus/primitives/block.ts';
import {
  decodeHeader,
  encodeHeader,
  headerHash,
  powInput,
} from '../../../src/consensus/primitives/header.ts';
import { merkleRoot } from '../../../src/consensus/primitives/merkle.ts';
import { isNullOutPoint, outpointKey, parseOutpointKey } from '../../../src/consensus/primitives/outpoint.ts';
import { decodeTransaction, encodeTransaction, txid } from '../../../src/consensus/primitives/transaction.ts';
import { at } from '../../support/at.ts';

const genesis = JSON.parse(readFileSync(`${REFERENCE_DIR}/vectors/mainnet-genesis.json`, 'utf8')) as {
  hash: string;
  merkleRoot: string;
  headerHex: string;
  blockHex: string;
  version: number;
  time: number;
  bits: string;
  nonce: string;
};
const vector = (name: string) =>
  fromHex(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'), name);

function decodeErrorAt(fn: () => unknown, field: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DecodeError, `expected DecodeError, got ${err}`);
    if (typeof field === 'string') assert.equal(err.field, field);
    else assert.match(err.field ?? '', field);
    return true;
  });
}

test('hash helpers match published digests', () => {
  // SHA-256d("hello") and HASH160 of the secp256k1 generator's compressed key, both well known.
  assert.equal(
    toHex(sha256d(new TextEncoder().encode('hello'))),
    '9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50',
  );
  const g = fromHex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  assert.equal(toHex(hash160(g)), '751e76e8199196d454941c45d1b3a323f1433bd6');
});

test('mainnet genesis block decodes, re-encodes byte for byte and hashes to the checkpoint', () => {
  const bytes = fromHex(genesis.blockHex);
  const block = decodeBlock(bytes);
  assert.deepEqual(encodeBlock(block), bytes);
  assert.equal(reverseHex(blockHash(block)), genesis.hash);
  assert.equal(genesis.hash, '00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444');

  const h = block.header;
  assert.equal(h.version, genesis.version);
  assert.equal(h.time, genesis.time);
  assert.equal(h.bits, Number.parseInt(genesis.bits, 16));
  assert.equal(reverseHex(h.nonce), genesis.nonce);
  assert.equal(reverseHex(h.merkleRoot), genesis.merkleRoot);
  assert.ok(h.prevHash.every((b) => b === 0));
  assert.ok(h.finalSaplingRoot.every((b) => b === 0));
  assert.equal(h.solution.length, 1344, 'Equihash 200,9 solutions are 1344 bytes');
  assert.deepEqual(encodeHeader(h), fromHex(genesis.headerHex));
  assert.deepEqual(decodeHeader(fromHex(genesis.headerHex)), h);
});

test('genesis merkle root is the coinbase txid, and the coinbase is as the reference describes', () => {
  const block = decodeBlock(fromHex(genesis.blockHex));
  assert.equal(block.txs.length, 1);
  const cb = at(block.txs, 0);
  const { root, mutated } = merkleRoot(block.txs.map(txid));
  assert.equal(reverseHex(root), '94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a');
  assert.equal(mutated, false);
  assert.deepEqual(root, txid(cb));

  assert.equal(cb.version, 1);
  assert.equal(cb.overwintered, false);
  assert.equal(cb.inputs.length, 1);
  assert.ok(isNullOutPoint(at(cb.inputs, 0).prevout));
  const sig = at(cb.inputs, 0).scriptSig;
  // push(4) 0x1f07ffff little-endian, push(1) 4, push(71) the text.
  assert.equal(toHex(sig.subarray(0, 5)), '04ffff071f');
  assert.equal(toHex(sig.subarray(5, 7)), '0104');
  assert.equal(sig[7], 71);
  const text = new TextDecoder().decode(sig.subarray(8));
  assert.match(text, /^Zelcash06f40b01/);
  assert.match(text, /109567$/);
  assert.equal(text.length, 71);
  assert.equal(cb.outputs.length, 1);
  assert.equal(at(cb.outputs, 0).value, 0n);
  const spk = at(cb.outputs, 0).scriptPubKey;
  assert.equal(spk.length, 67, 'push of a 65-byte public key, then OP_CHECKSIG');
  assert.equal(spk[0], 65);
  assert.equal(spk[1], 0x04);
  assert.equal(spk[66], 0xac);
  assert.equal(cb.lockTime, 0);
});

test('powInput is the 108-byte header prefix and the nonce (140 bytes)', () => {
  const raw = fromHex(genesis.headerHex);
  const input = powInput(decodeHeader(raw));
  assert.equal(input.length, 140);
  assert.deepEqual(input, raw.subarray(0, 140));
});

test('any single flipped byte of the genesis header changes its hash (or makes it undecodable)', () => {
  const raw = fromHex(genesis.headerHex);
  const original = toHex(headerHash(decodeHeader(raw)));
  assert.equal(reverseHex(headerHash(decodeHeader(raw))), genesis.hash);
  let decodable = 0;
  for (let i = 0; i < raw.length; i++) {
    const bad = Uint8Array.from(raw);
    bad[i]! ^= 0x01;
    let h: ReturnType<typeof decodeHeader>;
    try {
      h = decodeHeader(bad);
    } catch (err) {
      // only the compact-size length of the solution can turn into a bad length
      assert.ok(err instanceof DecodeError, String(err));
      assert.ok(i >= 140 && i < 143, `byte ${i} broke decoding`);
      continue;
    }
    decodable++;
    assert.deepEqual(encodeHeader(h), bad);
    assert.notEqual(toHex(headerHash(h)), original, `flipping byte ${i} kept the hash`);
  }
  assert.ok(decodable >= raw.length - 3);
});

test('truncated or trailing bytes give a DecodeError naming the field', () => {
  const block = fromHex(genesis.blockHex);
  const header = fromHex(genesis.headerHex);
  decodeErrorAt(() => decodeBlock(block.subarray(0, block.length - 1)), 'block.txs[0].lockTime');
  decodeErrorAt(() => decodeBlock(block.subarray(0, 50)), 'header.merkleRoot');
  decodeErrorAt(() => decodeBlock(block.subarray(0, 140)), 'header.solution');
  decodeErrorAt(() => decodeBlock(block.subarray(0, header.length)), 'block.txCount');
  decodeErrorAt(() => decodeBlock(Uint8Array.of(...block, 0)), 'block');
  decodeErrorAt(() => decodeHeader(Uint8Array.of(...header, 0)), 'header');
  decodeErrorAt(() => decodeHeader(block), 'header');
  const cb = block.subarray(header.length + 1);
  decodeErrorAt(() => decodeTransaction(cb.subarray(0, 3)), 'tx.header');
  // 25 bytes left cannot hold the one input declared: refused at the count, before the input is read.
  decodeErrorAt(() => decodeTransaction(cb.subarray(0, 30)), 'tx.vin');
  decodeErrorAt(() => decodeTransaction(cb.subarray(0, 60)), 'tx.vin[0].scriptSig');
  decodeErrorAt(() => decodeTransaction(Uint8Array.of(...cb, 7)), 'tx');
});

function checkRealBlock(name: string) {
  const bytes = vector(name);
  const block = decodeBlock(bytes);
  assert.deepEqual(encodeBlock(block), bytes, 're-encodes byte for byte');
  const ids = block.txs.map(txid);
  const { root, mutated } = merkleRoot(ids);
  assert.equal(toHex(root), toHex(block.header.merkleRoot), 'txids give the header merkle root');
  assert.equal(mutated, false);
  assert.match(reverseHex(blockHash(block)), /^000000/, 'a real proof-of-work hash');
  block.txs.forEach((tx, i) => {
    assert.deepEqual(decodeTransaction(encodeTransaction(tx)), tx, `tx ${i} round-trips`);
  });
  return block;
}

test('Zcash mainnet block 396: v1 coinbase and a v2 JoinSplit transaction (PHGR proof)', () => {
  const block = checkRealBlock('zcash-mainnet-block-396.hex');
  assert.deepEqual(
    block.txs.map((t) => t.version),
    [1, 2],
  );
  const js = at(block.txs, 1);
  assert.equal(js.overwintered, false);
  assert.equal(js.joinSplits.length, 1);
  assert.equal(at(js.joinSplits, 0).proof.length, 296);
  assert.equal(at(js.joinSplits, 0).ciphertexts[0].length, 601);
  assert.equal(js.joinSplitPubKey?.length, 32);
  assert.equal(js.joinSplitSig?.length, 64);
});

test('Zcash mainnet block 347501: overwintered v3 transactions, with JoinSplits', () => {
  const block = checkRealBlock('zcash-mainnet-block-347501.hex');
  for (const tx of block.txs) {
    assert.equal(tx.version, 3);
    assert.equal(tx.overwintered, true);
    assert.equal(tx.versionGroupId, 0x03c48270);
  }
  const withJoinSplits = block.txs.filter((t) => t.joinSplits.length > 0);
  assert.ok(withJoinSplits.length >= 1);
  for (const tx of withJoinSplits) for (const js of tx.joinSplits) assert.equal(js.proof.length, 296);
  assert.ok(block.txs.some((t) => t.expiryHeight > 0));
});

test('Zcash testnet v4 transaction with a Groth16 JoinSplit: round-trip and txid', () => {
  const bytes = vector('zcash-testnet-tx-v4-joinsplit.hex');
  const tx = decodeTransaction(bytes);
  assert.deepEqual(encodeTransaction(tx), bytes);
  assert.equal(reverseHex(txid(tx)), '64f0bd7fe30ce23753358fe3a2dc835b8fba9c0274c4e2c54a6f73114cb55639');
  assert.equal(tx.version, 4);
  assert.equal(tx.versionGroupId, 0x892f2085);
  assert.equal(tx.joinSplits.length, 1);
  assert.equal(at(tx.joinSplits, 0).proof.length, 192);
  assert.equal(at(tx.joinSplits, 0).vpubOld, 1_000_000_000n);
  assert.equal(tx.shieldedSpends.length, 0);
  assert.equal(tx.bindingSig, undefined);
});

test('v4 Sapling transaction with a spend and two outputs: round-trip and txid', () => {
  const bytes = vector('komodo-zombie-tx-v4-sapling.hex');
  const tx = decodeTransaction(bytes);
  assert.deepEqual(encodeTransaction(tx), bytes);
  assert.equal(reverseHex(txid(tx)), '1d7db42155ed1ace74ca00dbf21ac4108f2d25baf83accf9fffd3c4d1d4239b6');
  assert.equal(tx.inputs.length, 0);
  assert.equal(tx.outputs.length, 0);
  assert.equal(tx.valueBalance, 1000n);
  assert.equal(tx.shieldedSpends.length, 1);
  assert.equal(tx.shieldedOutputs.length, 2);
  assert.equal(at(tx.shieldedOutputs, 0).encCiphertext.length, 580);
  assert.equal(tx.bindingSig?.length, 64);
  // cutting the binding signature short is reported on that field
  decodeErrorAt(() => decodeTransaction(bytes.subarray(0, bytes.length - 10)), 'tx.bindingSig');
  // A declared spend the bytes left cannot hold is refused at its count.
  decodeErrorAt(() => decodeTransaction(bytes.subarray(0, 400)), 'tx.shieldedSpends');
});

test('an overwintered header with an unknown version group is refused at decode', () => {
  const bytes = Uint8Array.from(vector('zcash-testnet-tx-v4-joinsplit.hex'));
  bytes[4]! ^= 0xff;
  decodeErrorAt(() => decodeTransaction(bytes), 'tx.versionGroupId');
});

test('merkle root: odd levels repeat the last hash, and a repeated pair is flagged as mutated', () => {
  const ids = [1, 2, 3].map((n) => sha256d(Uint8Array.of(n)));
  const three = merkleRoot(ids);
  const four = merkleRoot([...ids, at(ids, 2)]);
  assert.deepEqual(four.root, three.root, 'CVE-2012-2459: [A,B,C] and [A,B,C,C] share a root');
  assert.equal(three.mutated, false);
  assert.equal(four.mutated, true);
  assert.equal(merkleRoot([at(ids, 0), at(ids, 0)]).mutated, true);
  assert.deepEqual(merkleRoot([at(ids, 0)]).root, ids[0]);
  assert.deepEqual(merkleRoot([]), { root: new Uint8Array(32), mutated: false });
  const manual = sha256d(
    Uint8Array.of(
      ...sha256d(Uint8Array.of(...at(ids, 0), ...at(ids, 1))),
      ...sha256d(Uint8Array.of(...at(ids, 2), ...at(ids, 2))),
    ),
  );
  assert.deepEqual(three.root, manual);
});

test('outpoint keys use the display txid and parse back', () => {
  const block = decodeBlock(fromHex(genesis.blockHex));
  const o = { txid: txid(at(block.txs, 0)), index: 7 };
  const key = outpointKey(o);
  assert.equal(key, '94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a:7');
  assert.deepEqual(parseOutpointKey(key), o);
  assert.throws(() => parseOutpointKey('xyz:1'), /bad-outpoint/);
  assert.throws(() => parseOutpointKey(`${'0'.repeat(64)}:4294967296`), /bad-outpoint/);
});
