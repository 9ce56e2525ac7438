import type { AcceptResult, ChainEntry } from '../chain/index.ts';
import { type Block, type ConsensusParams, headerHash, verifyHeaderSolution } from '../consensus/index.ts';
import type { StratumBackend, StratumJob, StratumServer } from './stratum.ts';
import { assembleBlock, type BlockTemplate } from './template.ts';

/** What stratum needs from the chain. */
export interface StratumChain {
  tip(): ChainEntry;
  acceptBlock(block: Block): Promise<AcceptResult>;
  on(event: 'tip', listener: (entry: ChainEntry) => void): unknown;
  off(event: 'tip', listener: (entry: ChainEntry) => void): unknown;
}

export interface StratumBackendOptions {
  /** Called with each block a share completed and the chain accepted (gossip it from here). */
  onBlock?: (block: Block, result: AcceptResult) => void;
}

/**
 * The stratum server's backend on a node's chain: Equihash checks with the network's parameters,
 * and blocks submitted through `chain.acceptBlock`. A block counts as accepted when it connected
 * or was stored on a side branch (it lost a race but is valid); otherwise the reason is the rule it
 * broke or what happened to it (`duplicate`, `orphan`).
 */
export function stratumBackendFor(
  chain: Pick<StratumChain, 'acceptBlock'>,
  params: ConsensusParams,
  opts: StratumBackendOptions = {},
): StratumBackend {
  return {
    verifySolution: (header, height) => verifyHeaderSolution(header, height, params),
    headerHash,
    submitBlock: async (block) => {
      const result = await chain.acceptBlock(block);
      if (result.status === 'connected' || result.status === 'side-branch') {
        opts.onBlock?.(block, result);
        return { accepted: true };
      }
      const reason = result.status === 'invalid' ? `${result.rule}: ${result.reason ?? ''}` : result.status;
      return { accepted: false, reason };
    },
  };
}

/** A stratum job for a template: its header with nonce and solution left to the miner. */
export function stratumJobFromTemplate(t: BlockTemplate, id: string): StratumJob {
  return {
    id,
    height: t.height,
    header: t.header,
    blockTarget: t.target,
    assemble: (header) => assembleBlock(t, header),
  };
}

export interface StratumFeedOptions {
  server: Pick<StratumServer, 'setJob'>;
  chain: Pick<StratumChain, 'tip' | 'on' | 'off'>;
  /** Builds a template on the current tip (buildBlockTemplate with the node's mempool and payees). */
  build: () => BlockTemplate;
  /** Send a fresh (not clean) job this often for new transactions and time; default 30 s, 0 = never. */
  refreshMs?: number;
  onError?: (err: Error) => void;
}

export interface StratumFeed {
  /** Builds and sends a job now; `clean` tells miners to drop older work. */
  push(clean: boolean): StratumJob | undefined;
  stop(): void;
}

/**
 * Keeps a stratum server supplied with jobs from the node's templates: a clean job on every new
 * tip (old work can no longer win), and a refreshed one every `refreshMs` on the same tip.
 */
export function feedStratum(opts: StratumFeedOptions): StratumFeed {
  let seq = 0;
  let lastTip = opts.chain.tip().id;
  const push = (clean: boolean): StratumJob | undefined => {
    try {
      const t = opts.build();
      seq = (seq + 1) % 0x1_0000_0000;
      const job = stratumJobFromTemplate(t, seq.toString(16));
      opts.server.setJob(job, clean);
      return job;
    } catch (err) {
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      return undefined;
    }
  };
  const onTip = (entry: ChainEntry) => {
    lastTip = entry.id;
    push(true);
  };
  opts.chain.on('tip', onTip);
  const refreshMs = opts.refreshMs ?? 30_000;
  const timer =
    refreshMs > 0
      ? setInterval(() => {
          push(opts.chain.tip().id !== lastTip);
          lastTip = opts.chain.tip().id;
        }, refreshMs)
      : undefined;
  timer?.unref();
  push(true);
  return {
    push,
    stop: () => {
      opts.chain.off('tip', onTip);
      if (timer) clearInterval(timer);
    },
  };
}
