/**
 * Script encoding, templates and interpreter behaviour that the Bitcoin Core vectors do not pin
 * down by name: error codes and messages, the standard templates, and the encodings' edge cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import {
  evalScript,
  NO_TRANSACTION_CHECKER,
  SCRIPT_VERIFY,
  ScriptError,
  type SignatureChecker,
  STANDARD_SCRIPT_VERIFY_FLAGS,
  verifyScript,
} from '../../../src/consensus/script/interpreter.ts';
import { OP, opcodeFromName, opcodeName } from '../../../src/consensus/script/opcodes.ts';
import {
  buildScript,
  decodeScriptNum,
  encodeScriptNum,
  isMinimalPush,
  isPushOnly,
  parseScript,
  pushData,
  pushLiteral,
  pushNumber,
  scriptFromAsm,
  scriptToAsm,
} from '../../../src/consensus/script/script.ts';
import {
  classifyScript,
  isStandardScript,
  multisigScript,
  multisigScriptSig,
  nullDataScript,
  p2pkhScript,
  p2pkScript,
  p2shScript,
  p2shScriptSig,
} from '../../../src/consensus/script/templates.ts';
import { at } from '../../support/at.ts';

const PUBKEY = fromHex('0365ffea3efa3908918a8b8627724af852fc9b86d7375b103ab0543cf418bcaa7f');
const UNCOMPRESSED = fromHex(
  '04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f',
);

function scriptError(fn: () => void): ScriptError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ScriptError, `expected ScriptError, got ${err}`);
    return err;
  }
  assert.fail('expected the script to fail');
}

describe('script encoding', () => {
  it('parses every push form and names a truncated push', () => {
    const script = concatBytes(
      Uint8Array.of(OP.OP_0, 2, 0xaa, 0xbb, OP.OP_PUSHDATA1, 1, 0xcc, OP.OP_PUSHDATA2, 1, 0, 0xdd),
      Uint8Array.of(OP.OP_PUSHDATA4, 1, 0, 0, 0, 0xee, OP.OP_DUP),
    );
    const ops = parseScript(script);
    assert.deepEqual(
      ops.map((o) => [o.op, o.data && toHex(o.data)]),
      [
        [0, ''],
        [2, 'aabb'],
        [OP.OP_PUSHDATA1, 'cc'],
        [OP.OP_PUSHDATA2, 'dd'],
        [OP.OP_PUSHDATA4, 'ee'],
        [OP.OP_DUP, undefined],
      ],
    );
    assert.throws(
      () => parseScript(Uint8Array.of(OP.OP_DUP, OP.OP_PUSHDATA1, 5, 1, 2)),
      (err: unknown) => err instanceof ConsensusError && /OP_PUSHDATA1 at byte 1/.test(err.message),
    );
  });

  it('pushData is minimal (MINIMALDATA accepts it) and round-trips any data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const ops = parseScript(pushData(data));
        assert.equal(ops.length, 1);
        const pushed = at(ops, 0).data ?? decodeSmall(at(ops, 0).op);
        assert.equal(toHex(pushed), toHex(data));
        assert.ok(isMinimalPush(pushed, at(ops, 0).op) || at(ops, 0).data === undefined);
      }),
    );
    assert.equal(toHex(pushData(Uint8Array.of(5))), '55');
    assert.equal(toHex(pushData(Uint8Array.of(0x81))), '4f');
    assert.equal(toHex(pushLiteral(Uint8Array.of(5))), '0105');
    assert.equal(pushData(new Uint8Array(76))[0], OP.OP_PUSHDATA1);
    assert.equal(pushData(new Uint8Array(256))[0], OP.OP_PUSHDATA2);
  });

  it('script numbers: minimal little-endian sign-magnitude, as the interpreter reads them', () => {
    const cases: [bigint, string][] = [
      [0n, ''],
      [1n, '01'],
      [-1n, '81'],
      [127n, '7f'],
      [128n, '8000'],
      [-128n, '8080'],
      [255n, 'ff00'],
      [256n, '0001'],
      [-0x7fffffffn, 'ffffffff'],
      [0x80000000n, '0000008000'],
    ];
    for (const [n, hex] of cases) {
      assert.equal(toHex(encodeScriptNum(n)), hex, String(n));
      assert.equal(decodeScriptNum(fromHex(hex), true, 5), n);
    }
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 31n) + 1n, max: 2n ** 31n - 1n }), (n) => {
        assert.equal(decodeScriptNum(encodeScriptNum(n), true), n);
      }),
    );
    assert.throws(() => decodeScriptNum(fromHex('0100'), true), ConsensusError);
    assert.equal(decodeScriptNum(fromHex('0100'), false), 1n);
    assert.equal(decodeScriptNum(fromHex('80'), false), 0n); // negative zero
    assert.throws(() => decodeScriptNum(fromHex('0000000001'), false), ConsensusError);
    assert.equal(toHex(pushNumber(-1)), '4f');
    assert.equal(toHex(pushNumber(16)), '60');
    assert.equal(toHex(pushNumber(17)), '0111');
  });

  it('asm text: fluxd-style output, Bitcoin-Core-style input', () => {
    const p2pkh = p2pkhScript(hash160(PUBKEY));
    assert.equal(
      scriptToAsm(p2pkh),
      `OP_DUP OP_HASH160 ${toHex(hash160(PUBKEY))} OP_EQUALVERIFY OP_CHECKSIG`,
    );
    // The key behind ZIP 243 test vector 3, whose scriptCode pays to 5071…50cf.
    assert.equal(toHex(hash160(PUBKEY)), '507173527b4c3318a2aecd793bf1cfed705950cf');
    assert.equal(
      toHex(scriptFromAsm(`DUP HASH160 0x14 0x${toHex(hash160(PUBKEY))} EQUALVERIFY CHECKSIG`)),
      toHex(p2pkh),
    );
    assert.equal(scriptToAsm(Uint8Array.of(OP.OP_RETURN, 2, 0x10, 0x27)), 'OP_RETURN 10000');
    assert.equal(scriptToAsm(Uint8Array.of(OP.OP_1, 0x4c)), '1 [error]');
    assert.equal(toHex(scriptFromAsm("'ab' 0 -1 NOP2 CHECKLOCKTIMEVERIFY")), '026162004fb1b1');
    assert.throws(() => scriptFromAsm('OP_FROBNICATE'), ConsensusError);
    assert.equal(opcodeName(0xba), 'OP_UNKNOWN_0xba');
    assert.equal(opcodeFromName('checksig'), OP.OP_CHECKSIG);
  });

  it('push-only means every opcode is OP_16 or below', () => {
    assert.ok(isPushOnly(buildScript([new Uint8Array(80), OP.OP_16, OP.OP_1NEGATE])));
    assert.ok(!isPushOnly(Uint8Array.of(OP.OP_1, OP.OP_NOP)));
    assert.ok(!isPushOnly(Uint8Array.of(OP.OP_PUSHDATA1, 3, 1)));
  });
});

function decodeSmall(op: number): Uint8Array {
  if (op === OP.OP_1NEGATE) return Uint8Array.of(0x81);
  return Uint8Array.of(op - OP.OP_1 + 1);
}

describe('standard templates', () => {
  const hash = hash160(PUBKEY);

  it('classifies and builds each template', () => {
    assert.deepEqual(classifyScript(p2pkhScript(hash)), { type: 'p2pkh', hash });
    assert.deepEqual(classifyScript(p2shScript(hash)), { type: 'p2sh', hash });
    assert.deepEqual(classifyScript(p2pkScript(PUBKEY)), { type: 'p2pk', pubKey: PUBKEY });
    assert.deepEqual(classifyScript(p2pkScript(UNCOMPRESSED)), { type: 'p2pk', pubKey: UNCOMPRESSED });
    assert.deepEqual(classifyScript(multisigScript(2, [PUBKEY, UNCOMPRESSED, PUBKEY])), {
      type: 'multisig',
      required: 2,
      pubKeys: [PUBKEY, UNCOMPRESSED, PUBKEY],
    });
    assert.deepEqual(classifyScript(nullDataScript(new TextEncoder().encode('hello'))), {
      type: 'nulldata',
      data: new TextEncoder().encode('hello'),
    });
    assert.deepEqual(classifyScript(Uint8Array.of(OP.OP_RETURN)), {
      type: 'nulldata',
      data: new Uint8Array(0),
    });
    // The genesis coinbase output: P2PK with an uncompressed key.
    assert.equal(classifyScript(fromHex(`41${toHex(UNCOMPRESSED)}ac`)).type, 'p2pk');
  });

  it('OP_RETURN carries at most 80 bytes of data as standard', () => {
    assert.equal(classifyScript(nullDataScript(new Uint8Array(80))).type, 'nulldata');
    const big = concatBytes(Uint8Array.of(OP.OP_RETURN), pushData(new Uint8Array(81)));
    assert.equal(classifyScript(big).type, 'nonstandard');
    assert.equal(classifyScript(big, 100).type, 'nulldata');
    assert.throws(
      () => nullDataScript(new Uint8Array(81)),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'datacarrier-too-large',
    );
    assert.equal(classifyScript(Uint8Array.of(OP.OP_RETURN, OP.OP_1, OP.OP_2)).type, 'nonstandard');
  });

  it('leaves near misses nonstandard', () => {
    const p2pkh = p2pkhScript(hash);
    assert.equal(classifyScript(p2pkh.subarray(0, 24)).type, 'nonstandard');
    assert.equal(classifyScript(concatBytes(p2pkh, Uint8Array.of(OP.OP_NOP))).type, 'nonstandard');
    assert.equal(classifyScript(new Uint8Array(0)).type, 'nonstandard');
    // m > n, and a count that does not match the keys.
    assert.equal(
      classifyScript(buildScript([OP.OP_3, PUBKEY, PUBKEY, OP.OP_2, OP.OP_CHECKMULTISIG])).type,
      'nonstandard',
    );
    assert.equal(
      classifyScript(buildScript([OP.OP_1, PUBKEY, OP.OP_2, OP.OP_CHECKMULTISIG])).type,
      'nonstandard',
    );
    assert.equal(
      classifyScript(Uint8Array.of(OP.OP_HASH160, 20, ...hash, OP.OP_EQUAL, OP.OP_NOP)).type,
      'nonstandard',
    );
  });

  it('bare multisig is standard up to 3 keys', () => {
    assert.ok(isStandardScript(multisigScript(1, [PUBKEY, PUBKEY, PUBKEY])));
    assert.ok(!isStandardScript(multisigScript(1, [PUBKEY, PUBKEY, PUBKEY, PUBKEY])));
    assert.ok(!isStandardScript(Uint8Array.of(OP.OP_1)));
  });

  it('builders refuse malformed parameters with typed errors', () => {
    assert.throws(() => p2pkhScript(new Uint8Array(19)), ConsensusError);
    assert.throws(() => p2pkScript(new Uint8Array(33)), ConsensusError);
    assert.throws(() => multisigScript(3, [PUBKEY, PUBKEY]), ConsensusError);
  });
});

describe('interpreter', () => {
  const run = (script: Uint8Array, flags = 0, checker: SignatureChecker = NO_TRANSACTION_CHECKER) => {
    const stack: Uint8Array[] = [];
    evalScript(stack, script, flags, checker);
    return stack.map(toHex);
  };

  it('arithmetic and stack operations', () => {
    assert.deepEqual(run(scriptFromAsm('2 3 ADD 5 NUMEQUAL')), ['01']);
    assert.deepEqual(run(scriptFromAsm('1 2 3 ROT')), ['02', '03', '01']);
    assert.deepEqual(run(scriptFromAsm('1 2 3 4 2SWAP')), ['03', '04', '01', '02']);
    assert.deepEqual(run(scriptFromAsm('5 7 MIN 9 MAX')), ['09']);
    assert.deepEqual(run(scriptFromAsm('1 0 IF 2 ELSE 3 ENDIF')), ['01', '03']);
    assert.deepEqual(run(scriptFromAsm("'abc' SIZE")), ['616263', '03']);
  });

  it('names the failing opcode and where it is', () => {
    const err = scriptError(() =>
      verifyScript(Uint8Array.of(OP.OP_1), scriptFromAsm('2 EQUALVERIFY 1'), NO_TRANSACTION_CHECKER, 0),
    );
    assert.equal(err.rule, 'mandatory-script-verify-flag-failed');
    assert.equal(err.code, 'equalverify');
    assert.equal(err.opcode, 'OP_EQUALVERIFY');
    assert.equal(err.position, 1);
    assert.equal(err.role, 'scriptPubKey');
    assert.match(
      err.message,
      /^mandatory-script-verify-flag-failed: OP_EQUALVERIFY failed at byte 1 of the scriptPubKey: 01 ≠ 02/,
    );
  });

  it('reports each rule with its own code', () => {
    const code = (sig: string, pub: string, flags = 0) =>
      scriptError(() => verifyScript(scriptFromAsm(sig), scriptFromAsm(pub), NO_TRANSACTION_CHECKER, flags))
        .code;
    assert.equal(code('', 'RETURN'), 'op-return');
    assert.equal(code('', '0'), 'eval-false');
    assert.equal(code('', 'DROP 1'), 'invalid-stack-operation');
    assert.equal(code('', '1 IF 1'), 'unbalanced-conditional');
    assert.equal(code('', '2 2 MUL'), 'disabled-opcode');
    assert.equal(code('', '1 IF 1 ELSE CAT ENDIF'), 'disabled-opcode');
    assert.equal(code('', 'VER'), 'bad-opcode');
    assert.equal(code('', '1 NOP1', SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_NOPS), 'discourage-upgradable-nops');
    assert.equal(code('0x01 0x01', '1', SCRIPT_VERIFY.MINIMALDATA), 'minimaldata');
    assert.equal(code('1 NOP', '1', SCRIPT_VERIFY.SIGPUSHONLY), 'sig-pushonly');
    assert.equal(code('1 1', '1', SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.CLEANSTACK), 'cleanstack');
    assert.equal(code('0x4d 0x0902 0x00', '1'), 'bad-opcode');
  });

  it('runs a P2SH redeem script with its own stack, and requires a push-only scriptSig', () => {
    const redeem = scriptFromAsm('2 ADD 5 EQUAL');
    const scriptPubKey = p2shScript(hash160(redeem));
    verifyScript(
      p2shScriptSig(pushNumber(3), redeem),
      scriptPubKey,
      NO_TRANSACTION_CHECKER,
      STANDARD_SCRIPT_VERIFY_FLAGS,
    );
    const wrong = scriptError(() =>
      verifyScript(
        p2shScriptSig(pushNumber(4), redeem),
        scriptPubKey,
        NO_TRANSACTION_CHECKER,
        STANDARD_SCRIPT_VERIFY_FLAGS,
      ),
    );
    assert.equal(wrong.code, 'eval-false');
    assert.equal(wrong.role, 'redeemScript');
    const nonPush = concatBytes(pushNumber(3), Uint8Array.of(OP.OP_NOP), pushData(redeem));
    assert.equal(
      scriptError(() => verifyScript(nonPush, scriptPubKey, NO_TRANSACTION_CHECKER, SCRIPT_VERIFY.P2SH)).code,
      'sig-pushonly',
    );
    // Without the P2SH flag only the hash is checked.
    verifyScript(p2shScriptSig(pushNumber(4), redeem), scriptPubKey, NO_TRANSACTION_CHECKER, 0);
  });

  it('CHECKMULTISIG consumes the extra item and, under NULLDUMMY, wants it empty', () => {
    const allGood: SignatureChecker = { checkSig: () => true, checkLockTime: () => false };
    const script = multisigScript(1, [PUBKEY, PUBKEY]);
    const sig = fromHex('300602010102010101');
    verifyScript(multisigScriptSig([sig]), script, allGood, STANDARD_SCRIPT_VERIFY_FLAGS);
    const dummy = concatBytes(pushNumber(1), pushData(sig));
    assert.equal(
      scriptError(() => verifyScript(dummy, script, allGood, SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.NULLDUMMY))
        .code,
      'sig-nulldummy',
    );
    verifyScript(dummy, script, allGood, SCRIPT_VERIFY.P2SH);
  });

  it('CHECKLOCKTIMEVERIFY asks the checker, and is a NOP without its flag', () => {
    const asked: bigint[] = [];
    const checker: SignatureChecker = {
      checkSig: () => false,
      checkLockTime: (n) => {
        asked.push(n);
        return n <= 1000n;
      },
    };
    const flags = SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY;
    verifyScript(new Uint8Array(0), scriptFromAsm('1000 CHECKLOCKTIMEVERIFY'), checker, flags);
    assert.equal(
      scriptError(() =>
        verifyScript(new Uint8Array(0), scriptFromAsm('1001 CHECKLOCKTIMEVERIFY'), checker, flags),
      ).code,
      'unsatisfied-locktime',
    );
    assert.equal(
      scriptError(() =>
        verifyScript(new Uint8Array(0), scriptFromAsm('-1 CHECKLOCKTIMEVERIFY'), checker, flags),
      ).code,
      'negative-locktime',
    );
    assert.deepEqual(asked, [1000n, 1001n]);
    verifyScript(new Uint8Array(0), scriptFromAsm('1001 CHECKLOCKTIMEVERIFY'), checker, 0);
  });

  it('signature and key encodings are checked before the checker is asked', () => {
    let calls = 0;
    const counting: SignatureChecker = {
      checkSig: () => {
        calls++;
        return true;
      },
      checkLockTime: () => false,
    };
    const p2pk = p2pkScript(PUBKEY);
    const good = fromHex('300602010102010101');
    const badDer = fromHex('30060201010201010100');
    assert.equal(scriptError(() => verifyScript(pushData(badDer), p2pk, counting, 0)).code, 'sig-der');
    const undefinedType = fromHex('30060201010201017f');
    assert.equal(
      scriptError(() => verifyScript(pushData(undefinedType), p2pk, counting, SCRIPT_VERIFY.STRICTENC)).code,
      'sig-hashtype',
    );
    const hybridKey = concatBytes(Uint8Array.of(0x06), UNCOMPRESSED.subarray(1));
    const hybridP2pk = concatBytes(pushData(hybridKey), Uint8Array.of(OP.OP_CHECKSIG));
    assert.equal(
      scriptError(() => verifyScript(pushData(good), hybridP2pk, counting, SCRIPT_VERIFY.STRICTENC)).code,
      'pubkeytype',
    );
    assert.equal(calls, 0);
    verifyScript(pushData(good), p2pk, counting, STANDARD_SCRIPT_VERIFY_FLAGS);
    assert.equal(calls, 1);
  });
});
