import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toHex } from '../../../src/consensus/bytes.ts';
import { EconomyError } from '../../../src/economy/errors.ts';
import { parseTargetAddress, toChecksumAddress } from '../../../src/economy/parallel/target-address.ts';
import { at } from '../../support/at.ts';

// Published vectors: public key → address pairs from mrtnetwork/blockchain_utils test/address/*,
// and the parallel-asset contract addresses Flux publishes for its own tokens.
const ETH_FROM_PUBKEY = [
  [
    '0205e780acb0ae40c49deb690683cd3d1a619f998ada63aaf3330d7d59700a5156',
    '0xe720947F2A6Faf66d639E11D4466B61D637587af',
  ],
  [
    '03f90a8fc2b2430b93e06ee9d19366102c142001b729d497b952de066e45871efa',
    '0xde42e41b5825944cDE383643C1771D592759C348',
  ],
  [
    '03868fb2f349cad0e6f1bdbaa14da0a019facd1bcbbd6596e429f830c8cf957d7f',
    '0xA8CF55157F862b4f2F8F6C9C8D7a87E6fe582DE5',
  ],
  [
    '039ce2c88f082e5b2a85cc31386cb2f7a4ca122f2d907eaa850d8d16979642a079',
    '0xD11110E35B29C82cf7E4aaA16579503a1F8B0d97',
  ],
] as const;
const FLUX_EVM_CONTRACTS = [
  '0x720CD16b011b987Da3518fbf38c3071d4F0D1495', // FLUX-ETH
  '0xaFF9084f2374585879e8B434C399E29E80ccE635', // FLUX-BSC
  '0xc4B06F17ECcB2215a5DBf042C672101Fc20daF55', // FLUX-AVAX
  '0xA2bb7A68c46b53f6BbF6cC91C865Ae247A82E99B', // FLUX-MATIC
];
const TRON = [
  ['TDCEx9fU3UVuMPPXpGeX6BXjwsVo4vGuNh', '235f6999f99545ea37965e68031050af8a0cbd6a'],
  ['TToBpczGoKTbom3DtQR4BhZxvs8hmBi96y', 'c38d1e981ee3126804e7db1efeedb0cc00548e3f'],
  ['TA9ULfRLKR8hszmtpfm6Je6GBtQ7YdjvbV', '01f0f690426188393dadc8fb102a198bcf16115b'],
] as const;
const SOLANA = [
  [
    'Ho87cuS3aSRgUMCeMrV7uNCCWx6Fj2ytnufYQ1W7KCLr',
    'f98bc0832e705e2ba354fb4df4e521e622480fa08663280d3992e57df21001db',
  ],
  [
    'CSKgzVRhq6PKFUtiEFtWdTYhQTd12ohN3fc6yjxYnwHL',
    'a9ed356dbef8a0b4375b60269a60c257effd3131f2b96cf389761fce35f79a23',
  ],
] as const;
const ERGO_MAINNET = [
  [
    '9fWj4meAF1bnGA5FiGfh2ZXyaXXjEUZ4hTaX7vzrGo4BZdqpLFX',
    '0282ef477dd7883c37a436fcc600711f835cbdf67bb494956ea75105cbf874c318',
  ],
  [
    '9grKJayfgF6A1YHKaL19MF3S8Pe4MzFMosZ1GdazX7NwuZhggsB',
    '03331cec8a4e7b3f462ebbc910fc1d23d6d0f5d6df1c2b849fc3b44d6e0c755590',
  ],
] as const;
const ERGO_TESTNET = '3WvopqY4wWMLA248gTt9f3knuRDqDJJMB5NewqgRCaohrPcRygfw';
const ALGORAND = [
  [
    'VQD6TBRL6BH6NAGIPEUG6JZUCPJVXB3GPTHEU5WTKX5DDGSR3AXNKBN5FQ',
    'ac07e9862bf04fe680c879286f273413d35b87667cce4a76d355fa319a51d82e',
  ],
  [
    'UZDRIHQ2Q4EVRKYW4DP2XE2W2GFFIHMY2O6VVQWXZ7LS4HILKLX45W3WGA',
    'a647141e1a870958ab16e0dfab9356d18a541d98d3bd5ac2d7cfd72e1d0b52ef',
  ],
] as const;

function rejects(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof EconomyError && err.code === 'bad-target-address');
}

/** Swap one character for another of the same alphabet, so only the checksum can catch it. */
function mutate(s: string, pos: number, alphabet: string): string {
  const c = s.charAt(pos);
  const next = alphabet.charAt((alphabet.indexOf(c) + 1) % alphabet.length);
  return s.slice(0, pos) + next + s.slice(pos + 1);
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

test('EVM: addresses derived from published public keys come out in their EIP-55 form', () => {
  for (const [pub, address] of ETH_FROM_PUBKEY) {
    const uncompressed = secp256k1.Point.fromHex(pub).toBytes(false);
    const hex40 = toHex(keccak_256(uncompressed.subarray(1))).slice(-40);
    assert.equal(toChecksumAddress(hex40), address);
    const parsed = parseTargetAddress('evm', address.toLowerCase());
    assert.equal(parsed.text, address);
    assert.equal(toHex(parsed.bytes), hex40);
  }
});

test("EVM: Flux's own token contracts validate; a single case flip breaks the checksum", () => {
  for (const address of FLUX_EVM_CONTRACTS) {
    assert.equal(parseTargetAddress('evm', address).text, address);
    const pos = [...address].findIndex((c, i) => i > 1 && /[a-f]/i.test(c));
    const c = address.charAt(pos);
    const flipped =
      address.slice(0, pos) +
      (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) +
      address.slice(pos + 1);
    rejects(() => parseTargetAddress('evm', flipped));
  }
  rejects(() => parseTargetAddress('evm', '0x720cd16b011b987da3518fbf38c3071d4f0d149'));
  rejects(() => parseTargetAddress('evm', '720cd16b011b987da3518fbf38c3071d4f0d1495'));
  rejects(() => parseTargetAddress('evm', ' 0x720cd16b011b987da3518fbf38c3071d4f0d1495'));
});

test('Tron: base58check with the 0x41 prefix; published vectors decode to their key hash', () => {
  for (const [address, hash] of TRON) {
    assert.equal(toHex(parseTargetAddress('tron', address).bytes), `41${hash}`);
    rejects(() => parseTargetAddress('tron', mutate(address, 10, B58)));
  }
  assert.equal(parseTargetAddress('tron', 'TWr6yzukRwZ53HDe3bzcC8RCTbiKa4Zzb6').bytes.length, 21); // FLUX-TRX
  rejects(() => parseTargetAddress('tron', '0x720cd16b011b987da3518fbf38c3071d4f0d1495'));
});

test('Solana: base58 of exactly 32 bytes', () => {
  for (const [address, key] of SOLANA) assert.equal(toHex(parseTargetAddress('solana', address).bytes), key);
  assert.equal(parseTargetAddress('solana', 'FLUX1wa2GmbtSB6ZGi2pTNbVCw3zEeKnaPCkPtFXxqXe').bytes.length, 32); // FLUX-SOL mint
  rejects(() => parseTargetAddress('solana', 'Ho87cuS3aSRgUMCeMrV7uNCCWx6Fj2ytnufYQ1W7KC')); // too short
  rejects(() => parseTargetAddress('solana', 'Ho87cuS3aSRgUMCeMrV7uNCCWx6Fj2ytnufYQ1W7KCL0')); // 0 is not base58
});

test('Ergo: mainnet P2PK with blake2b256 checksum; testnet and corrupted addresses refused', () => {
  for (const [address, key] of ERGO_MAINNET) {
    assert.equal(toHex(parseTargetAddress('ergo', address).bytes), `01${key}`);
    rejects(() => parseTargetAddress('ergo', mutate(address, 12, B58)));
  }
  rejects(() => parseTargetAddress('ergo', ERGO_TESTNET));
});

test('Algorand: base32 public key with SHA-512/256 checksum', () => {
  for (const [address, key] of ALGORAND) {
    assert.equal(toHex(parseTargetAddress('algorand', address).bytes), key);
    rejects(() => parseTargetAddress('algorand', mutate(address, 5, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')));
  }
  rejects(() => parseTargetAddress('algorand', at(at(ALGORAND, 0), 0).toLowerCase()));
});

test('Kadena: k: accounts of a lower-case 32-byte hex key only', () => {
  const key = 'ac07e9862bf04fe680c879286f273413d35b87667cce4a76d355fa319a51d82e';
  const parsed = parseTargetAddress('kadena', `k:${key}`);
  assert.equal(new TextDecoder().decode(parsed.bytes), `k:${key}`);
  rejects(() => parseTargetAddress('kadena', key));
  rejects(() => parseTargetAddress('kadena', `k:${key.toUpperCase()}`));
  rejects(() => parseTargetAddress('kadena', `k:${key.slice(2)}`));
  rejects(() => parseTargetAddress('kadena', 'runonflux.flux'));
});
