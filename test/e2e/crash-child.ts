/**
 * Child process of the node crash test: a full devnet node (chain with its indexes, wallet, p2p,
 * API) on the data folder in argv[2] that mines to its own wallet and keeps paying itself, until the
 * parent kills it. It reports on stdout: `ready <height>` once open, `block <height>` after each
 * block it mined is stored, `tx <txid>` after each payment enters its mempool.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FluxNode } from '../../src/node/node.ts';
import { COIN } from '../../src/consensus/primitives/types.ts';
import { InsufficientFundsError } from '../../src/wallet/coin-select.ts';
import { at, tuple } from '../support/at.ts';

const [dataDir, host, seedArg] = tuple(process.argv.slice(2), 3);
let seed = Number(seedArg ?? 1) >>> 0;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let x = seed;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
};

const node = await FluxNode.start({
  network: 'devnet',
  dataDir,
  host,
  p2pPort: 0,
  apiPort: 0,
  bootstrap: [],
  rpcUser: 'crash',
  rpcPassword: 'crash',
  logLevel: 'silent',
});
const LABEL = 'crash-test';
if (!node.wallet.listAddresses().some((k) => k.label === LABEL)) {
  for (let i = 0; i < 4; i++) node.wallet.newAddress(LABEL);
  node.saveWallet();
}
const addresses = node.wallet
  .listAddresses()
  .filter((k) => k.label === LABEL)
  .map((k) => k.address);
process.stdout.write(`ready ${node.chain.height()}\n`);

node.startMiner(at(addresses, 0));
node.miner!.on('block', (found) => process.stdout.write(`block ${found.height}\n`));

for (;;) {
  const to = addresses.slice(0, 1 + Math.floor(rand() * addresses.length)).map((address) => ({
    address,
    amount: BigInt(1 + Math.floor(rand() * 50)) * COIN,
  }));
  let payment: ReturnType<typeof node.wallet.createPayment> | undefined;
  try {
    payment = node.wallet.createPayment({ to });
    await node.acceptTransaction(payment.tx);
    process.stdout.write(`tx ${payment.txid}\n`);
  } catch (err) {
    if (payment) node.wallet.release(payment);
    if (!(err instanceof InsufficientFundsError)) process.stdout.write(`refused ${(err as Error).message}\n`);
    await sleep(20);
  }
  await sleep(rand() * 10);
}
