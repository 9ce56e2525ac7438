/**
 * The script interpreter: a stack machine with fluxd's rules (Bitcoin 0.11 as changed by Zcash:
 * strict DER always, OP_CODESEPARATOR disabled, no signature removal from the script code).
 * Every failure throws a ScriptError naming the opcode, where it sits and why it failed.
 */
import { ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { hash160, sha256d } from '../hash.ts';
import { OP, opcodeName } from './opcodes.ts';
import {
  castToBool,
  decodeOp,
  decodeScriptNum,
  encodeScriptNum,
  isMinimalPush,
  isPushOnly,
  MAX_OPS_PER_SCRIPT,
  MAX_PUBKEYS_PER_MULTISIG,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_SCRIPT_SIZE,
  MAX_STACK_SIZE,
  ScriptNumberError,
  scriptNumToInt,
} from './script.ts';
import { isPayToScriptHash } from './templates.ts';

/** Script verification flags, with fluxd's bit values (bit 2, DERSIG, is always on in Flux). */
export const SCRIPT_VERIFY = {
  NONE: 0,
  P2SH: 1 << 0,
  STRICTENC: 1 << 1,
  LOW_S: 1 << 3,
  NULLDUMMY: 1 << 4,
  SIGPUSHONLY: 1 << 5,
  MINIMALDATA: 1 << 6,
  DISCOURAGE_UPGRADABLE_NOPS: 1 << 7,
  CLEANSTACK: 1 << 8,
  CHECKLOCKTIMEVERIFY: 1 << 9,
} as const;

/** Flags every block must satisfy. */
export const MANDATORY_SCRIPT_VERIFY_FLAGS = SCRIPT_VERIFY.P2SH;

/** Flags the mempool applies to standard transactions (fluxd's STANDARD_SCRIPT_VERIFY_FLAGS). */
export const STANDARD_SCRIPT_VERIFY_FLAGS =
  MANDATORY_SCRIPT_VERIFY_FLAGS |
  SCRIPT_VERIFY.STRICTENC |
  SCRIPT_VERIFY.MINIMALDATA |
  SCRIPT_VERIFY.NULLDUMMY |
  SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_NOPS |
  SCRIPT_VERIFY.CLEANSTACK |
  SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY |
  SCRIPT_VERIFY.LOW_S;

export const SIGHASH_ALL = 1;
export const SIGHASH_NONE = 2;
export const SIGHASH_SINGLE = 3;
export const SIGHASH_ANYONECANPAY = 0x80;

/** What the interpreter asks of the transaction being verified. */
export interface SignatureChecker {
  /** `signature` still carries its trailing hash-type byte; `scriptCode` is the script being run. */
  checkSig(signature: Uint8Array, pubKey: Uint8Array, scriptCode: Uint8Array): boolean;
  /** OP_CHECKLOCKTIMEVERIFY's comparison against the transaction's lock time. */
  checkLockTime(lockTime: bigint): boolean;
}

/** A checker with no transaction: every signature and lock time fails. */
export const NO_TRANSACTION_CHECKER: SignatureChecker = {
  checkSig: () => false,
  checkLockTime: () => false,
};

/** fluxd's ScriptError values, in kebab case. */
export type ScriptErrorCode =
  | 'unknown-error'
  | 'eval-false'
  | 'op-return'
  | 'script-size'
  | 'push-size'
  | 'op-count'
  | 'stack-size'
  | 'sig-count'
  | 'pubkey-count'
  | 'verify'
  | 'equalverify'
  | 'checksigverify'
  | 'checkmultisigverify'
  | 'numequalverify'
  | 'bad-opcode'
  | 'disabled-opcode'
  | 'invalid-stack-operation'
  | 'invalid-altstack-operation'
  | 'unbalanced-conditional'
  | 'negative-locktime'
  | 'unsatisfied-locktime'
  | 'sig-hashtype'
  | 'sig-der'
  | 'minimaldata'
  | 'sig-pushonly'
  | 'sig-high-s'
  | 'sig-nulldummy'
  | 'pubkeytype'
  | 'cleanstack'
  | 'discourage-upgradable-nops';

export type ScriptRole = 'scriptSig' | 'scriptPubKey' | 'redeemScript' | 'script';

/** A script that failed: `code` says which rule, `opcode` and `position` where. */
export class ScriptError extends ConsensusError {
  readonly code: ScriptErrorCode;
  readonly opcode: string | undefined;
  readonly position: number | undefined;
  readonly role: ScriptRole;

  constructor(
    code: ScriptErrorCode,
    detail: string,
    where: { role: ScriptRole; opcode?: string; position?: number },
    rule = 'mandatory-script-verify-flag-failed',
  ) {
    const at = where.opcode
      ? `${where.opcode} failed at byte ${where.position} of the ${where.role}`
      : `${where.role} failed`;
    super(rule, `${at}: ${detail} [${code}]`, { field: where.role, value: code });
    this.name = 'ScriptError';
    this.code = code;
    this.opcode = where.opcode;
    this.position = where.position;
    this.role = where.role;
  }
}

const DISABLED = new Set<number>([
  OP.OP_CAT,
  OP.OP_SUBSTR,
  OP.OP_LEFT,
  OP.OP_RIGHT,
  OP.OP_INVERT,
  OP.OP_AND,
  OP.OP_OR,
  OP.OP_XOR,
  OP.OP_2MUL,
  OP.OP_2DIV,
  OP.OP_MUL,
  OP.OP_DIV,
  OP.OP_MOD,
  OP.OP_LSHIFT,
  OP.OP_RSHIFT,
  OP.OP_CODESEPARATOR,
]);

const TRUE = Uint8Array.of(1);
const FALSE = new Uint8Array(0);

/**
 * BIP66 strict DER with a trailing hash-type byte:
 * 0x30 len 0x02 lenR R 0x02 lenS S hashtype, R and S positive and minimally encoded.
 */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  if (sig.length < 9 || sig.length > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== sig.length - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= sig.length) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== sig.length) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4]! & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5]! & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6]! & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7]! & 0x80)) return false;
  return true;
}

const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);
const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);

function bigFromBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** S at most half the curve order (BIP62 rule 5); the signature must already be valid DER. */
export function isLowDerSignature(sigWithHashType: Uint8Array): boolean {
  const lenR = sigWithHashType[3]!;
  const lenS = sigWithHashType[5 + lenR]!;
  const s = bigFromBytes(sigWithHashType.subarray(6 + lenR, 6 + lenR + lenS));
  return s <= HALF_ORDER;
}

function isDefinedHashType(sig: Uint8Array): boolean {
  if (sig.length === 0) return false;
  const t = sig[sig.length - 1]! & ~SIGHASH_ANYONECANPAY;
  return t >= SIGHASH_ALL && t <= SIGHASH_SINGLE;
}

function isCompressedOrUncompressedPubKey(k: Uint8Array): boolean {
  if (k.length < 33) return false;
  if (k[0] === 0x04) return k.length === 65;
  if (k[0] === 0x02 || k[0] === 0x03) return k.length === 33;
  return false;
}

/** Why a signature's encoding is refused under `flags`, or undefined when it is acceptable. */
function signatureEncodingError(sig: Uint8Array, flags: number): [ScriptErrorCode, string] | undefined {
  // An empty signature is a compact way to fail a CHECK(MULTI)SIG, so it passes the encoding check.
  if (sig.length === 0) return undefined;
  if (!isValidSignatureEncoding(sig)) return ['sig-der', `signature is not strict DER: ${toHex(sig)}`];
  if (flags & SCRIPT_VERIFY.LOW_S && !isLowDerSignature(sig)) {
    return ['sig-high-s', 'signature S value is above half the curve order'];
  }
  if (flags & SCRIPT_VERIFY.STRICTENC && !isDefinedHashType(sig)) {
    return ['sig-hashtype', `undefined hash type 0x${sig[sig.length - 1]!.toString(16).padStart(2, '0')}`];
  }
  return undefined;
}

function pubKeyEncodingError(pubKey: Uint8Array, flags: number): [ScriptErrorCode, string] | undefined {
  if (flags & SCRIPT_VERIFY.STRICTENC && !isCompressedOrUncompressedPubKey(pubKey)) {
    return ['pubkeytype', `public key is neither compressed nor uncompressed: ${toHex(pubKey)}`];
  }
  return undefined;
}

/**
 * Run one script on `stack` (modified in place). Throws ScriptError on the first failure; a
 * script that runs to the end without failing returns, whatever it left on the stack.
 */
export function evalScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: number,
  checker: SignatureChecker,
  role: ScriptRole = 'script',
): void {
  let opName: string | undefined;
  let position: number | undefined;
  const fail = (code: ScriptErrorCode, detail: string): never => {
    throw new ScriptError(code, detail, { role, opcode: opName, position });
  };
  if (script.length > MAX_SCRIPT_SIZE) {
    fail('script-size', `script is ${script.length} bytes, limit ${MAX_SCRIPT_SIZE}`);
  }
  const requireMinimal = (flags & SCRIPT_VERIFY.MINIMALDATA) !== 0;
  const altstack: Uint8Array[] = [];
  const vfExec: boolean[] = [];
  let falseBranches = 0;
  let opCount = 0;

  const need = (n: number) => {
    if (stack.length < n) fail('invalid-stack-operation', `needs ${n} stack items, has ${stack.length}`);
  };
  // `need` runs before every read, so a miss here is a bug in this file, reported as the stack error it would be.
  const top = (i: number): Uint8Array =>
    stack[stack.length - i] ??
    fail('invalid-stack-operation', `no item ${i} from the top of ${stack.length}`);
  const num = (v: Uint8Array, maxSize = 4): bigint => {
    try {
      return decodeScriptNum(v, requireMinimal, maxSize);
    } catch (err) {
      if (err instanceof ScriptNumberError) fail('unknown-error', `operand ${toHex(v)}: ${err.message}`);
      throw err;
    }
  };
  const pushNum = (n: bigint) => stack.push(encodeScriptNum(n));
  const pushBool = (b: boolean) => stack.push(b ? TRUE : FALSE);

  let pc = 0;
  while (pc < script.length) {
    const exec = falseBranches === 0;
    position = pc;
    const ins = decodeOp(script, pc);
    if (!ins) {
      opName = opcodeName(script[pc]!);
      fail('bad-opcode', 'push runs past the end of the script');
    }
    const { op, data } = ins!;
    opName = opcodeName(op);
    pc = ins!.end;

    if (data !== undefined && data.length > MAX_SCRIPT_ELEMENT_SIZE) {
      fail('push-size', `pushes ${data.length} bytes, limit ${MAX_SCRIPT_ELEMENT_SIZE}`);
    }
    // OP_RESERVED (0x50) and the pushes do not count towards the opcode limit.
    if (op > OP.OP_16 && ++opCount > MAX_OPS_PER_SCRIPT) {
      fail('op-count', `more than ${MAX_OPS_PER_SCRIPT} opcodes`);
    }
    if (DISABLED.has(op)) fail('disabled-opcode', 'opcode is disabled');

    if (exec && op <= OP.OP_PUSHDATA4) {
      if (requireMinimal && !isMinimalPush(data!, op)) {
        fail('minimaldata', `${data!.length}-byte push does not use the shortest form`);
      }
      stack.push(data!);
    } else if (exec || (op >= OP.OP_IF && op <= OP.OP_ENDIF)) {
      switch (op) {
        case OP.OP_1NEGATE:
        case OP.OP_1:
        case OP.OP_2:
        case OP.OP_3:
        case OP.OP_4:
        case OP.OP_5:
        case OP.OP_6:
        case OP.OP_7:
        case OP.OP_8:
        case OP.OP_9:
        case OP.OP_10:
        case OP.OP_11:
        case OP.OP_12:
        case OP.OP_13:
        case OP.OP_14:
        case OP.OP_15:
        case OP.OP_16:
          pushNum(BigInt(op - (OP.OP_1 - 1)));
          break;

        case OP.OP_NOP:
          break;

        case OP.OP_CHECKLOCKTIMEVERIFY: {
          if (!(flags & SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY)) {
            // Not active: it is NOP2.
            if (flags & SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_NOPS) {
              fail('discourage-upgradable-nops', 'upgradable NOP executed');
            }
            break;
          }
          need(1);
          // Five bytes, so lock times past 2038 fit; the value stays on the stack.
          const lockTime = num(top(1), 5);
          if (lockTime < 0n) fail('negative-locktime', `lock time ${lockTime} is negative`);
          if (!checker.checkLockTime(lockTime)) {
            fail('unsatisfied-locktime', `transaction does not satisfy lock time ${lockTime}`);
          }
          break;
        }

        case OP.OP_NOP1:
        case OP.OP_NOP3:
        case OP.OP_NOP4:
        case OP.OP_NOP5:
        case OP.OP_NOP6:
        case OP.OP_NOP7:
        case OP.OP_NOP8:
        case OP.OP_NOP9:
        case OP.OP_NOP10:
          if (flags & SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_NOPS) {
            fail('discourage-upgradable-nops', 'upgradable NOP executed');
          }
          break;

        case OP.OP_IF:
        case OP.OP_NOTIF: {
          let value = false;
          if (exec) {
            if (stack.length < 1) fail('unbalanced-conditional', 'no condition on the stack');
            value = castToBool(top(1));
            if (op === OP.OP_NOTIF) value = !value;
            stack.pop();
          }
          vfExec.push(value);
          if (!value) falseBranches++;
          break;
        }

        case OP.OP_ELSE: {
          if (vfExec.length === 0) fail('unbalanced-conditional', 'OP_ELSE without OP_IF');
          const last = vfExec.length - 1;
          falseBranches += vfExec[last] ? 1 : -1;
          vfExec[last] = !vfExec[last];
          break;
        }

        case OP.OP_ENDIF:
          if (vfExec.length === 0) fail('unbalanced-conditional', 'OP_ENDIF without OP_IF');
          if (!vfExec.pop()) falseBranches--;
          break;

        case OP.OP_VERIFY:
          need(1);
          if (!castToBool(top(1))) fail('verify', 'top stack item is false');
          stack.pop();
          break;

        case OP.OP_RETURN:
          fail('op-return', 'OP_RETURN makes the script fail');
          break;

        case OP.OP_TOALTSTACK:
          need(1);
          altstack.push(stack.pop()!);
          break;

        case OP.OP_FROMALTSTACK:
          if (altstack.length < 1) fail('invalid-altstack-operation', 'alt stack is empty');
          stack.push(altstack.pop()!);
          break;

        case OP.OP_2DROP:
          need(2);
          stack.length -= 2;
          break;

        case OP.OP_2DUP: {
          need(2);
          const a = top(2);
          const b = top(1);
          stack.push(a, b);
          break;
        }

        case OP.OP_3DUP: {
          need(3);
          const a = top(3);
          const b = top(2);
          const c = top(1);
          stack.push(a, b, c);
          break;
        }

        case OP.OP_2OVER: {
          need(4);
          const a = top(4);
          const b = top(3);
          stack.push(a, b);
          break;
        }

        case OP.OP_2ROT: {
          need(6);
          stack.push(...stack.splice(stack.length - 6, 2));
          break;
        }

        case OP.OP_2SWAP: {
          need(4);
          const n = stack.length;
          const [a, b, c, d] = [top(4), top(3), top(2), top(1)];
          stack.splice(n - 4, 4, c, d, a, b);
          break;
        }

        case OP.OP_IFDUP:
          need(1);
          if (castToBool(top(1))) stack.push(top(1));
          break;

        case OP.OP_DEPTH:
          pushNum(BigInt(stack.length));
          break;

        case OP.OP_DROP:
          need(1);
          stack.pop();
          break;

        case OP.OP_DUP:
          need(1);
          stack.push(top(1));
          break;

        case OP.OP_NIP:
          need(2);
          stack.splice(stack.length - 2, 1);
          break;

        case OP.OP_OVER:
          need(2);
          stack.push(top(2));
          break;

        case OP.OP_PICK:
        case OP.OP_ROLL: {
          need(2);
          const n = scriptNumToInt(num(top(1)));
          stack.pop();
          if (n < 0 || n >= stack.length) {
            fail('invalid-stack-operation', `index ${n} outside a stack of ${stack.length}`);
          }
          const v = top(n + 1);
          if (op === OP.OP_ROLL) stack.splice(stack.length - n - 1, 1);
          stack.push(v);
          break;
        }

        case OP.OP_ROT: {
          need(3);
          stack.push(...stack.splice(stack.length - 3, 1));
          break;
        }

        case OP.OP_SWAP: {
          need(2);
          const n = stack.length;
          const [a, b] = [top(2), top(1)];
          stack.splice(n - 2, 2, b, a);
          break;
        }

        case OP.OP_TUCK:
          need(2);
          stack.splice(stack.length - 2, 0, top(1));
          break;

        case OP.OP_SIZE:
          need(1);
          pushNum(BigInt(top(1).length));
          break;

        case OP.OP_EQUAL:
        case OP.OP_EQUALVERIFY: {
          need(2);
          const a = top(2);
          const b = top(1);
          const equal = equalBytes(a, b);
          stack.length -= 2;
          pushBool(equal);
          if (op === OP.OP_EQUALVERIFY) {
            if (!equal) fail('equalverify', `${toHex(a)} ≠ ${toHex(b)}`);
            stack.pop();
          }
          break;
        }

        case OP.OP_1ADD:
        case OP.OP_1SUB:
        case OP.OP_NEGATE:
        case OP.OP_ABS:
        case OP.OP_NOT:
        case OP.OP_0NOTEQUAL: {
          need(1);
          let n = num(top(1));
          if (op === OP.OP_1ADD) n += 1n;
          else if (op === OP.OP_1SUB) n -= 1n;
          else if (op === OP.OP_NEGATE) n = -n;
          else if (op === OP.OP_ABS) n = n < 0n ? -n : n;
          else if (op === OP.OP_NOT) n = n === 0n ? 1n : 0n;
          else n = n !== 0n ? 1n : 0n;
          stack.pop();
          pushNum(n);
          break;
        }

        case OP.OP_ADD:
        case OP.OP_SUB:
        case OP.OP_BOOLAND:
        case OP.OP_BOOLOR:
        case OP.OP_NUMEQUAL:
        case OP.OP_NUMEQUALVERIFY:
        case OP.OP_NUMNOTEQUAL:
        case OP.OP_LESSTHAN:
        case OP.OP_GREATERTHAN:
        case OP.OP_LESSTHANOREQUAL:
        case OP.OP_GREATERTHANOREQUAL:
        case OP.OP_MIN:
        case OP.OP_MAX: {
          need(2);
          const a = num(top(2));
          const b = num(top(1));
          let r: bigint;
          switch (op) {
            case OP.OP_ADD:
              r = a + b;
              break;
            case OP.OP_SUB:
              r = a - b;
              break;
            case OP.OP_BOOLAND:
              r = a !== 0n && b !== 0n ? 1n : 0n;
              break;
            case OP.OP_BOOLOR:
              r = a !== 0n || b !== 0n ? 1n : 0n;
              break;
            case OP.OP_NUMEQUAL:
            case OP.OP_NUMEQUALVERIFY:
              r = a === b ? 1n : 0n;
              break;
            case OP.OP_NUMNOTEQUAL:
              r = a !== b ? 1n : 0n;
              break;
            case OP.OP_LESSTHAN:
              r = a < b ? 1n : 0n;
              break;
            case OP.OP_GREATERTHAN:
              r = a > b ? 1n : 0n;
              break;
            case OP.OP_LESSTHANOREQUAL:
              r = a <= b ? 1n : 0n;
              break;
            case OP.OP_GREATERTHANOREQUAL:
              r = a >= b ? 1n : 0n;
              break;
            case OP.OP_MIN:
              r = bigMin(a, b);
              break;
            default:
              r = bigMax(a, b);
          }
          stack.length -= 2;
          pushNum(r);
          if (op === OP.OP_NUMEQUALVERIFY) {
            if (r === 0n) fail('numequalverify', `${a} ≠ ${b}`);
            stack.pop();
          }
          break;
        }

        case OP.OP_WITHIN: {
          need(3);
          const x = num(top(3));
          const min = num(top(2));
          const max = num(top(1));
          stack.length -= 3;
          pushBool(min <= x && x < max);
          break;
        }

        case OP.OP_RIPEMD160:
        case OP.OP_SHA1:
        case OP.OP_SHA256:
        case OP.OP_HASH160:
        case OP.OP_HASH256: {
          need(1);
          const v = stack.pop()!;
          if (op === OP.OP_RIPEMD160) stack.push(ripemd160(v));
          else if (op === OP.OP_SHA1) stack.push(sha1(v));
          else if (op === OP.OP_SHA256) stack.push(sha256(v));
          else if (op === OP.OP_HASH160) stack.push(hash160(v));
          else stack.push(sha256d(v));
          break;
        }

        case OP.OP_CHECKSIG:
        case OP.OP_CHECKSIGVERIFY: {
          need(2);
          const sig = top(2);
          const pubKey = top(1);
          const bad = signatureEncodingError(sig, flags) ?? pubKeyEncodingError(pubKey, flags);
          if (bad) fail(bad[0], bad[1]);
          const ok = checker.checkSig(sig, pubKey, script);
          stack.length -= 2;
          pushBool(ok);
          if (op === OP.OP_CHECKSIGVERIFY) {
            if (!ok) fail('checksigverify', `signature does not verify against key ${toHex(pubKey)}`);
            stack.pop();
          }
          break;
        }

        case OP.OP_CHECKMULTISIG:
        case OP.OP_CHECKMULTISIGVERIFY: {
          // Stack: <dummy> <sig>… <m> <pubkey>… <n>
          let i = 1;
          need(i);
          let keysLeft = scriptNumToInt(num(top(i)));
          if (keysLeft < 0 || keysLeft > MAX_PUBKEYS_PER_MULTISIG) {
            fail('pubkey-count', `${keysLeft} keys; allowed 0–${MAX_PUBKEYS_PER_MULTISIG}`);
          }
          opCount += keysLeft;
          if (opCount > MAX_OPS_PER_SCRIPT) fail('op-count', `more than ${MAX_OPS_PER_SCRIPT} opcodes`);
          let iKey = ++i;
          i += keysLeft;
          need(i);
          let sigsLeft = scriptNumToInt(num(top(i)));
          if (sigsLeft < 0 || sigsLeft > keysLeft) {
            fail('sig-count', `${sigsLeft} signatures for ${keysLeft} keys`);
          }
          let iSig = ++i;
          i += sigsLeft;
          need(i);

          let success = true;
          while (success && sigsLeft > 0) {
            const sig = top(iSig);
            const pubKey = top(iKey);
            // The order keys and signatures are checked in is observable under STRICTENC.
            const bad = signatureEncodingError(sig, flags) ?? pubKeyEncodingError(pubKey, flags);
            if (bad) fail(bad[0], bad[1]);
            if (checker.checkSig(sig, pubKey, script)) {
              iSig++;
              sigsLeft--;
            }
            iKey++;
            keysLeft--;
            // More signatures left than keys: some must have failed.
            if (sigsLeft > keysLeft) success = false;
          }

          stack.length -= i - 1;
          // The historical extra pop: it must exist, and under NULLDUMMY be empty.
          if (stack.length < 1) fail('invalid-stack-operation', 'missing the extra (dummy) stack item');
          if (flags & SCRIPT_VERIFY.NULLDUMMY && top(1).length !== 0) {
            fail('sig-nulldummy', `dummy item is ${toHex(top(1))}, not empty`);
          }
          stack.pop();
          pushBool(success);
          if (op === OP.OP_CHECKMULTISIGVERIFY) {
            if (!success) fail('checkmultisigverify', 'not enough valid signatures');
            stack.pop();
          }
          break;
        }

        default:
          fail('bad-opcode', 'opcode is not defined');
      }
    }

    if (stack.length + altstack.length > MAX_STACK_SIZE) {
      fail('stack-size', `stack holds more than ${MAX_STACK_SIZE} items`);
    }
  }

  opName = undefined;
  if (vfExec.length !== 0) fail('unbalanced-conditional', 'OP_IF without OP_ENDIF');
}

/**
 * Verify a spend: run scriptSig, then scriptPubKey on what it left, then (P2SH) the redeem script.
 * Throws ScriptError (rule `mandatory-script-verify-flag-failed`) naming the failing opcode.
 */
export function verifyScript(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  checker: SignatureChecker,
  flags: number = STANDARD_SCRIPT_VERIFY_FLAGS,
): void {
  if (flags & SCRIPT_VERIFY.CLEANSTACK && !(flags & SCRIPT_VERIFY.P2SH)) {
    throw new RangeError('CLEANSTACK requires P2SH in the verification flags');
  }
  if (flags & SCRIPT_VERIFY.SIGPUSHONLY && !isPushOnly(scriptSig)) {
    throw new ScriptError('sig-pushonly', 'scriptSig must contain only pushes', { role: 'scriptSig' });
  }
  const stack: Uint8Array[] = [];
  evalScript(stack, scriptSig, flags, checker, 'scriptSig');
  const afterSig = flags & SCRIPT_VERIFY.P2SH ? stack.slice() : undefined;
  evalScript(stack, scriptPubKey, flags, checker, 'scriptPubKey');
  const last = stack.at(-1);
  if (last === undefined || !castToBool(last)) {
    throw new ScriptError('eval-false', 'script ended with false or an empty stack', {
      role: 'scriptPubKey',
    });
  }

  let finalStack = stack;
  if (afterSig && isPayToScriptHash(scriptPubKey)) {
    if (!isPushOnly(scriptSig)) {
      throw new ScriptError('sig-pushonly', 'a P2SH scriptSig must contain only pushes', {
        role: 'scriptSig',
      });
    }
    // The scriptPubKey check above guarantees a non-empty stack here.
    const redeemScript = afterSig.pop()!;
    evalScript(afterSig, redeemScript, flags, checker, 'redeemScript');
    const redeemLast = afterSig.at(-1);
    if (redeemLast === undefined || !castToBool(redeemLast)) {
      throw new ScriptError('eval-false', 'redeem script ended with false or an empty stack', {
        role: 'redeemScript',
      });
    }
    finalStack = afterSig;
  }

  // Checked after P2SH: the outer evaluation of a P2SH spend leaves its arguments behind.
  if (flags & SCRIPT_VERIFY.CLEANSTACK && finalStack.length !== 1) {
    throw new ScriptError('cleanstack', `${finalStack.length} items left on the stack, expected exactly 1`, {
      role: afterSig && isPayToScriptHash(scriptPubKey) ? 'redeemScript' : 'scriptPubKey',
    });
  }
}
