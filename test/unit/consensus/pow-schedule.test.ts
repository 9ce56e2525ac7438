import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EQUIHASH_48_5,
  EQUIHASH_144_5_FLUX,
  EQUIHASH_200_9,
  EQUIHASH_FADE_BLOCKS,
  type EquihashEpoch,
  equihashForHeight,
  MAINNET_EQUIHASH_EPOCHS,
  ZELHASH,
} from '../../../src/consensus/pow/schedule.ts';

const at = (height: number) => equihashForHeight(MAINNET_EQUIHASH_EPOCHS, EQUIHASH_FADE_BLOCKS, height);

describe('Equihash schedule (fluxd validEHparameterList)', () => {
  it('mainnet epochs: 200,9 "ZcashPoW" from 0, 144,5 "ZelProof" from 125,100, ZelHash from 372,500', () => {
    assert.deepEqual(
      MAINNET_EQUIHASH_EPOCHS.map((e) => [
        e.fromHeight,
        e.spec.n,
        e.spec.k,
        e.spec.personalization,
        e.spec.zelhash === true,
      ]),
      [
        [0, 200, 9, 'ZcashPoW', false],
        [125_100, 144, 5, 'ZelProof', false],
        [372_500, 125, 4, 'ZelProof', true],
      ],
    );
    assert.equal(EQUIHASH_FADE_BLOCKS, 11);
  });

  it('accepts only the current parameters outside a fade window', () => {
    for (const h of [0, 1, 125_099]) assert.deepEqual(at(h), [EQUIHASH_200_9], `height ${h}`);
    for (const h of [125_111, 200_000, 372_499])
      assert.deepEqual(at(h), [EQUIHASH_144_5_FLUX], `height ${h}`);
    for (const h of [372_511, 1_000_000]) assert.deepEqual(at(h), [ZELHASH], `height ${h}`);
  });

  it('accepts new and old (new first) for the 11 blocks starting at each switch', () => {
    for (let h = 125_100; h <= 125_110; h++)
      assert.deepEqual(at(h), [EQUIHASH_144_5_FLUX, EQUIHASH_200_9], `height ${h}`);
    for (let h = 372_500; h <= 372_510; h++)
      assert.deepEqual(at(h), [ZELHASH, EQUIHASH_144_5_FLUX], `height ${h}`);
    const windows = Array.from({ length: 400_000 }, (_, h) => at(h).length).filter((n) => n === 2).length;
    assert.equal(windows, 22);
  });

  it('treats negative heights as 0 and works for a single-epoch network (testnet/regtest 48,5)', () => {
    assert.deepEqual(at(-5), [EQUIHASH_200_9]);
    const single: EquihashEpoch[] = [{ fromHeight: 0, spec: EQUIHASH_48_5 }];
    assert.deepEqual(equihashForHeight(single, 10, 0), [EQUIHASH_48_5]);
    assert.deepEqual(equihashForHeight(single, 10, 5), [EQUIHASH_48_5]);
  });

  it('a zero-length fade switches at once', () => {
    assert.deepEqual(equihashForHeight(MAINNET_EQUIHASH_EPOCHS, 0, 125_100), [EQUIHASH_144_5_FLUX]);
    assert.deepEqual(equihashForHeight(MAINNET_EQUIHASH_EPOCHS, 0, 125_099), [EQUIHASH_200_9]);
  });

  it('rejects malformed schedules', () => {
    assert.throws(() => equihashForHeight([], 11, 0), /start at height 0/);
    assert.throws(
      () => equihashForHeight([{ fromHeight: 5, spec: EQUIHASH_48_5 }], 11, 10),
      /start at height 0/,
    );
    assert.throws(
      () =>
        equihashForHeight(
          [
            { fromHeight: 0, spec: EQUIHASH_48_5 },
            { fromHeight: 0, spec: ZELHASH },
          ],
          11,
          10,
        ),
      /not after/,
    );
    assert.throws(() => equihashForHeight(MAINNET_EQUIHASH_EPOCHS, -1, 10), /fade length/);
    assert.throws(() => equihashForHeight(MAINNET_EQUIHASH_EPOCHS, 11, 1.5), /height/);
  });
});
