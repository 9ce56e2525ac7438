import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { branchIdAt, type ConsensusParams, paramsFor } from '../../../src/consensus/params/index.ts';
import {
  encodeTransaction,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../../../src/consensus/primitives/transaction.ts';
import { COIN } from '../../../src/consensus/primitives/types.ts';
import { verifyTransactionInputs } from '../../../src/consensus/script/sign.ts';
import { classifyScript } from '../../../src/consensus/script/templates.ts';
import { InsufficientFundsError } from '../../../src/wallet/coin-select.ts';
import { WalletError } from '../../../src/wallet/keystore.ts';
import { type CoinSource, Wallet, type WalletCoin } from '../../../src/wallet/wallet.ts';
import { devnet, SUBSIDY, TestNet } from './wallet-fixtures.ts';
import { at, tuple } from '../../support/at.ts';

const MATURITY = devnet.coinbaseMaturity;

function walletOn(net: TestNet, label: string): { wallet: Wallet; address: string; script: Uint8Array } {
  const wallet = new Wallet(devnet, { source: net.index });
  const address = wallet.newAddress(label);
  return { wallet, address, script: scriptForAddress(address, devnet.base58) };
}

/** The value of one coinbase per height in `heights` that a transaction in block `tip + 1` may spend. */
function matureValue(heights: number[], tip: number): bigint {
  return heights.filter((h) => tip + 1 - h >= MATURITY).reduce((n) => n + SUBSIDY, 0n);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const sumOut = (tx: { outputs: { value: bigint }[] }) => tx.outputs.reduce((s, o) => s + o.value, 0n);

describe('wallet: keys', () => {
  it('creates, labels, exports and imports keys; WIF test vectors give the known public key', () => {
    const w = new Wallet(devnet);
    const a = w.newAddress('savings');
    assert.match(a, /^tm/, 'devnet uses the testnet P2PKH prefix');
    w.setLabel(a, 'renamed');
    assert.equal(at(w.listAddresses(), 0).label, 'renamed');

    const other = new Wallet(devnet);
    assert.equal(other.importWif(w.exportWif(a), 'copy'), a);

    // Private key 1 in testnet WIF (published Bitcoin test data), compressed and uncompressed.
    const g = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
    const k = new Wallet(devnet);
    k.importWif('cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA');
    k.importWif('91avARGdfge8E4tZfYLoxeJ5sGBdNJQH4kvjJoQFacbgwmaKkrx');
    const [c, u] = tuple(k.listAddresses(), 2);
    assert.equal(c.publicKey, g);
    assert.equal(u.publicKey.slice(0, 66), `04${g.slice(2)}`);
    assert.equal(u.compressed, false);
    assert.notEqual(c.address, u.address);
    assert.equal(k.exportWif(u.address), '91avARGdfge8E4tZfYLoxeJ5sGBdNJQH4kvjJoQFacbgwmaKkrx');

    assert.throws(
      () => k.importWif('not-a-key'),
      (e: unknown) => e instanceof WalletError && e.field === 'wif',
    );
    const mainnetAddress = new Wallet(paramsFor('mainnet')).newAddress();
    assert.throws(() => k.exportWif(mainnetAddress), /bad-address-prefix/);

    const dir = mkdtempSync(join(tmpdir(), 'wallet-keys-'));
    try {
      k.save(join(dir, 'w.json'), 'pass');
      const back = Wallet.load(join(dir, 'w.json'), 'pass', devnet);
      assert.deepEqual(back.listAddresses(), k.listAddresses());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wallet: payments on a devnet chain', () => {
  it('pays between two wallets: balances, change, fee, and the chain accepts the signed txs', async () => {
    const net = await TestNet.open();
    try {
      const a = walletOn(net, 'alice');
      const b = walletOn(net, 'bob');
      const miner = walletOn(net, 'miner');
      await net.mineMany(12, a.script);

      const before = a.wallet.balance();
      assert.equal(before.total, 12n * SUBSIDY);
      assert.equal(before.spendable, matureValue(range(1, 12), 12));
      assert.equal(before.immature, before.total - before.spendable);
      assert.equal(before.spendable, 3n * SUBSIDY, 'coinbases of heights 1..3 are 10 deep at height 13');

      const pay = a.wallet.createPayment({
        to: [{ address: b.address, amount: 200n * COIN }],
        feePerKb: 1000n,
        opReturn: new TextEncoder().encode('hello'),
      });
      const tx = pay.tx;
      assert.equal(tx.version, 4);
      assert.equal(tx.overwintered, true);
      assert.equal(tx.versionGroupId, SAPLING_VERSION_GROUP_ID);
      assert.equal(tx.expiryHeight, 13 + 20);
      assert.equal(pay.txid, reverseHex(txid(tx)));
      assert.equal(at(tx.outputs, 0).value, 200n * COIN);
      assert.equal(toHex(at(tx.outputs, 0).scriptPubKey), toHex(b.script));
      assert.equal(classifyScript(at(tx.outputs, 1).scriptPubKey).type, 'nulldata');
      assert.ok(pay.change, 'two 150 FLUX coins leave change');
      assert.equal(pay.change.index, 2);
      assert.equal(
        toHex(at(tx.outputs, 2).scriptPubKey),
        toHex(a.script),
        'change returns to the spending address',
      );
      const spentValue = pay.inputs.reduce((s, c) => s + c.value, 0n);
      assert.equal(pay.inputs.length, 2);
      assert.equal(spentValue - sumOut(tx), pay.fee, 'fee = inputs - outputs');
      const size = encodeTransaction(tx).length;
      assert.equal(pay.size, size);
      assert.ok(pay.fee * 1000n >= BigInt(size) * 1000n, `fee ${pay.fee} covers ${size} bytes at 1000/kB`);
      assert.ok(pay.fee <= BigInt(size + 60), `fee ${pay.fee} is not far above the size ${size}`);
      verifyTransactionInputs(
        tx,
        pay.inputs.map((c) => ({ value: c.value, scriptPubKey: c.scriptPubKey })),
        branchIdAt(13, devnet),
      );

      // The coins it spent are held back until mined: a second payment uses the remaining one.
      const second = a.wallet.createPayment({ to: [{ address: b.address, amount: 10n * COIN }] });
      const firstKeys = new Set(pay.inputs.map((c) => toHex(c.outpoint.txid)));
      assert.ok(second.inputs.every((c) => !firstKeys.has(toHex(c.outpoint.txid))));
      assert.equal(a.wallet.balance().locked, spentValue + at(second.inputs, 0).value);

      // A node takes both into its mempool (relay fee, standard outputs, scripts) before mining.
      const pooled = net.toMempool([tx, second.tx]);
      assert.deepEqual(
        pooled.map((e) => e.fee),
        [pay.fee, second.fee],
      );
      await net.mine(miner.script, [tx, second.tx]);
      assert.deepEqual(b.wallet.balance(), {
        total: 210n * COIN,
        confirmed: 210n * COIN,
        spendable: 210n * COIN,
        immature: 0n,
        locked: 0n,
      });
      const after = a.wallet.balance();
      assert.equal(after.total, before.total - 210n * COIN - pay.fee - second.fee);
      assert.equal(after.locked, 0n, 'mined spends are no longer pending');
      const spentCoins = [...pay.inputs, ...second.inputs].reduce((s, c) => s + c.value, 0n);
      assert.equal(
        after.spendable,
        matureValue(range(1, 12), 13) - spentCoins + (pay.change?.value ?? 0n) + (second.change?.value ?? 0n),
        'mature coinbases left plus the change outputs, spendable at once',
      );

      // Bob's coins are not coinbases: spendable at once. He pays Alice back.
      const back = b.wallet.createPayment({ to: [{ address: a.address, amount: 205n * COIN }] });
      assert.equal(back.inputs.length, 2);
      await net.mine(miner.script, [back.tx]);
      assert.equal(b.wallet.balance().total, 210n * COIN - 205n * COIN - back.fee);
      assert.equal(a.wallet.balance().total, after.total + 205n * COIN);
      assert.deepEqual(net.chain.checkConsistency(), []);
    } finally {
      net.close();
    }
  });

  it('never spends immature coinbase outputs; a shortfall names the amounts', async () => {
    const net = await TestNet.open();
    try {
      const a = walletOn(net, 'alice');
      const b = walletOn(net, 'bob');
      await net.mineMany(3, a.script);
      assert.equal(a.wallet.balance().spendable, 0n);
      assert.equal(a.wallet.balance().immature, 3n * SUBSIDY);
      assert.throws(
        () => a.wallet.createPayment({ to: [{ address: b.address, amount: 1n * COIN }] }),
        (e: unknown) => {
          assert.ok(e instanceof InsufficientFundsError);
          assert.equal(e.available, 0n);
          assert.ok(e.needed > 1n * COIN);
          assert.match(e.message, new RegExp(`need ${e.needed} satoshis`));
          assert.match(e.message, new RegExp(`${3n * SUBSIDY} more in immature coinbase outputs`));
          return true;
        },
      );
      // Naming an immature coin explicitly is refused with its maturity height.
      const first = at(a.wallet.coins(), 0);
      assert.throws(
        () =>
          a.wallet.createPayment({
            to: [{ address: b.address, amount: 1n * COIN }],
            inputs: [first.outpoint],
          }),
        /coinbase output from height 1, spendable from height 11/,
      );

      await net.mineMany(8, b.script); // tip 11: the height-1 and -2 coinbases are mature for block 12
      const mature = matureValue([1, 2, 3], 11);
      assert.equal(mature, 2n * SUBSIDY);
      assert.equal(a.wallet.balance().spendable, mature);
      assert.throws(
        () => a.wallet.createPayment({ to: [{ address: b.address, amount: 1000n * COIN }] }),
        (e: unknown) =>
          e instanceof InsufficientFundsError &&
          e.available === mature &&
          e.needed > 1000n * COIN &&
          e.message.includes(`have ${mature} spendable`) &&
          e.message.includes(`${SUBSIDY} more in immature coinbase outputs`),
      );
    } finally {
      net.close();
    }
  });

  it('spends exactly a chosen outpoint, and refuses bad recipients with the field named', async () => {
    const net = await TestNet.open();
    try {
      const a = walletOn(net, 'alice');
      const b = walletOn(net, 'bob');
      await net.mineMany(13, a.script);
      const coins = a.wallet.coins().filter((c) => c.status === 'spendable');
      assert.equal(coins.length, 4);
      const chosen = at(coins, 2);
      const pay = a.wallet.createPayment({
        to: [{ address: b.address, amount: 100n * COIN }],
        inputs: [chosen.outpoint],
        changeAddress: b.address,
      });
      assert.equal(pay.tx.inputs.length, 1);
      assert.equal(toHex(at(pay.tx.inputs, 0).prevout.txid), toHex(chosen.outpoint.txid));
      assert.equal(pay.change?.address, b.address);
      await net.mine(b.script, [pay.tx]);
      assert.equal(b.wallet.balance().total, SUBSIDY + SUBSIDY - pay.fee);

      const err = (field: string, pattern: RegExp) => (e: unknown) =>
        e instanceof WalletError && e.field === field && pattern.test(e.message);
      const mainnetAddress = new Wallet(paramsFor('mainnet')).newAddress();
      assert.throws(
        () => a.wallet.createPayment({ to: [{ address: mainnetAddress, amount: COIN }] }),
        err('to[0].address', /bad-address-prefix/),
      );
      assert.throws(
        () => a.wallet.createPayment({ to: [{ address: b.address, amount: 100n }] }),
        err('to[0].amount', /below the dust threshold of 546/),
      );
      assert.throws(
        () =>
          a.wallet.createPayment({ to: [{ address: b.address, amount: COIN }], inputs: [chosen.outpoint] }),
        err('inputs[0]', /is not an unspent output of this wallet/),
      );
      assert.throws(
        () =>
          a.wallet.createPayment({
            to: [{ address: b.address, amount: COIN }],
            opReturn: new Uint8Array(81),
          }),
        err('opReturn', /81 bytes/),
      );
    } finally {
      net.close();
    }
  });

  it('builds legacy v1 transactions before Acadia, and v4 from its activation height', async () => {
    const late: ConsensusParams = {
      ...devnet,
      upgrades: Object.fromEntries(
        Object.entries(devnet.upgrades).map(([k, u]) => [k, { ...u, activationHeight: 40 }]),
      ) as ConsensusParams['upgrades'],
    };
    const net = await TestNet.open(late);
    try {
      const a = new Wallet(late, { source: net.index });
      const aScript = scriptForAddress(a.newAddress(), late.base58);
      const b = new Wallet(late, { source: net.index });
      const bAddress = b.newAddress();
      await net.mineMany(11, aScript);
      const legacy = a.createPayment({ to: [{ address: bAddress, amount: 20n * COIN }] });
      assert.equal(legacy.tx.version, 1);
      assert.equal(legacy.tx.overwintered, false);
      assert.equal(legacy.tx.expiryHeight, 0);
      assert.equal(legacy.frame.branchId, late.baseBranchId);
      net.toMempool([legacy.tx]);
      await net.mine(aScript, [legacy.tx]);
      assert.equal(b.balance().spendable, 20n * COIN);
    } finally {
      net.close();
    }

    // At the boundary the next block's height decides, through a bare coin source.
    const w = new Wallet(late);
    const addr = w.newAddress();
    const coin: WalletCoin = {
      outpoint: { txid: new Uint8Array(32).fill(7), index: 0 },
      value: 5n * COIN,
      scriptPubKey: scriptForAddress(addr, late.base58),
      height: 1,
      coinbase: false,
    };
    for (const [tip, version] of [
      [38, 1],
      [39, 4],
    ] as const) {
      const source: CoinSource = { coinsFor: () => [coin], tipHeight: () => tip };
      w.setSource(source);
      const p = w.createPayment({ to: [{ address: addr, amount: COIN }], reserve: false });
      assert.equal(p.tx.version, version, `tip ${tip}`);
      assert.equal(p.frame.branchId, branchIdAt(tip + 1, late));
      verifyTransactionInputs(p.tx, [coin], branchIdAt(tip + 1, late));
      if (version === 4) {
        // A v4 signature commits to the branch id: another branch's rules would reject it.
        assert.throws(
          () => verifyTransactionInputs(p.tx, [coin], late.baseBranchId),
          /mandatory-script-verify/,
        );
      }
    }
  });
});
