import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Chain, FluxnodeRegistry, Mempool } from '../../chain/index.ts';
import {
  type ConsensusParams,
  parseOutpointKey,
  publicKeyOf,
  registryRulesAt,
  reverseHex,
  type Transaction,
} from '../../consensus/index.ts';
import {
  BENCHMARK_TIER_NUMBER,
  buildFluxnodeConfirm,
  CONFIRM_UPDATE_TYPE_INITIAL,
  CONFIRM_UPDATE_TYPE_UPDATE,
  startFromWallet,
  type Wallet,
} from '../../wallet/index.ts';
import type { NodeModule } from '../module.ts';

/** Blocks between two automatic re-STARTs of an expired node (one may still be on its way). */
const RESTART_EVERY_BLOCKS = 10;

export interface OperatorDeps {
  chain: Chain;
  params: ConsensusParams;
  registry: () => FluxnodeRegistry;
  mempool: Mempool;
  wallet: Wallet;
  /** This node's operator key: its public key is the START's `pubKey`; it signs CONFIRMs and heartbeats. */
  operatorKey: Uint8Array;
  /** "ip:port" announced in CONFIRMs. */
  ip: string;
  stateFile: string;
  submit: (tx: Transaction) => Promise<unknown>;
  /**
   * The bench component's attestation of a CONFIRM's benchmark (cloud/benchmark/attest.ts), null
   * where only Flux's benchmark daemon holds the network's key: the operator never signs it.
   */
  attestBenchmark: ((tx: Transaction) => Transaction) | null;
  log: Logger;
}

/**
 * The fluxnode operator role: remembers this node's collateral, sends the START when asked, and
 * while open sends a CONFIRM after the START and then whenever the confirmation window allows, so
 * the node never expires while it runs.
 */
export class FluxnodeOperator implements NodeModule {
  readonly name = 'operator';
  private readonly d: OperatorDeps;
  collateral: string | undefined;
  private lastSent = -Infinity;
  private lastSigTime = 0;
  private lastRestart = -Infinity;

  constructor(deps: OperatorDeps) {
    this.d = deps;
    if (existsSync(deps.stateFile))
      this.collateral = (
        JSON.parse(readFileSync(deps.stateFile, 'utf8')) as { collateral?: string }
      ).collateral;
  }

  private readonly onTip = () =>
    void this.tick().catch((err) => this.d.log.warn({ err: String(err) }, 'fluxnode confirm failed'));

  async open(): Promise<void> {
    this.d.chain.on('tip', this.onTip);
  }

  async close(): Promise<void> {
    this.d.chain.off('tip', this.onTip);
  }

  get operatorPubKey(): Uint8Array {
    return publicKeyOf(this.d.operatorKey);
  }

  status() {
    const r = this.collateral ? this.d.registry().get(this.collateral) : undefined;
    return {
      status: !this.collateral ? 'not-a-fluxnode' : !r ? 'not-registered' : r.status,
      collateral: this.collateral ?? null,
      tier: r?.tier ?? null,
      ip: r?.ip || this.d.ip,
      operatorPubKey: Buffer.from(this.operatorPubKey).toString('hex'),
      confirmedHeight: r?.confirmedHeight ?? null,
      lastConfirmHeight: r?.lastConfirmHeight ?? null,
      lastPaidHeight: r?.lastPaidHeight ?? null,
    };
  }

  /**
   * The cold-wallet flow: the owner's wallet funded the collateral and signed a START naming this
   * node's operator key. Once that START is on chain the node takes the collateral as its own
   * and CONFIRMs it like one it started (it never holds the collateral key).
   */
  private adoptColdStart(): void {
    const ours = Buffer.from(this.operatorPubKey).toString('hex');
    const mine = this.d
      .registry()
      .list()
      .find((r) => r.operatorPubKey === ours);
    if (!mine) return;
    this.#remember(mine.collateral);
    this.d.log.info(
      { collateral: mine.collateral },
      'a START naming this node’s operator key is on chain: operating it',
    );
  }

  #remember(collateral: string): void {
    this.collateral = collateral;
    writeFileSync(this.d.stateFile, `${JSON.stringify({ collateral }, null, 2)}\n`);
    this.lastSent = -Infinity;
  }

  /** Sends the START for a collateral of this wallet and remembers it as this node's. */
  async start(collateral: string): Promise<string> {
    const outpoint = parseOutpointKey(collateral);
    const tx = startFromWallet(this.d.wallet, {
      collateral: outpoint,
      operatorPubKey: this.operatorPubKey,
      sigTime: Math.floor(Date.now() / 1000),
    });
    await this.d.submit(tx);
    this.#remember(collateral);
    // The START waits in the pool: no re-START until it has had time to be mined.
    this.lastRestart = this.d.chain.height() + 1;
    return reverseHex(outpoint.txid);
  }

  /**
   * On each tip: CONFIRM when the node is STARTed and unconfirmed, or when its window allows; and
   * if the node fell off the list (it was down past its expiry) while its collateral is still ours
   * and not barred, START it again — at most once every few blocks.
   */
  async tick(): Promise<void> {
    if (!this.collateral) this.adoptColdStart();
    if (!this.collateral) return;
    const r = this.d.registry().get(this.collateral);
    if (!r) {
      // A START that missed its CONFIRM window bars the collateral for a while (fluxd's DoS list):
      // a new START would only be refused, so wait for the bar to end.
      if (this.d.registry().stored(this.collateral)?.status === 'dos') return;
      const next = this.d.chain.height() + 1;
      if (next - this.lastRestart < RESTART_EVERY_BLOCKS) return;
      const coin = this.d.chain.getUtxo(parseOutpointKey(this.collateral));
      if (!coin) return;
      this.lastRestart = next;
      // A cold collateral's key is the owner's: only the owner's wallet can START it again.
      if (!this.d.wallet.keyForScript(coin.scriptPubKey)) {
        this.d.log.warn(
          { collateral: this.collateral },
          'fluxnode expired; its collateral key is in the owner’s wallet: START it again from there',
        );
        return;
      }
      await this.start(this.collateral);
      this.d.log.info(
        { collateral: this.collateral, height: next },
        'fluxnode had expired: sent a new START',
      );
      return;
    }
    const next = this.d.chain.height() + 1;
    const rules = registryRulesAt(next, this.d.params);
    const due =
      r.status === 'started' ||
      (r.lastConfirmHeight !== null && next - r.lastConfirmHeight > rules.minConfirmInterval);
    // One CONFIRM in flight at a time; resend only if it was not mined within a few blocks.
    if (!due || next - this.lastSent < 5) return;
    // Strictly increasing: two CONFIRMs signed in one second would otherwise be the same bytes (the
    // signatures are deterministic), and peers drop a repeat as a message they have already seen.
    const now = Math.max(Math.floor(Date.now() / 1000), this.lastSigTime + 1);
    this.lastSigTime = now;
    const tx = buildFluxnodeConfirm({
      collateral: parseOutpointKey(this.collateral),
      operatorKey: this.d.operatorKey,
      ip: this.d.ip,
      sigTime: now,
      benchmarkTier: BENCHMARK_TIER_NUMBER[r.tier],
      benchmarkSigTime: now,
      // fluxd tells a node's first CONFIRM from the later ones by this field, and checks it.
      updateType: r.status === 'started' ? CONFIRM_UPDATE_TYPE_INITIAL : CONFIRM_UPDATE_TYPE_UPDATE,
    });
    if (!this.d.attestBenchmark) {
      this.d.log.warn(
        { network: this.d.params.network },
        'no benchmark attester for this network: CONFIRM not sent',
      );
      return;
    }
    this.lastSent = next;
    await this.d.submit(this.d.attestBenchmark(tx));
    this.d.log.info({ collateral: this.collateral, height: next }, 'sent fluxnode CONFIRM');
  }
}
