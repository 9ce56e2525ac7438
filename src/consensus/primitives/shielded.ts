import type { ByteReader, ByteWriter } from '../bytes.ts';
import { writeFixed } from './encode-guard.ts';
import type { JoinSplitDescription, OutputDescription, SpendDescription } from './types.ts';

/**
 * Shielded parts of Zcash-format transactions. Flux only parses and re-serializes them byte for
 * byte (it never creates them), so each field is kept as the raw bytes it arrived as.
 *
 * Sizes: a JoinSplit proof is PHGR13 (296 bytes) in v2/v3 transactions and Groth16 (192 bytes) in
 * overwintered v4; each JoinSplit note ciphertext is 601 bytes. A Sapling spend is 384 bytes and a
 * Sapling output 948 (encCiphertext 580, outCiphertext 80, proof 192).
 */
export const PHGR_PROOF_SIZE = 296;
export const GROTH_PROOF_SIZE = 192;
export const JOINSPLIT_CIPHERTEXT_SIZE = 601;
export const SAPLING_ENC_CIPHERTEXT_SIZE = 580;
export const SAPLING_OUT_CIPHERTEXT_SIZE = 80;
export const SPEND_AUTH_SIG_SIZE = 64;

export function readJoinSplit(r: ByteReader, useGroth: boolean, field: string): JoinSplitDescription {
  const vpubOld = r.i64(`${field}.vpubOld`);
  const vpubNew = r.i64(`${field}.vpubNew`);
  const anchor = r.bytesN(32, `${field}.anchor`);
  const nullifiers: [Uint8Array, Uint8Array] = [
    r.bytesN(32, `${field}.nullifiers[0]`),
    r.bytesN(32, `${field}.nullifiers[1]`),
  ];
  const commitments: [Uint8Array, Uint8Array] = [
    r.bytesN(32, `${field}.commitments[0]`),
    r.bytesN(32, `${field}.commitments[1]`),
  ];
  const ephemeralKey = r.bytesN(32, `${field}.ephemeralKey`);
  const randomSeed = r.bytesN(32, `${field}.randomSeed`);
  const macs: [Uint8Array, Uint8Array] = [r.bytesN(32, `${field}.macs[0]`), r.bytesN(32, `${field}.macs[1]`)];
  const proof = r.bytesN(useGroth ? GROTH_PROOF_SIZE : PHGR_PROOF_SIZE, `${field}.proof`);
  const ciphertexts: [Uint8Array, Uint8Array] = [
    r.bytesN(JOINSPLIT_CIPHERTEXT_SIZE, `${field}.ciphertexts[0]`),
    r.bytesN(JOINSPLIT_CIPHERTEXT_SIZE, `${field}.ciphertexts[1]`),
  ];
  return {
    vpubOld,
    vpubNew,
    anchor,
    nullifiers,
    commitments,
    ephemeralKey,
    randomSeed,
    macs,
    proof,
    ciphertexts,
  };
}

export function writeJoinSplit(
  w: ByteWriter,
  js: JoinSplitDescription,
  useGroth: boolean,
  field: string,
): void {
  w.i64(js.vpubOld);
  w.i64(js.vpubNew);
  writeFixed(w, js.anchor, 32, `${field}.anchor`);
  for (let i = 0; i < 2; i++) writeFixed(w, js.nullifiers[i], 32, `${field}.nullifiers[${i}]`);
  for (let i = 0; i < 2; i++) writeFixed(w, js.commitments[i], 32, `${field}.commitments[${i}]`);
  writeFixed(w, js.ephemeralKey, 32, `${field}.ephemeralKey`);
  writeFixed(w, js.randomSeed, 32, `${field}.randomSeed`);
  for (let i = 0; i < 2; i++) writeFixed(w, js.macs[i], 32, `${field}.macs[${i}]`);
  writeFixed(w, js.proof, useGroth ? GROTH_PROOF_SIZE : PHGR_PROOF_SIZE, `${field}.proof`);
  for (let i = 0; i < 2; i++) {
    writeFixed(w, js.ciphertexts[i], JOINSPLIT_CIPHERTEXT_SIZE, `${field}.ciphertexts[${i}]`);
  }
}

export function readSpend(r: ByteReader, field: string): SpendDescription {
  return {
    cv: r.bytesN(32, `${field}.cv`),
    anchor: r.bytesN(32, `${field}.anchor`),
    nullifier: r.bytesN(32, `${field}.nullifier`),
    rk: r.bytesN(32, `${field}.rk`),
    zkproof: r.bytesN(GROTH_PROOF_SIZE, `${field}.zkproof`),
    spendAuthSig: r.bytesN(SPEND_AUTH_SIG_SIZE, `${field}.spendAuthSig`),
  };
}

export function writeSpend(w: ByteWriter, s: SpendDescription, field: string): void {
  writeFixed(w, s.cv, 32, `${field}.cv`);
  writeFixed(w, s.anchor, 32, `${field}.anchor`);
  writeFixed(w, s.nullifier, 32, `${field}.nullifier`);
  writeFixed(w, s.rk, 32, `${field}.rk`);
  writeFixed(w, s.zkproof, GROTH_PROOF_SIZE, `${field}.zkproof`);
  writeFixed(w, s.spendAuthSig, SPEND_AUTH_SIG_SIZE, `${field}.spendAuthSig`);
}

export function readOutput(r: ByteReader, field: string): OutputDescription {
  return {
    cv: r.bytesN(32, `${field}.cv`),
    cmu: r.bytesN(32, `${field}.cmu`),
    ephemeralKey: r.bytesN(32, `${field}.ephemeralKey`),
    encCiphertext: r.bytesN(SAPLING_ENC_CIPHERTEXT_SIZE, `${field}.encCiphertext`),
    outCiphertext: r.bytesN(SAPLING_OUT_CIPHERTEXT_SIZE, `${field}.outCiphertext`),
    zkproof: r.bytesN(GROTH_PROOF_SIZE, `${field}.zkproof`),
  };
}

export function writeOutput(w: ByteWriter, o: OutputDescription, field: string): void {
  writeFixed(w, o.cv, 32, `${field}.cv`);
  writeFixed(w, o.cmu, 32, `${field}.cmu`);
  writeFixed(w, o.ephemeralKey, 32, `${field}.ephemeralKey`);
  writeFixed(w, o.encCiphertext, SAPLING_ENC_CIPHERTEXT_SIZE, `${field}.encCiphertext`);
  writeFixed(w, o.outCiphertext, SAPLING_OUT_CIPHERTEXT_SIZE, `${field}.outCiphertext`);
  writeFixed(w, o.zkproof, GROTH_PROOF_SIZE, `${field}.zkproof`);
}
