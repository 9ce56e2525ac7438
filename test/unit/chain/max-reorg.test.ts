/**
 * fluxd's reorganisation limit (main.h MAX_REORG_LENGTH = 29): a block whose parent lies that many
 * blocks or more below the active tip is refused with `bad-fork-prior-to-maxreorgdepth`, however
 * much work its branch has; a fork one block shallower still reorganises.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chain } from '../../../src/chain/chain.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { blockHash } from '../../../src/consensus/primitives/block.ts';
import {
  ChainBuilder,
  devnet,
  genesisParent,
  parentOf,
  SUBSIDY,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

test('mainnet, testnet and regtest refuse forks 29 blocks deep, as fluxd', () => {
  for (const net of ['mainnet', 'testnet', 'regtest'] as const)
    assert.equal(paramsFor(net).maxReorgDepth, 29);
});

test('a fork from the limit below the tip is refused (bad-fork-prior-to-maxreorgdepth), one shallower reorganises', async () => {
  const params = { ...devnet, maxReorgDepth: 5 };
  const t = tempDir();
  const chain = await Chain.open(t.dir, params, {
    validation: { checkPow: false, checkDifficulty: false },
  });
  try {
    const a = new ChainBuilder(genesisParent(), SUBSIDY, 1).extend(10);
    for (const b of a) assert.equal((await chain.acceptBlock(b)).status, 'connected');

    // Parent at 5, tip at 10: 5 blocks deep. Refused even as a longer branch.
    const deep = new ChainBuilder(parentOf(at(a, 4), 5), SUBSIDY, 2).extend(8);
    const r = await chain.acceptBlock(at(deep, 0));
    assert.equal(r.status, 'invalid');
    assert.equal(r.rule, 'bad-fork-prior-to-maxreorgdepth');
    assert.equal(chain.tip().id, reverseHex(blockHash(at(a, 9))));

    // Parent at 6: 4 deep. Its branch overtakes and the chain reorganises to it.
    const shallow = new ChainBuilder(parentOf(at(a, 5), 6), SUBSIDY, 3).extend(6);
    for (const b of shallow) await chain.acceptBlock(b);
    assert.equal(chain.height(), 12);
    assert.equal(chain.tip().id, reverseHex(blockHash(at(shallow, 5))));
  } finally {
    chain.close();
    t.cleanup();
  }
});
