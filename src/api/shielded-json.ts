/**
 * The shielded parts of a transaction in fluxd's JSON: JoinSplits (vJoinSplit), Sapling spends and
 * outputs, and the value balance. 32-byte fields print byte-reversed (fluxd's uint256 GetHex),
 * proofs, signatures and ciphertexts in stored order.
 */
import {
  type JoinSplitDescription,
  type OutputDescription,
  reverseHex,
  type SpendDescription,
  toHex,
  type Transaction,
} from '../consensus/index.ts';

const COIN_NUMBER = 100_000_000;

function joinSplitJson(js: JoinSplitDescription) {
  return {
    vpub_old: Number(js.vpubOld) / COIN_NUMBER,
    vpub_oldZat: Number(js.vpubOld),
    vpub_new: Number(js.vpubNew) / COIN_NUMBER,
    vpub_newZat: Number(js.vpubNew),
    anchor: reverseHex(js.anchor),
    nullifiers: js.nullifiers.map(reverseHex),
    commitments: js.commitments.map(reverseHex),
    onetimePubKey: reverseHex(js.ephemeralKey),
    randomSeed: reverseHex(js.randomSeed),
    macs: js.macs.map(reverseHex),
    proof: toHex(js.proof),
    ciphertexts: js.ciphertexts.map(toHex),
  };
}

function spendJson(s: SpendDescription) {
  return {
    cv: reverseHex(s.cv),
    anchor: reverseHex(s.anchor),
    nullifier: reverseHex(s.nullifier),
    rk: reverseHex(s.rk),
    proof: toHex(s.zkproof),
    spendAuthSig: toHex(s.spendAuthSig),
  };
}

function outputJson(o: OutputDescription) {
  return {
    cv: reverseHex(o.cv),
    cmu: reverseHex(o.cmu),
    ephemeralKey: reverseHex(o.ephemeralKey),
    encCiphertext: toHex(o.encCiphertext),
    outCiphertext: toHex(o.outCiphertext),
    proof: toHex(o.zkproof),
  };
}

/** `vJoinSplit` always; the Sapling fields for an overwintered v4+ transaction, as fluxd. */
export function shieldedJson(tx: Transaction) {
  const sapling = tx.overwintered && tx.version >= 4;
  const bound = tx.shieldedSpends.length + tx.shieldedOutputs.length > 0 && tx.bindingSig;
  return {
    vJoinSplit: tx.joinSplits.map(joinSplitJson),
    ...(sapling
      ? {
          valueBalance: Number(tx.valueBalance) / COIN_NUMBER,
          valueBalanceZat: Number(tx.valueBalance),
          vShieldedSpend: tx.shieldedSpends.map(spendJson),
          vShieldedOutput: tx.shieldedOutputs.map(outputJson),
          ...(bound ? { bindingSig: toHex(tx.bindingSig!) } : {}),
        }
      : {}),
  };
}
