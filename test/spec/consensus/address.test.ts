/**
 * Addresses, WIF keys, key derivation and message signatures, checked against published data:
 * Flux's own addresses (reference README, fluxd chainparams), Zcash's key_tests.cpp (same t1
 * prefixes and WIF prefix as Flux mainnet), Bitcoin Core's base58_keys_valid/invalid.json, and
 * the bitcoinjs-message README example.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { hash160, sha256d } from '../../../src/consensus/hash.ts';
import {
  addressForPublicKey,
  addressForScript,
  base58CheckDecode,
  base58CheckEncode,
  decodeAddress,
  encodeAddress,
  isValidAddress,
  scriptForAddress,
} from '../../../src/consensus/keys/address.ts';
import {
  generatePrivateKey,
  isLowS,
  messageDigest,
  publicKeyOf,
  recoverCompact,
  recoverMessageSigner,
  signCompact,
  signDigest,
  signMessage,
  signMessageBase64,
  verifyDigest,
  verifyMessage,
} from '../../../src/consensus/keys/keys.ts';
import { decodeWif, encodeWif } from '../../../src/consensus/keys/wif.ts';
import { mainnet } from '../../../src/consensus/params/mainnet.ts';
import { testnet } from '../../../src/consensus/params/testnet.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';
import { at } from '../../support/at.ts';
import { must } from '../../../src/consensus/must.ts';

const MAIN = { p2pkh: Uint8Array.of(0x1c, 0xb8), p2sh: Uint8Array.of(0x1c, 0xbd) };
const TEST = { p2pkh: Uint8Array.of(0x1d, 0x25), p2sh: Uint8Array.of(0x1c, 0xba) };
const BITCOIN = { p2pkh: Uint8Array.of(0x00), p2sh: Uint8Array.of(0x05) };
const WIF_MAIN = Uint8Array.of(0x80);
const WIF_TEST = Uint8Array.of(0xef);

const vectors = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../vectors/bitcoin-core/${name}`, import.meta.url), 'utf8'),
  ) as unknown[][];

function rule(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConsensusError, `expected a ConsensusError, got ${err}`);
    return err.rule;
  }
  assert.fail('expected an error');
}

describe('Flux addresses', () => {
  // Mainnet P2SH addresses paid by fluxd's one-off outputs (reference README).
  const mainnetP2sh = [
    't3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS',
    't3XjYMBvwxnXVv9jqg4CgokZ3f7kAoXPQL8',
    't3ThbWogDoAjGuS6DEnmN1GWJBRbVjSUK4T',
  ];
  // Testnet addresses from fluxd's chainparams.
  const testnetAddresses: [string, 'p2pkh' | 'p2sh'][] = [
    ['tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE', 'p2pkh'],
    ['t2DFGpj2tciojsGKKrGVwQ92hUwAxWQQgJ9', 'p2sh'],
    ['t2Dsexh4v5g2dpL2LLCsR1p9TshMm63jSBM', 'p2sh'],
  ];

  it('decodes real mainnet t3 addresses and re-encodes them unchanged', () => {
    for (const addr of mainnetP2sh) {
      const d = decodeAddress(addr, MAIN);
      assert.equal(d.type, 'p2sh');
      assert.equal(d.hash.length, 20);
      assert.equal(encodeAddress(d.type, d.hash, MAIN), addr);
      const script = scriptForAddress(addr, MAIN);
      assert.equal(toHex(script), `a914${toHex(d.hash)}87`);
      assert.equal(addressForScript(script, MAIN), addr);
    }
  });

  it('decodes real testnet tm/t2 addresses with the testnet prefixes', () => {
    for (const [addr, type] of testnetAddresses) {
      const d = decodeAddress(addr, TEST);
      assert.equal(d.type, type);
      assert.equal(encodeAddress(type, d.hash, TEST), addr);
      assert.equal(addressForScript(scriptForAddress(addr, TEST), TEST), addr);
    }
  });

  it("accepts the network params' base58 object directly", () => {
    assert.equal(decodeAddress(at(mainnetP2sh, 0), mainnet.base58).type, 'p2sh');
    assert.equal(decodeAddress(at(testnetAddresses, 0)[0], testnet.base58).type, 'p2pkh');
  });

  it('refuses an address of the other network, naming the prefix', () => {
    assert.equal(
      rule(() => decodeAddress(at(mainnetP2sh, 0), TEST)),
      'bad-address-prefix',
    );
    assert.equal(
      rule(() => decodeAddress(at(testnetAddresses, 0)[0], MAIN)),
      'bad-address-prefix',
    );
    assert.match(
      (() => {
        try {
          decodeAddress(at(mainnetP2sh, 0), TEST);
        } catch (err) {
          return (err as Error).message;
        }
        return '';
      })(),
      /1cbd/,
    );
    assert.equal(isValidAddress(at(mainnetP2sh, 0), TEST), false);
    assert.equal(isValidAddress(at(mainnetP2sh, 0), MAIN), true);
  });

  it('catches every single-character change as a bad checksum or bad encoding', () => {
    const addr = at(mainnetP2sh, 0);
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    let changed = 0;
    for (let i = 2; i < addr.length; i++) {
      const c =
        addr[i] === 'z' ? 'y' : alphabet[(alphabet.indexOf(must(addr[i], 'addr[i]')) + 1) % alphabet.length];
      const bad = addr.slice(0, i) + c + addr.slice(i + 1);
      const r = rule(() => decodeAddress(bad, MAIN));
      assert.ok(
        ['bad-address-checksum', 'bad-address-prefix', 'bad-address-length'].includes(r),
        `${bad}: ${r}`,
      );
      changed++;
    }
    assert.equal(changed, addr.length - 2);
    assert.equal(
      rule(() => decodeAddress(`${addr.slice(0, 10)}0${addr.slice(11)}`, MAIN)),
      'bad-address-encoding',
    );
  });

  it('refuses payloads of the wrong length', () => {
    const short = base58CheckEncode(Uint8Array.of(0x1c, 0xb8, ...new Uint8Array(19)));
    const long = base58CheckEncode(Uint8Array.of(0x1c, 0xbd, ...new Uint8Array(21)));
    assert.equal(
      rule(() => decodeAddress(short, MAIN)),
      'bad-address-length',
    );
    assert.equal(
      rule(() => decodeAddress(long, MAIN)),
      'bad-address-length',
    );
  });
});

describe('Zcash key_tests.cpp keys (same t1 and WIF prefixes as Flux mainnet)', () => {
  const keys = [
    {
      wif: '5HxWvvfubhXpYYpS3tJkw6fq9jE9j18THftkZjHHfmFiWtmAbrj',
      compressed: false,
      addr: 't1h8SqgtM3QM5e2M8EzhhT1yL2PXXtA6oqe',
    },
    {
      wif: '5KC4ejrDjv152FGwP386VD1i2NYc5KkfSMyv1nGy1VGDxGHqVY3',
      compressed: false,
      addr: 't1Xxa5ZVPKvs9bGMn7aWTiHjyHvR31XkUst',
    },
    {
      wif: 'Kwr371tjA9u2rFSMZjTNun2PXXP3WPZu2afRHTcta6KxEUdm1vEw',
      compressed: true,
      addr: 't1ffus9J1vhxvFqLoExGBRPjE7BcJxiSCTC',
    },
    {
      wif: 'L3Hq7a8FEQwJkW1M2GNKDW28546Vp5miewcCzSqUD9kCAXrJdS3g',
      compressed: true,
      addr: 't1VJL2dPUyXK7avDRGqhqQA5bw2eEMdhyg6',
    },
  ];

  it('WIF → private key → public key → t1 address', () => {
    for (const k of keys) {
      const { privateKey, compressed } = decodeWif(k.wif, WIF_MAIN);
      assert.equal(compressed, k.compressed);
      const pub = publicKeyOf(privateKey, compressed);
      assert.equal(pub.length, compressed ? 33 : 65);
      assert.equal(addressForPublicKey(pub, MAIN), k.addr);
      assert.equal(encodeWif(privateKey, WIF_MAIN, compressed), k.wif);
      assert.equal(addressForScript(p2pkhScript(hash160(pub)), MAIN), k.addr);
    }
  });

  it('an address is not a WIF key', () => {
    assert.equal(
      rule(() => decodeWif('t1aMkLwU1LcMZYN7TgXUJAwzA1r44dbLkSp', WIF_MAIN)),
      'bad-wif-prefix',
    );
  });

  const digest = sha256d(new TextEncoder().encode('Very deterministic message'));
  const key1 = decodeWif(at(keys, 0).wif, WIF_MAIN).privateKey;
  const key2 = decodeWif(at(keys, 1).wif, WIF_MAIN).privateKey;

  it('signs deterministically (RFC 6979) to the published DER signatures', () => {
    const sig1 =
      '304402205dbbddda71772d95ce91cd2d14b592cfbc1dd0aabd6a394b6c2d377bbe59d31d022014ddda21494a4e221f0824f0b8b924c43fa43c0ad57dccdaa11f81a6bd4582f6';
    const sig2 =
      '3044022052d8a32079c11e79db95af63bb9600c5b04f21a9ca33dc129c2bfa8ac9dc1cd5022061d8ae5e0f6c1a16bde3719c64c2fd70e404b6428ab9a69566962e8771b5944d';
    assert.equal(toHex(signDigest(digest, key1)), sig1);
    assert.equal(toHex(signDigest(digest, key2)), sig2);
    assert.ok(verifyDigest(fromHex(sig1), digest, publicKeyOf(key1, false)));
    assert.ok(verifyDigest(fromHex(sig1), digest, publicKeyOf(key1, true)));
    assert.ok(!verifyDigest(fromHex(sig1), digest, publicKeyOf(key2, true)));
    assert.ok(!verifyDigest(fromHex(sig2), sha256d(digest), publicKeyOf(key2, true)));
  });

  it('makes the published compact (recoverable) signatures and recovers the keys', () => {
    const c1 =
      '1c5dbbddda71772d95ce91cd2d14b592cfbc1dd0aabd6a394b6c2d377bbe59d31d14ddda21494a4e221f0824f0b8b924c43fa43c0ad57dccdaa11f81a6bd4582f6';
    const c1c =
      '205dbbddda71772d95ce91cd2d14b592cfbc1dd0aabd6a394b6c2d377bbe59d31d14ddda21494a4e221f0824f0b8b924c43fa43c0ad57dccdaa11f81a6bd4582f6';
    const c2 =
      '1c52d8a32079c11e79db95af63bb9600c5b04f21a9ca33dc129c2bfa8ac9dc1cd561d8ae5e0f6c1a16bde3719c64c2fd70e404b6428ab9a69566962e8771b5944d';
    assert.equal(toHex(signCompact(digest, key1, false)), c1);
    assert.equal(toHex(signCompact(digest, key1, true)), c1c);
    assert.equal(toHex(signCompact(digest, key2, false)), c2);
    assert.equal(toHex(recoverCompact(digest, fromHex(c1))!), toHex(publicKeyOf(key1, false)));
    assert.equal(toHex(recoverCompact(digest, fromHex(c1c))!), toHex(publicKeyOf(key1, true)));
    assert.equal(toHex(recoverCompact(digest, fromHex(c2))!), toHex(publicKeyOf(key2, false)));
  });

  it('verifies a high-S signature (fluxd normalizes S) but reports it as not low-S', () => {
    const sig = fromHex(toHex(signDigest(digest, key1)));
    const rLen = at(sig, 3);
    const s = BigInt(`0x${toHex(sig.subarray(6 + rLen))}`);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const high = (n - s).toString(16).padStart(64, '0');
    const highSig = fromHex(
      `30${(4 + rLen + 33).toString(16)}02${rLen.toString(16).padStart(2, '0')}${toHex(sig.subarray(4, 4 + rLen))}022100${high}`,
    );
    assert.ok(isLowS(sig));
    assert.ok(!isLowS(highSig));
    assert.ok(verifyDigest(highSig, digest, publicKeyOf(key1)));
  });
});

describe('Bitcoin Core base58 vectors (generic base58check, 1-byte prefixes)', () => {
  it('base58_keys_valid: every address and WIF key decodes to its payload and back', () => {
    let checked = 0;
    for (const v of vectors('base58_keys_valid.json')) {
      const [text, payloadHex, meta] = v as [
        string,
        string,
        { addrType?: string; isPrivkey: boolean; isTestnet: boolean; isCompressed?: boolean },
      ];
      if (meta.isPrivkey) {
        const { privateKey, compressed } = decodeWif(text, meta.isTestnet ? WIF_TEST : WIF_MAIN);
        assert.equal(toHex(privateKey), payloadHex);
        assert.equal(compressed, meta.isCompressed);
        assert.equal(encodeWif(privateKey, meta.isTestnet ? WIF_TEST : WIF_MAIN, compressed), text);
      } else {
        const prefixes = meta.isTestnet ? { p2pkh: Uint8Array.of(0x6f), p2sh: Uint8Array.of(0xc4) } : BITCOIN;
        const d = decodeAddress(text, prefixes);
        assert.equal(d.type, meta.addrType === 'pubkey' ? 'p2pkh' : 'p2sh');
        assert.equal(toHex(d.hash), payloadHex);
        assert.equal(encodeAddress(d.type, d.hash, prefixes), text);
      }
      checked++;
    }
    assert.equal(checked, 50);
  });

  it('base58_keys_invalid: none decodes as an address or key of those networks', () => {
    const nets = [BITCOIN, { p2pkh: Uint8Array.of(0x6f), p2sh: Uint8Array.of(0xc4) }];
    let checked = 0;
    for (const [text] of vectors('base58_keys_invalid.json') as [string][]) {
      for (const n of nets) assert.equal(isValidAddress(text, n), false, text);
      for (const p of [WIF_MAIN, WIF_TEST]) assert.throws(() => decodeWif(text, p), ConsensusError, text);
      checked++;
    }
    assert.ok(checked > 40);
  });

  it('base58check itself: checksum mismatch and foreign characters are named', () => {
    const good = base58CheckEncode(Uint8Array.of(1, 2, 3));
    assert.deepEqual(base58CheckDecode(good), Uint8Array.of(1, 2, 3));
    assert.equal(
      rule(() => base58CheckDecode(`${good.slice(0, -1)}${good.endsWith('1') ? '2' : '1'}`)),
      'bad-checksum',
    );
    assert.equal(
      rule(() => base58CheckDecode('abc0l')),
      'bad-base58',
    );
  });
});

describe('message signatures', () => {
  // bitcoinjs-message README: the same "signed message" construction with Bitcoin's magic.
  const wif = 'L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1';
  const message = 'This is an example of a signed message.';
  const signature =
    'H9L5yLFjti0QTHhPyFrZCT1V/MMnBtXKmoiKDZ78NDBjERki6ZTQZdSMCtkgoNmp17By9ItJr8o7ChX0XxY91nk=';
  const address = '1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV';
  const magic = 'Bitcoin Signed Message:\n';

  it('reproduces and verifies the published Bitcoin signed-message example', () => {
    const { privateKey, compressed } = decodeWif(wif, WIF_MAIN);
    assert.equal(signMessageBase64(message, privateKey, { compressed, magic }), signature);
    const { hash } = decodeAddress(address, BITCOIN);
    assert.ok(verifyMessage(message, signature, hash, magic));
    assert.ok(!verifyMessage(`${message}!`, signature, hash, magic));
    // The magic is part of what is signed: Flux's magic gives a different digest.
    assert.ok(!verifyMessage(message, signature, hash));
    assert.notEqual(toHex(messageDigest(message)), toHex(messageDigest(message, magic)));
  });

  it('signs fluxnode messages with the Zelcash magic and checks the key id', () => {
    const key = generatePrivateKey();
    const pub = publicKeyOf(key);
    const sig = signMessage('fluxnode start 123', key);
    assert.equal(sig.length, 65);
    assert.ok(verifyMessage('fluxnode start 123', sig, pub));
    assert.ok(verifyMessage('fluxnode start 123', sig, hash160(pub)));
    assert.equal(toHex(recoverMessageSigner('fluxnode start 123', sig)!), toHex(pub));
    // Signed as compressed, so the uncompressed key's id does not match (as in fluxd).
    assert.ok(!verifyMessage('fluxnode start 123', sig, publicKeyOf(key, false)));
    assert.ok(!verifyMessage('fluxnode start 124', sig, pub));
    assert.equal(recoverMessageSigner('x', 'not base64!'), undefined);
  });
});

describe('private keys', () => {
  it('draws from the given random source and skips out-of-range candidates', () => {
    const draws = [new Uint8Array(32), new Uint8Array(32).fill(0xff), new Uint8Array(32).fill(7)];
    const key = generatePrivateKey(() => draws.shift()!);
    assert.equal(toHex(key), '07'.repeat(32));
    assert.equal(draws.length, 0);
  });

  it('refuses invalid keys with a typed error', () => {
    assert.equal(
      rule(() => publicKeyOf(new Uint8Array(32))),
      'bad-key',
    );
    assert.equal(
      rule(() => encodeWif(new Uint8Array(31), WIF_MAIN)),
      'bad-wif-key',
    );
  });
});
