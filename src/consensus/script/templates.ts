/**
 * The standard output scripts (fluxd's Solver templates) and builders for them and their
 * matching scriptSigs.
 */
import { concatBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { OP, opcodeForSmallInteger, smallIntegerOf } from './opcodes.ts';
import { decodeOp, pushData, type ScriptOp } from './script.ts';

/** Largest data push in a standard OP_RETURN output, in bytes (fluxd's MAX_OP_RETURN_RELAY). */
export const MAX_OP_RETURN_RELAY = 80;
/** Bare multisig is standard up to this many keys. */
export const MAX_STANDARD_MULTISIG_KEYS = 3;

export type ScriptTemplate =
  | { type: 'p2pkh'; hash: Uint8Array }
  | { type: 'p2sh'; hash: Uint8Array }
  | { type: 'p2pk'; pubKey: Uint8Array }
  | { type: 'multisig'; required: number; pubKeys: Uint8Array[] }
  /** `data` is empty for a bare OP_RETURN. */
  | { type: 'nulldata'; data: Uint8Array }
  | { type: 'nonstandard' };

export type ScriptType = ScriptTemplate['type'];

/** OP_HASH160 <20 bytes> OP_EQUAL, byte for byte (BIP16's exact pattern). */
export function isPayToScriptHash(script: Uint8Array): boolean {
  return (
    script.length === 23 && script[0] === OP.OP_HASH160 && script[1] === 0x14 && script[22] === OP.OP_EQUAL
  );
}

function opsOf(script: Uint8Array): ScriptOp[] | undefined {
  const ops: ScriptOp[] = [];
  let pc = 0;
  while (pc < script.length) {
    const next = decodeOp(script, pc);
    if (!next) return undefined;
    ops.push(next);
    pc = next.end;
  }
  return ops;
}

const isKeySized = (o: ScriptOp | undefined) =>
  o?.data !== undefined && o.data.length >= 33 && o.data.length <= 65;

/**
 * Which standard template a scriptPubKey matches, with its parameters. Matching follows fluxd's
 * Solver: pushes are compared by their data, whatever push opcode carries it; OP_RETURN data
 * over `maxDataCarrier` bytes is nonstandard.
 */
export function classifyScript(script: Uint8Array, maxDataCarrier = MAX_OP_RETURN_RELAY): ScriptTemplate {
  if (isPayToScriptHash(script)) return { type: 'p2sh', hash: script.slice(2, 22) };
  const ops = opsOf(script);
  const [first, second, third, fourth, fifth] = ops ?? [];
  if (!ops || !first) return { type: 'nonstandard' };

  if (first.op === OP.OP_RETURN) {
    const push = second;
    if (!push) return { type: 'nulldata', data: new Uint8Array(0) };
    if (ops.length === 2 && push.op <= OP.OP_16 && (push.data?.length ?? 0) <= maxDataCarrier) {
      return { type: 'nulldata', data: Uint8Array.from(push.data ?? []) };
    }
    return { type: 'nonstandard' };
  }

  if (ops.length === 2 && isKeySized(first) && second?.op === OP.OP_CHECKSIG) {
    return { type: 'p2pk', pubKey: Uint8Array.from(first.data!) };
  }

  if (
    ops.length === 5 &&
    first.op === OP.OP_DUP &&
    second?.op === OP.OP_HASH160 &&
    third?.data?.length === 20 &&
    fourth?.op === OP.OP_EQUALVERIFY &&
    fifth?.op === OP.OP_CHECKSIG
  ) {
    return { type: 'p2pkh', hash: Uint8Array.from(third.data) };
  }

  const [count, last] = ops.slice(-2);
  if (ops.length >= 4 && count && last?.op === OP.OP_CHECKMULTISIG) {
    const m = smallIntegerOf(first.op);
    const n = smallIntegerOf(count.op);
    const keys = ops.slice(1, -2);
    if (
      m !== undefined &&
      n !== undefined &&
      m >= 1 &&
      n >= 1 &&
      m <= n &&
      keys.length === n &&
      keys.every((k) => isKeySized(k))
    ) {
      return { type: 'multisig', required: m, pubKeys: keys.map((k) => Uint8Array.from(k.data!)) };
    }
  }
  return { type: 'nonstandard' };
}

/** fluxd's IsStandard for an output script: a known template, and bare multisig of at most 3 keys. */
export function isStandardScript(script: Uint8Array, maxDataCarrier = MAX_OP_RETURN_RELAY): boolean {
  const t = classifyScript(script, maxDataCarrier);
  if (t.type === 'multisig') return t.pubKeys.length <= MAX_STANDARD_MULTISIG_KEYS;
  return t.type !== 'nonstandard';
}

function requireLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new ConsensusError('bad-script-template', `${what} must be ${length} bytes, got ${bytes.length}`, {
      field: what,
      value: toHex(bytes),
    });
  }
}

function requirePubKey(pubKey: Uint8Array): void {
  const ok =
    (pubKey.length === 33 && (pubKey[0] === 2 || pubKey[0] === 3)) ||
    (pubKey.length === 65 && pubKey[0] === 4);
  if (!ok) {
    throw new ConsensusError(
      'bad-script-template',
      `public key must be 33 bytes (02/03…) or 65 bytes (04…), got ${pubKey.length} bytes`,
      { field: 'pubKey', value: toHex(pubKey) },
    );
  }
}

/** OP_DUP OP_HASH160 <hash160(pubkey)> OP_EQUALVERIFY OP_CHECKSIG */
export function p2pkhScript(pubKeyHash: Uint8Array): Uint8Array {
  requireLength('pubKeyHash', pubKeyHash, 20);
  return concatBytes(
    Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, 20),
    pubKeyHash,
    Uint8Array.of(OP.OP_EQUALVERIFY, OP.OP_CHECKSIG),
  );
}

/** OP_HASH160 <hash160(redeemScript)> OP_EQUAL */
export function p2shScript(scriptHash: Uint8Array): Uint8Array {
  requireLength('scriptHash', scriptHash, 20);
  return concatBytes(Uint8Array.of(OP.OP_HASH160, 20), scriptHash, Uint8Array.of(OP.OP_EQUAL));
}

/** <pubkey> OP_CHECKSIG */
export function p2pkScript(pubKey: Uint8Array): Uint8Array {
  requirePubKey(pubKey);
  return concatBytes(pushData(pubKey), Uint8Array.of(OP.OP_CHECKSIG));
}

/** OP_m <pubkey>… OP_n OP_CHECKMULTISIG, keys in the order given (1 ≤ m ≤ n ≤ 16). */
export function multisigScript(required: number, pubKeys: Uint8Array[]): Uint8Array {
  if (!Number.isInteger(required) || required < 1 || required > pubKeys.length || pubKeys.length > 16) {
    throw new ConsensusError(
      'bad-script-template',
      `multisig needs 1 ≤ required ≤ keys ≤ 16, got ${required} of ${pubKeys.length}`,
      { field: 'required', value: required },
    );
  }
  for (const k of pubKeys) requirePubKey(k);
  return concatBytes(
    Uint8Array.of(opcodeForSmallInteger(required)),
    ...pubKeys.map(pushData),
    Uint8Array.of(opcodeForSmallInteger(pubKeys.length), OP.OP_CHECKMULTISIG),
  );
}

/** OP_RETURN <data>: a provably unspendable data carrier; standard up to 80 bytes of data. */
export function nullDataScript(data: Uint8Array, maxDataCarrier = MAX_OP_RETURN_RELAY): Uint8Array {
  if (data.length > maxDataCarrier) {
    throw new ConsensusError(
      'datacarrier-too-large',
      `OP_RETURN data is ${data.length} bytes; at most ${maxDataCarrier} are standard`,
      { field: 'data', value: data.length },
    );
  }
  if (data.length === 0) return Uint8Array.of(OP.OP_RETURN);
  return concatBytes(Uint8Array.of(OP.OP_RETURN), pushData(data));
}

/** <sig+hashtype> <pubkey> */
export function p2pkhScriptSig(signature: Uint8Array, pubKey: Uint8Array): Uint8Array {
  return concatBytes(pushData(signature), pushData(pubKey));
}

/** <sig+hashtype> */
export function p2pkScriptSig(signature: Uint8Array): Uint8Array {
  return pushData(signature);
}

/** OP_0 <sig>… (the OP_0 feeds CHECKMULTISIG's extra pop, and must be empty under NULLDUMMY). */
export function multisigScriptSig(signatures: Uint8Array[]): Uint8Array {
  return concatBytes(Uint8Array.of(OP.OP_0), ...signatures.map(pushData));
}

/** The redeem script's own unlocking pushes (already encoded), then the redeem script itself. */
export function p2shScriptSig(unlocking: Uint8Array, redeemScript: Uint8Array): Uint8Array {
  return concatBytes(unlocking, pushData(redeemScript));
}
