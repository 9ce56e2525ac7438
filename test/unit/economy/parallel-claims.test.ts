import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '../../../src/consensus/bytes.ts';
import { EconomyError } from '../../../src/economy/errors.ts';
import type { OperatorPayout } from '../../../src/economy/inputs.ts';
import { type ClaimFields, claimMessage } from '../../../src/economy/parallel/claim-message.ts';
import { decodeClaimLeaf, ParallelLedger, verifyClaimProof } from '../../../src/economy/parallel/ledger.ts';
import { merkleProof, merkleRoot, verifyMerkleProof } from '../../../src/economy/parallel/merkle.ts';
import { type TestKey, TestKeyring, utc } from './support.ts';
import { at } from '../../support/at.ts';

const NOW = utc(2022, 6, 1);
const ETH_TARGET = '0x720CD16b011b987Da3518fbf38c3071d4F0D1495';
const KDA_TARGET = 'k:ac07e9862bf04fe680c879286f273413d35b87667cce4a76d355fa319a51d82e';

let payoutSeq = 0;
function pay(ledger: ParallelLedger, address: string, amount: bigint, time = utc(2021, 7, 1)): void {
  const i = payoutSeq++;
  const p: OperatorPayout = {
    height: 900_000 + i,
    time,
    txid: `tx${i}`,
    payoutAddress: address,
    collateral: `col${i}:0`,
    tier: 'stratus',
    amount,
    nodeStartTime: utc(2021, 1, 1),
  };
  ledger.applyPayout(p);
}

function signed(key: TestKey, fields: ClaimFields, signer: TestKey = key) {
  return { ...fields, signature: signer.sign(claimMessage(fields)) };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof EconomyError) return err.code;
    throw err;
  }
  return 'accepted';
}

test('property: a claim is accepted once; replays and other keys are refused and change nothing', () => {
  fc.assert(
    fc.property(
      fc.array(fc.bigInt({ min: 10n, max: 30n * 100_000_000n }), { minLength: 1, maxLength: 8 }),
      fc.constantFrom('FLUX-KDA', 'FLUX-ETH', 'FLUX-BSC', 'FLUX-SOL', 'FLUX-TRX'),
      fc.integer({ min: 1, max: 100 }),
      (amounts, assetId, percent) => {
        const keys = new TestKeyring();
        const owner = keys.make(1);
        const thief = keys.make(2);
        const ledger = new ParallelLedger({ verifySignature: keys.verify });
        for (const a of amounts) pay(ledger, owner.address, a);
        pay(ledger, thief.address, 5n * 100_000_000n);
        const target = {
          'FLUX-KDA': KDA_TARGET,
          'FLUX-ETH': ETH_TARGET,
          'FLUX-BSC': '0xaFF9084f2374585879e8B434C399E29E80ccE635',
          'FLUX-SOL': 'FLUX1wa2GmbtSB6ZGi2pTNbVCw3zEeKnaPCkPtFXxqXe',
          'FLUX-TRX': 'TWr6yzukRwZ53HDe3bzcC8RCTbiKa4Zzb6',
        }[assetId]!;
        const claimable = ledger.position(owner.address, assetId, NOW).claimable;
        const amount = (claimable * BigInt(percent)) / 100n || 1n;
        const fields: ClaimFields = {
          assetId,
          sourceAddress: owner.address,
          targetAddress: target,
          amount,
          nonce: 0,
        };

        // Someone else's key, even for the right fields, is refused and changes nothing.
        const before = ledger.position(owner.address, assetId, NOW);
        assert.equal(
          codeOf(() => ledger.claim(signed(owner, fields, thief), NOW)),
          'bad-claim-signature',
        );
        assert.deepEqual(ledger.position(owner.address, assetId, NOW), before);

        const request = signed(owner, fields);
        const record = ledger.claim(request, NOW);
        assert.equal(record.amount, amount);
        const after = ledger.position(owner.address, assetId, NOW);
        assert.equal(after.claimed, amount);
        assert.equal(after.claimable, claimable - amount);

        // The same signed claim again: refused, nothing moves.
        assert.equal(
          codeOf(() => ledger.claim(request, NOW)),
          'claim-replayed',
        );
        // The thief re-signing the owner's claim as the next nonce: still not the owner's key.
        assert.equal(
          codeOf(() => ledger.claim(signed(owner, { ...fields, nonce: 1 }, thief), NOW)),
          'bad-claim-signature',
        );
        // Claiming more than is left.
        assert.equal(
          codeOf(() =>
            ledger.claim(signed(owner, { ...fields, nonce: 1, amount: after.claimable + 1n }), NOW),
          ),
          'claim-exceeds-balance',
        );
        assert.deepEqual(ledger.position(owner.address, assetId, NOW), after);
        assert.equal(ledger.claims(assetId).length, 1);
      },
    ),
    { numRuns: 30 },
  );
});

test('claims check the asset, the target address and the nonce before anything changes', () => {
  const keys = new TestKeyring();
  const owner = keys.make(3);
  const ledger = new ParallelLedger({ verifySignature: keys.verify });
  pay(ledger, owner.address, 1_000n * 100_000_000n);
  const base: ClaimFields = {
    assetId: 'FLUX-ETH',
    sourceAddress: owner.address,
    targetAddress: ETH_TARGET,
    amount: 5n,
    nonce: 0,
  };
  assert.equal(
    codeOf(() => ledger.claim(signed(owner, { ...base, assetId: 'FLUX-DOGE' }), NOW)),
    'unknown-asset',
  );
  assert.equal(
    codeOf(() => ledger.claim(signed(owner, { ...base, targetAddress: KDA_TARGET }), NOW)),
    'bad-target-address',
  );
  assert.equal(
    codeOf(() => ledger.claim(signed(owner, { ...base, amount: 0n }), NOW)),
    'bad-claim-amount',
  );
  assert.equal(
    codeOf(() => ledger.claim(signed(owner, { ...base, nonce: 3 }), NOW)),
    'bad-claim-nonce',
  );
  assert.equal(
    codeOf(() => ledger.claim(signed(owner, { ...base, assetId: 'FLUX-ERG' }), NOW)),
    'asset-not-launched',
  );
  assert.equal(ledger.position(owner.address, 'FLUX-ETH', NOW).claimed, 0n);
  // A lower-case EVM address is accepted and recorded in its checksummed form.
  const rec = ledger.claim(signed(owner, { ...base, targetAddress: ETH_TARGET.toLowerCase() }), NOW);
  assert.equal(rec.targetAddress, ETH_TARGET);
  // Claiming again later, for newly accrued units, takes the next nonce.
  pay(ledger, owner.address, 100_000_000n);
  assert.equal(ledger.position(owner.address, 'FLUX-ETH', NOW).nextNonce, 1);
  ledger.claim(signed(owner, { ...base, nonce: 1, amount: 10_000_000n }), NOW);
  assert.equal(ledger.claims('FLUX-ETH').length, 2);
});

const H = {
  sha256: (d: Uint8Array) => sha256(d),
  keccak: (d: Uint8Array) => keccak_256(d),
  blake: (d: Uint8Array) => blake2b(d, { dkLen: 32 }),
};

test('Merkle tree by its definition: H(0x01‖l‖r) for pairs, an odd last node lifted unchanged', () => {
  const leaves = [1, 2, 3].map((n) => H.sha256(Uint8Array.of(0x00, n)));
  const inner = (l: Uint8Array, r: Uint8Array) => H.sha256(concatBytes(Uint8Array.of(1), l, r));
  const byHand = inner(inner(at(leaves, 0), at(leaves, 1)), at(leaves, 2));
  assert.equal(toHex(merkleRoot(H.sha256, leaves)), toHex(byHand));
  assert.equal(toHex(merkleRoot(H.sha256, leaves.slice(0, 1))), toHex(at(leaves, 0)));
  // The lifted leaf's proof has one sibling (the left pair's hash), not two.
  assert.deepEqual(merkleProof(H.sha256, leaves, 2).map(toHex), [toHex(inner(at(leaves, 0), at(leaves, 1)))]);
});

test('property: every proof verifies, and any change to leaf, index, sibling or count fails', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), (count, pick) => {
      const leaves = Array.from({ length: count }, (_, i) => H.keccak(Uint8Array.of(0, i & 0xff, i >> 8)));
      const root = merkleRoot(H.keccak, leaves);
      for (let i = 0; i < count; i++) {
        assert.ok(
          verifyMerkleProof(H.keccak, at(leaves, i), i, count, merkleProof(H.keccak, leaves, i), root),
        );
      }
      const i = pick % count;
      const proof = merkleProof(H.keccak, leaves, i);
      const other = H.keccak(Uint8Array.of(9, 9, 9));
      assert.ok(!verifyMerkleProof(H.keccak, other, i, count, proof, root));
      if (count > 1) {
        assert.ok(!verifyMerkleProof(H.keccak, at(leaves, i), (i + 1) % count, count, proof, root));
        const bent = proof.map((s, k) => (k === 0 ? H.keccak(s) : s));
        assert.ok(!verifyMerkleProof(H.keccak, at(leaves, i), i, count, bent, root));
        assert.ok(!verifyMerkleProof(H.keccak, at(leaves, i), i, count, [...proof, other], root));
      }
    }),
    { numRuns: 30 },
  );
});

test('snapshots: one root per asset per snapshot, with its chain hash, and proofs a contract can check', () => {
  const keys = new TestKeyring();
  const ops = [keys.make(10), keys.make(11), keys.make(12)];
  const ledger = new ParallelLedger({ verifySignature: keys.verify });
  for (const op of ops) pay(ledger, op.address, 2_000n * 100_000_000n);
  const claimFor = (op: TestKey, assetId: string, target: string, amount: bigint, nonce: number) =>
    ledger.claim(
      signed(op, { assetId, sourceAddress: op.address, targetAddress: target, amount, nonce }),
      NOW,
    );

  const eth = ops.map((op, i) => claimFor(op, 'FLUX-ETH', ETH_TARGET, 1_000n + BigInt(i), 0));
  const kda = claimFor(at(ops, 0), 'FLUX-KDA', KDA_TARGET, 777n, 0);
  assert.equal(ledger.proof(at(eth, 0).id), null); // not yet in a snapshot

  const snapEth = ledger.snapshot('FLUX-ETH', NOW);
  const snapKda = ledger.snapshot('FLUX-KDA', NOW);
  assert.equal(snapEth.leafCount, 3);
  assert.equal(snapEth.total, 3_003n);
  assert.equal(snapEth.hash, 'keccak256');
  assert.equal(snapKda.hash, 'blake2b256');
  assert.throws(() => ledger.snapshot('FLUX-ETH', NOW), /nothing-to-snapshot/);

  for (const [i, c] of eth.entries()) {
    const proof = ledger.proof(c.id)!;
    assert.ok(verifyClaimProof(proof));
    const leaf = decodeClaimLeaf(proof.leaf);
    assert.deepEqual(
      { snapshot: leaf.snapshot, index: leaf.index, amount: leaf.amount, address: toHex(leaf.address) },
      { snapshot: 0, index: i, amount: c.amount, address: ETH_TARGET.slice(2).toLowerCase() },
    );
    // A contract given a bigger amount for the same proof must refuse.
    const inflated = {
      ...proof,
      leaf:
        proof.leaf.slice(0, 18) + (leaf.amount * 10n).toString(16).padStart(16, '0') + proof.leaf.slice(34),
    };
    assert.ok(!verifyClaimProof(inflated));
  }

  // A single-leaf snapshot's root is the leaf hash itself, with Kadena's blake2b-256.
  const kdaProof = ledger.proof(kda.id)!;
  assert.equal(kdaProof.siblings.length, 0);
  assert.equal(snapKda.root, toHex(H.blake(fromHex(kdaProof.leaf))));
  const leafText = new TextDecoder().decode(decodeClaimLeaf(kdaProof.leaf).address);
  assert.equal(leafText, KDA_TARGET);

  // A later claim goes into snapshot 1, not 0.
  const late = claimFor(at(ops, 1), 'FLUX-ETH', ETH_TARGET, 5n, 1);
  const snap1 = ledger.snapshot('FLUX-ETH', NOW + 60);
  assert.equal(snap1.snapshot, 1);
  const lateProof = ledger.proof(late.id)!;
  assert.equal(lateProof.snapshot, 1);
  assert.equal(lateProof.root, snap1.root);
  assert.ok(verifyClaimProof(lateProof));
  assert.notEqual(snap1.root, snapEth.root);
});
