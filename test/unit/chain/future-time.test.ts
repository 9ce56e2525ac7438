/**
 * The clock rule as fluxd's CheckBlockHeader has it: a block may be dated at most 2 h past the
 * node's clock while the chain is below the LWMA height, and at most 360 s (N·T/20) from then on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHeaderTime } from '../../../src/chain/rules/contextual.ts';
import type { HeaderContext } from '../../../src/chain/validator.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import type { BlockHeader } from '../../../src/consensus/primitives/types.ts';

const mainnet = paramsFor('mainnet');
const NOW = 1_700_000_000;

function check(height: number, ahead: number): void {
  const header = { time: NOW + ahead } as BlockHeader;
  const ctx = { params: mainnet, height, medianTimePast: NOW - 600, now: NOW } as HeaderContext;
  checkHeaderTime(header, ctx);
}

const tooNew = (err: unknown) => err instanceof ConsensusError && err.rule === 'time-too-new';

test('before LWMA (parent below 125,000) a block may run 2 h ahead of the clock, not a second more', () => {
  check(125_000, 7_200);
  assert.throws(() => check(125_000, 7_201), tooNew);
});

test('from LWMA on (parent at 125,000 or above) only 360 s ahead: time-too-new', () => {
  check(125_001, 360);
  assert.throws(() => check(125_001, 361), tooNew);
  assert.throws(() => check(1_000_000, 3_600), tooNew);
});
