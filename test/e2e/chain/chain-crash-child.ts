/**
 * Child process of the crash-safety test: opens the chain in `argv[2]` and writes to it as fast as
 * it can (new blocks that spend and split coins, and now and then a heavier branch that forces a
 * reorg) until the parent kills it with SIGKILL.
 */
import type { Chain } from '../../../src/chain/chain.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Transaction } from '../../../src/consensus/primitives/types.ts';
import {
  ANYONE,
  ChainBuilder,
  coinbaseOutpoint,
  openTestChain,
  type Parent,
  SUBSIDY,
  spendTx,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

const dir = at(process.argv, 2);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let x = seed;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
};

function parentAt(chain: Chain, height: number): Parent {
  const e = chain.getEntry(height)!;
  return { hash: e.hash, height, time: e.time };
}

/** Spends of the coins the next block may use: the coinbase 10 blocks back, and the tip's split. */
function spendsFor(chain: Chain): { txs: Transaction[]; fees: bigint } {
  const h = chain.height() + 1;
  const txs: Transaction[] = [];
  let fees = 0n;
  if (h > 10) {
    const cb = coinbaseOutpoint(chain.getBlock(h - 10)!);
    const coin = chain.getUtxo(cb);
    if (coin) {
      txs.push(
        spendTx(
          [cb],
          [
            { value: coin.value / 2n, scriptPubKey: ANYONE },
            { value: coin.value - coin.value / 2n - 500n, scriptPubKey: ANYONE },
          ],
        ),
      );
      fees += 500n;
    }
  }
  const tip = chain.getBlock(chain.height())!;
  if (tip.txs.length > 1) {
    const prev = { txid: txid(at(tip.txs, 1)), index: 0 };
    const coin = chain.getUtxo(prev);
    if (coin) {
      txs.push(spendTx([prev], [{ value: coin.value - 100n, scriptPubKey: ANYONE }]));
      fees += 100n;
    }
  }
  return { txs, fees };
}

const chain = await openTestChain(dir);
process.stdout.write(`ready ${chain.height()}\n`);
for (;;) {
  const h = chain.height();
  if (h >= 8 && rand() < (h > 150 ? 1 : 0.1)) {
    // A branch from 3 blocks back, one block longer: disconnects 3, connects 4.
    const b = new ChainBuilder(parentAt(chain, h - 3), SUBSIDY, 1 + Math.floor(rand() * 60000));
    for (const blk of b.extend(4)) await chain.acceptBlock(blk);
  } else {
    const { txs, fees } = spendsFor(chain);
    const b = new ChainBuilder(parentAt(chain, h), SUBSIDY, 0);
    const r = await chain.acceptBlock(b.next(txs, { fees }));
    if (r.status !== 'connected') throw new Error(`child block refused: ${r.rule} ${r.reason}`);
  }
}
