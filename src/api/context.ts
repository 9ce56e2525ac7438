import type {
  AcceptResult,
  Chain,
  FluxnodeRegistry,
  Mempool,
  PoolEntry,
  TxIndexExtension,
} from '../chain/index.ts';
import type { Block, ConsensusParams, Transaction } from '../consensus/index.ts';

/** What the API layer sees of a running node. Every handler reads through this, never globals. */
export interface NodeContext {
  params: ConsensusParams;
  chain: Chain;
  mempool: Mempool;
  txIndex: TxIndexExtension;
  registry: () => FluxnodeRegistry;
  /** Validates, pools and relays a transaction; throws ConsensusError naming the rule. */
  acceptTransaction: (tx: Transaction) => Promise<PoolEntry>;
  /** Accepts a block (from RPC or the miner) and announces it when it joins the chain. */
  submitBlock: (block: Block) => Promise<AcceptResult>;
  peers: () => { id: string; addr: string }[];
  /** IP addresses the operator banned from p2p (setban/listbanned/clearbanned). */
  bans?: {
    add: (ip: string) => Promise<void>;
    remove: (ip: string) => boolean;
    list: () => string[];
  };
  startedAt: number;
  version: string;
}
