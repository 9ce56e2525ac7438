/**
 * The CPU miner role. Always present, because `setgenerate` may switch it on at any time; it mines
 * from the start when the options name an address (`--mine-to`).
 */
import type { Logger } from 'pino';
import type { Chain, EvictedTx, FluxnodeRegistry, Mempool } from '../../chain/index.ts';
import { type Block, type ConsensusParams, scriptForAddress } from '../../consensus/index.ts';
import { cpuSolver, Miner, type MiningMetrics } from '../../mining/index.ts';
import type { NodeModule } from '../module.ts';

export interface MinerModuleOptions {
  /** Mine from the start, paying the miner's share to this address. */
  mineTo?: string;
  /** At most one block per this many milliseconds (devnet pacing). */
  mineIntervalMs?: number;
}

export interface MinerModuleDeps {
  params: ConsensusParams;
  chain: Chain;
  mempool: Mempool;
  registry: () => FluxnodeRegistry;
  announce: (block: Block) => Promise<void>;
  log: Logger;
  metrics: MiningMetrics | null;
  /** Re-validates the pool before a template; returns what was evicted. */
  recheckPool: () => EvictedTx[];
  onEvicted: (e: EvictedTx) => void;
}

export class MinerModule implements NodeModule {
  readonly name = 'miner';
  readonly #opts: MinerModuleOptions;
  readonly #d: MinerModuleDeps;
  miner: Miner | undefined;
  /** Where mined (and stratum) blocks pay the miner's share: the last address mined to. */
  address: string | undefined;

  constructor(opts: MinerModuleOptions, deps: MinerModuleDeps) {
    this.#opts = opts;
    this.#d = deps;
    this.address = opts.mineTo;
  }

  async open(): Promise<void> {
    if (this.#opts.mineTo) this.start(this.#opts.mineTo);
  }

  async close(): Promise<void> {
    await this.miner?.stop();
  }

  /** The output script paying `address` (by default the miner's); throws while there is none. */
  script(address = requireAddress(this.address)): Uint8Array {
    const { pubkeyHash, scriptHash } = this.#d.params.base58;
    return scriptForAddress(address, { pubkeyHash, scriptHash });
  }

  /** Starts the CPU miner (no-op when it runs); `maxBlocks` stops it after that many blocks. */
  start(address: string, opts: { maxBlocks?: number } = {}): void {
    const minerScript = this.script(address);
    this.address = address;
    if (this.miner?.isRunning) return;
    const { chain, params, mempool, log } = this.#d;
    this.miner = new Miner({
      maxBlocks: opts.maxBlocks,
      chain,
      params,
      mempool,
      payees: (h) => this.#d.registry().payees(h),
      minerScript,
      solver: cpuSolver,
      blockIntervalMs: this.#opts.mineIntervalMs ?? 0,
      metrics: this.#d.metrics,
      recheckPool: this.#d.recheckPool,
      onEvicted: this.#d.onEvicted,
      onBlock: (found) => {
        log.info({ height: found.height, hash: found.id }, 'mined block');
        void this.#d.announce(found.block).catch((err) => log.warn({ err: String(err) }, 'announce failed'));
      },
    });
    this.miner.start();
  }

  /** `setgenerate`: on with an address (or the last one), for `maxBlocks` blocks or without end; or off. */
  async setGenerate(on: boolean, address?: string, maxBlocks?: number): Promise<void> {
    if (!on) return this.miner?.stop();
    const to = address ?? requireAddress(this.address);
    // A bounded run counts from zero: a miner already running is replaced.
    if (maxBlocks !== undefined) await this.miner?.stop();
    this.start(to, { maxBlocks });
  }
}

function requireAddress(address: string | undefined): string {
  if (address) return address;
  throw new Error('no miner address: give one (setgenerate true "address") or start with --mine-to');
}
