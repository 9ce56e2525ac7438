import assert from 'node:assert/strict';
import { DEVNET_BENCHMARK_SECRET } from '../../../src/cloud/benchmark/attest.ts';
import { test } from 'node:test';
import { collateralKey } from '../../../src/chain/fluxnodes/registry.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { generatePrivateKey, publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { outpointKey } from '../../../src/consensus/primitives/outpoint.ts';
import {
  BENCHMARK_TIER_NUMBER,
  buildFluxnodeConfirm,
  startFromWallet,
} from '../../../src/wallet/fluxnode-txs.ts';
import { Wallet } from '../../../src/wallet/wallet.ts';
import { devnet, TestNet } from './wallet-fixtures.ts';
import { at } from '../../support/at.ts';

test('a wallet funds an exact-tier collateral, STARTs and CONFIRMs a node the chain registers', async () => {
  const net = await TestNet.open(devnet);
  try {
    const owner = new Wallet(devnet, { source: net.index });
    const ownerScript = scriptForAddress(owner.newAddress('mining'), devnet.base58);
    const minerScript = scriptForAddress(new Wallet(devnet).newAddress(), devnet.base58);
    await net.mineMany(17, ownerScript); // 8 mature coinbases (1,200 FLUX) for block 18

    const funded = owner.createCollateral('cumulus');
    const tierAmount = devnet.fluxnodes.collateral.cumulus.after;
    assert.equal(funded.amount, tierAmount);
    assert.equal(at(funded.tx.outputs, 0).value, tierAmount, 'an output of exactly the tier amount');
    assert.equal(
      toHex(at(funded.tx.outputs, 0).scriptPubKey),
      toHex(scriptForAddress(funded.address, devnet.base58)),
    );
    assert.ok(owner.isMine(funded.address));
    net.toMempool([funded.tx]);
    await net.mine(minerScript, [funded.tx]); // height 18

    const coll = owner.coins().find((c) => outpointKey(c.outpoint) === outpointKey(funded.collateral));
    assert.equal(coll?.value, tierAmount);
    assert.equal(coll?.status, 'locked', 'the collateral is kept out of payments');
    assert.equal(owner.balance().locked, tierAmount);
    // Later payments leave the collateral alone.
    const other = owner.createPayment({ to: [{ address: owner.newAddress(), amount: 100_000_000n }] });
    assert.ok(other.inputs.every((c) => outpointKey(c.outpoint) !== outpointKey(funded.collateral)));
    owner.release(other);
    // A restarted wallet remembers no locks, yet still keeps a collateral-sized coin back…
    const restarted = new Wallet(devnet, { keys: owner.keys.toStored(), source: net.index });
    const again = () =>
      restarted.coins().find((c) => outpointKey(c.outpoint) === outpointKey(funded.collateral));
    assert.equal(again()?.status, 'locked');
    // …until it is unlocked by name.
    restarted.unlockCoin(funded.collateral);
    assert.equal(again()?.status, 'spendable');

    await net.mineMany(9, minerScript); // tip 27: START in block 28 buries the collateral 10 deep
    const operatorKey = generatePrivateKey();
    const key = collateralKey(funded.collateral);
    const blockTime = () => net.tip.time + 30;

    // A START whose signature does not match its fields is refused by rule.
    const good = startFromWallet(owner, {
      collateral: funded.collateral,
      operatorPubKey: publicKeyOf(operatorKey),
      sigTime: blockTime(),
    });
    const forged = { ...good, fluxnode: { ...good.fluxnode!, sigTime: good.fluxnode!.sigTime + 1 } };
    const r0 = await net.submit(net.block(minerScript, [forged], 1));
    assert.equal(r0.status, 'invalid');
    assert.equal(r0.rule, 'bad-fluxnode-start-signature');

    net.toMempool([good]);
    await net.mine(minerScript, [good]);
    assert.equal(net.chain.fluxnodes.get(key)?.status, 'started');
    assert.equal(net.chain.fluxnodes.get(key)?.tier, 'cumulus');
    assert.equal(net.chain.fluxnodes.get(key)?.operatorPubKey, toHex(publicKeyOf(operatorKey)));

    const confirmWith = (k: Uint8Array) =>
      buildFluxnodeConfirm({
        collateral: funded.collateral,
        operatorKey: k,
        ip: '127.0.0.11:16125',
        sigTime: blockTime(),
        benchmarkTier: BENCHMARK_TIER_NUMBER.cumulus,
        benchmarkSigTime: blockTime() - 5,
        benchmarkKey: DEVNET_BENCHMARK_SECRET,
      });
    const forgedConfirm = confirmWith(generatePrivateKey());
    assert.throws(
      () => net.toMempool([forgedConfirm]),
      (e: unknown) => e instanceof ConsensusError && e.rule === 'bad-fluxnode-confirm-signature',
    );
    const wrong = await net.submit(net.block(minerScript, [forgedConfirm], 2));
    assert.equal(wrong.status, 'invalid');
    assert.equal(wrong.rule, 'bad-fluxnode-confirm-signature');
    assert.equal(net.chain.fluxnodes.get(key)?.status, 'started');

    const confirmed = confirmWith(operatorKey);
    net.toMempool([confirmed]);
    await net.mine(minerScript, [confirmed]);
    const node = net.chain.fluxnodes.get(key);
    assert.equal(node?.status, 'confirmed');
    assert.equal(node?.ip, '127.0.0.11:16125');
    assert.equal(node?.payoutScript, toHex(scriptForAddress(funded.address, devnet.base58)));
    assert.deepEqual(net.chain.checkConsistency(), []);
  } finally {
    net.close();
  }
});
