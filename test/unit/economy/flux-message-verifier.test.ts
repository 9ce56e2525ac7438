import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressForPublicKey } from '../../../src/consensus/keys/address.ts';
import { publicKeyOf, signMessageBase64 } from '../../../src/consensus/keys/keys.ts';
import { EconomyError } from '../../../src/economy/errors.ts';
import { type ClaimFields, claimMessage } from '../../../src/economy/parallel/claim-message.ts';
import { fluxMessageVerifier } from '../../../src/economy/parallel/flux-message-verifier.ts';
import { ParallelLedger } from '../../../src/economy/parallel/ledger.ts';
import { utc } from './support.ts';

// Mainnet base58 prefixes (shared/reference/README.md): P2PKH 1C B8 ("t1…"), P2SH 1C BD ("t3…").
const MAINNET = { p2pkh: Uint8Array.of(0x1c, 0xb8), p2sh: Uint8Array.of(0x1c, 0xbd) };

test('claims signed fluxd-style by the t1 payout address are accepted; other keys are not', () => {
  const ownerKey = new Uint8Array(32).fill(0x11);
  const otherKey = new Uint8Array(32).fill(0x22);
  const owner = addressForPublicKey(publicKeyOf(ownerKey), MAINNET);
  assert.match(owner, /^t1/);
  const ledger = new ParallelLedger({ verifySignature: fluxMessageVerifier(MAINNET) });
  ledger.applyPayout({
    height: 1_000_000,
    time: utc(2021, 10, 1),
    txid: 'cb',
    payoutAddress: owner,
    collateral: 'c:0',
    tier: 'stratus',
    amount: 2_250_000_000n,
    nodeStartTime: utc(2021, 1, 1),
  });
  const fields: ClaimFields = {
    assetId: 'FLUX-BSC',
    sourceAddress: owner,
    targetAddress: '0xaFF9084f2374585879e8B434C399E29E80ccE635',
    amount: 225_000_000n,
    nonce: 0,
  };
  const now = utc(2022, 1, 1);
  const forged = { ...fields, signature: signMessageBase64(claimMessage(fields), otherKey) };
  assert.throws(
    () => ledger.claim(forged, now),
    (e: unknown) => e instanceof EconomyError && e.code === 'bad-claim-signature',
  );
  const garbage = { ...fields, signature: 'not base64 at all!' };
  assert.throws(() => ledger.claim(garbage, now), /bad-claim-signature/);
  const record = ledger.claim(
    { ...fields, signature: signMessageBase64(claimMessage(fields), ownerKey) },
    now,
  );
  assert.equal(record.amount, 225_000_000n);
  assert.equal(ledger.position(owner, 'FLUX-BSC', now).claimable, 0n);
});
