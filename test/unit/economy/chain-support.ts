/**
 * A real devnet chain for the economy tests: the chain with the fluxnode registry, app payments, the
 * address index and the economy as extensions, a mempool with the node's acceptance rules, a wallet,
 * and blocks mined with real Equihash (48,5) from the node's own templates. Block times come from a
 * test clock so the accrual start rule (27 March 2021) can be crossed on purpose.
 */
import { DEVNET_BENCHMARK_SECRET } from '../../../src/cloud/benchmark/attest.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressIndex } from '../../../src/chain/address-index/address-index.ts';
import { Chain } from '../../../src/chain/chain.ts';
import type { ChainStateExtension } from '../../../src/chain/extension.ts';
import type { AcceptResult } from '../../../src/chain/types.ts';
import { mempoolValidator } from '../../../src/chain/mempool/accept.ts';
import { Mempool } from '../../../src/chain/mempool/mempool.ts';
import { appPaymentScriptFor } from '../../../src/cloud/registry/app-address.ts';
import { AppPaymentsExtension } from '../../../src/cloud/registry/app-payments.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { merkleRoot } from '../../../src/consensus/primitives/merkle.ts';
import { parseOutpointKey } from '../../../src/consensus/primitives/outpoint.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block, OutPoint, Transaction, TxOut } from '../../../src/consensus/primitives/types.ts';
import { nullDataScript } from '../../../src/consensus/script/templates.ts';
import type { Tier } from '../../../src/consensus/tiers.ts';
import { type EconomyOptions, EconomyExtension } from '../../../src/economy/chain/extension.ts';
import { cpuSolver, solveNonce } from '../../../src/mining/pow.ts';
import { assembleBlock, type BlockTemplate, buildBlockTemplate } from '../../../src/mining/template.ts';
import {
  BENCHMARK_TIER_NUMBER,
  buildFluxnodeConfirm,
  startFromWallet,
} from '../../../src/wallet/fluxnode-txs.ts';
import { Wallet } from '../../../src/wallet/wallet.ts';
import { claimPolicy } from '../../../src/node/claim-policy.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { at } from '../../support/at.ts';
import assert from 'node:assert/strict';

export const devnet = paramsFor('devnet');
export const APP_SCRIPT = appPaymentScriptFor(devnet);

export function tempDir(prefix = 'fluxnode-economy-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestNodeOptions {
  /** Header time of the block mined at `height` (must grow with the height). */
  blockTime: (height: number) => number;
  economy?: Partial<EconomyOptions>;
  /** Where the economy sits in the extension list (it must not matter). */
  economyFirst?: boolean;
  /** A wallet to share (so two nodes can spend the same keys); default a new one. */
  wallet?: Wallet;
  /** Leave the economy out of the chain (a node from before it existed); `economy` is then unusable. */
  withoutEconomy?: boolean;
}

/** One node's chain state, mempool and wallet, without networking. */
export class EconomyTestNode {
  readonly chain: Chain;
  readonly economy: EconomyExtension;
  readonly addressIndex: AddressIndex;
  readonly appPayments: AppPaymentsExtension;
  readonly mempool = new Mempool({ maxBytes: 10_000_000, minFeePerKb: 100n });
  readonly wallet: Wallet;
  readonly blockTime: (height: number) => number;
  private readonly validateTx: ReturnType<typeof mempoolValidator>;

  private constructor(
    chain: Chain,
    parts: { economy: EconomyExtension; addressIndex: AddressIndex; appPayments: AppPaymentsExtension },
    wallet: Wallet,
    blockTime: (height: number) => number,
  ) {
    this.chain = chain;
    this.economy = parts.economy;
    this.addressIndex = parts.addressIndex;
    this.appPayments = parts.appPayments;
    this.wallet = wallet;
    this.blockTime = blockTime;
    const base = mempoolValidator({
      params: devnet,
      tipHeight: () => this.chain.height(),
      getUtxo: (o) => this.chain.getUtxo(o),
      registry: () => this.chain.fluxnodes,
    });
    // The node's pool rule for claims, as src/node/tx-acceptance.ts adds it.
    const policy = claimPolicy(parts.economy);
    this.validateTx = (tx, poolOutput) => ({
      ...base(tx, poolOutput),
      conflictKeys: policy(tx, (o) => (this.chain.getUtxo(o) ?? poolOutput(o))?.scriptPubKey),
    });
    chain.on('connect', (block) => this.mempool.removeForBlock(block.txs, (tx) => reverseHex(txid(tx))));
  }

  static async open(dir: string, opts: TestNodeOptions): Promise<EconomyTestNode> {
    const addressIndex = new AddressIndex({ coinbaseMaturity: devnet.coinbaseMaturity });
    const economy = new EconomyExtension({ params: devnet, holders: addressIndex, ...opts.economy });
    const appPayments = new AppPaymentsExtension(APP_SCRIPT, txid);
    const others: ChainStateExtension[] = [appPayments, addressIndex];
    const chain = await Chain.open(dir, devnet, {
      validation: { scriptThreads: 0 },
      extensions: opts.withoutEconomy
        ? others
        : opts.economyFirst
          ? [economy, ...others]
          : [...others, economy],
    });
    const wallet = opts.wallet ?? new Wallet(devnet, { now: () => 1_700_000_000 });
    wallet.setSource(addressIndex);
    return new EconomyTestNode(chain, { economy, addressIndex, appPayments }, wallet, opts.blockTime);
  }

  close(): void {
    this.chain.close();
  }

  submit(tx: Transaction): void {
    this.mempool.add(tx, this.validateTx, Date.now());
  }

  /** Mines one block on the tip; `burn` moves that much of the miner's output to an OP_RETURN output. */
  async mineBlock(minerAddress: string, opts: MineOptions = {}): Promise<Block> {
    const { block, result } = await this.tryMineBlock(minerAddress, opts);
    if (result.status !== 'connected')
      throw new Error(
        `mined block ${result.height}: ${result.status} ${result.rule ?? ''} ${result.reason ?? ''}`,
      );
    return block;
  }

  /**
   * Mines a block and offers it to the chain, whatever the chain then says. `extraTxs` go into the
   * block as they are, without the mempool's checks (to build blocks the chain must refuse).
   */
  async tryMineBlock(
    minerAddress: string,
    opts: MineOptions = {},
  ): Promise<{ block: Block; result: AcceptResult }> {
    const height = this.chain.height() + 1;
    let t: BlockTemplate = buildBlockTemplate({
      chain: this.chain,
      params: devnet,
      mempool: this.mempool,
      minerScript: scriptForAddress(minerAddress, devnet.base58),
      time: this.blockTime(height),
    });
    t = withChanges(t, opts);
    for (let n = 0; ; n++) {
      const nonce = new Uint8Array(32);
      new DataView(nonce.buffer).setUint32(0, n, true);
      const found = solveNonce(t, nonce, cpuSolver);
      if (!found.header) continue;
      const block = assembleBlock(t, found.header);
      return { block, result: await this.chain.acceptBlock(block) };
    }
  }

  async mine(n: number, minerAddress: string): Promise<void> {
    for (let i = 0; i < n; i++) await this.mineBlock(minerAddress);
  }

  /** Main-chain blocks 1..tip. */
  blocks(): Block[] {
    const out: Block[] = [];
    for (let h = 1; h <= this.chain.height(); h++) out.push(this.chain.getBlock(h)!);
    return out;
  }
}

export interface MineOptions {
  /** Moves this much of the miner's output to an OP_RETURN output of the coinbase. */
  burn?: bigint;
  extraTxs?: Transaction[];
  /** Rewrites the coinbase outputs (to build blocks whose payees the chain must refuse). */
  coinbase?: (outputs: TxOut[]) => TxOut[];
}

function withChanges(t: BlockTemplate, opts: MineOptions): BlockTemplate {
  if (!opts.burn && !opts.extraTxs?.length && !opts.coinbase) return t;
  let coinbase = t.coinbase;
  if (opts.coinbase) coinbase = { ...coinbase, outputs: opts.coinbase(coinbase.outputs) };
  if (opts.burn) {
    const [miner, ...rest] = coinbase.outputs;
    assert.ok(miner, 'the coinbase pays the miner');
    coinbase = {
      ...coinbase,
      outputs: [
        { ...miner, value: miner.value - opts.burn },
        ...rest,
        { value: opts.burn, scriptPubKey: nullDataScript(new TextEncoder().encode('burn')) },
      ],
    };
  }
  const txs = [coinbase, ...t.txs.slice(1), ...(opts.extraTxs ?? [])];
  const header = { ...t.header, merkleRoot: merkleRoot(txs.map((x) => txid(x))).root };
  return { ...t, coinbase, txs, header };
}

export interface Operator {
  tier: Tier;
  address: string;
  collateral: string;
  operatorKey: Uint8Array;
}

/**
 * Registers one fluxnode per entry of `tiers`: funds exact collaterals from the premine, waits for
 * their confirmations, STARTs and CONFIRMs them. Ends with every node confirmed.
 */
export async function registerOperators(
  node: EconomyTestNode,
  minerAddress: string,
  tiers: readonly Tier[],
): Promise<Operator[]> {
  // The block-1 premine is spendable from height 11.
  if (node.chain.height() < 10) await node.mine(10 - node.chain.height(), minerAddress);
  const w = node.wallet;
  const addresses = tiers.map((t, i) => w.newAddress(`${t} node ${i}`));
  const payment = w.createPayment({
    to: tiers.map((tier, i) => ({
      address: at(addresses, i),
      amount:
        tier === 'cumulus'
          ? 1_000n * 100_000_000n
          : tier === 'nimbus'
            ? 12_500n * 100_000_000n
            : 40_000n * 100_000_000n,
    })),
  });
  node.submit(payment.tx);
  await node.mineBlock(minerAddress);
  const ops: Operator[] = tiers.map((tier, i) => ({
    tier,
    address: at(addresses, i),
    collateral: `${payment.txid}:${i}`,
    operatorKey: Uint8Array.from({ length: 32 }, (_, j) => (j === 0 ? i + 1 : 7)),
  }));
  await node.mine(devnet.fluxnodes.collateralMinConfirmations, minerAddress);
  for (const op of ops) {
    node.submit(
      startFromWallet(w, {
        collateral: parseOutpointKey(op.collateral),
        operatorPubKey: publicKeyOf(op.operatorKey),
        sigTime: node.blockTime(node.chain.height() + 1),
      }),
    );
  }
  await node.mineBlock(minerAddress);
  for (const op of ops) node.submit(confirmTx(node, op));
  await node.mineBlock(minerAddress);
  for (const op of ops) {
    if (node.chain.fluxnodes.get(op.collateral)?.status !== 'confirmed')
      throw new Error(`node ${op.collateral} did not get confirmed`);
  }
  return ops;
}

export function confirmTx(node: EconomyTestNode, op: Operator): Transaction {
  const sigTime = node.blockTime(node.chain.height() + 1);
  return buildFluxnodeConfirm({
    collateral: parseOutpointKey(op.collateral),
    operatorKey: op.operatorKey,
    ip: `127.0.0.1:${16000 + node.chain.height()}`,
    sigTime,
    benchmarkTier: BENCHMARK_TIER_NUMBER[op.tier],
    benchmarkSigTime: sigTime,
    // Standing in for the bench process, which signs with the devnet's benchmark key.
    benchmarkKey: DEVNET_BENCHMARK_SECRET,
    // fluxd: the first CONFIRM is an initial one, the later ones updates.
    updateType: node.chain.fluxnodes.get(op.collateral)?.status === 'confirmed' ? 1 : 0,
  });
}

/** Spends a node's collateral back to the wallet (which ends the node). */
export function spendCollateral(node: EconomyTestNode, op: Operator, to: string): Transaction {
  const outpoint: OutPoint = parseOutpointKey(op.collateral);
  node.wallet.unlockCoin(outpoint);
  return node.wallet.createPayment({ to: [{ address: to, amount: 999n * 100_000_000n }], inputs: [outpoint] })
    .tx;
}
