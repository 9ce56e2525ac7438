/**
 * The shapes of Flux's wire objects. Hashes (prev block, merkle root, txids) are kept in internal
 * byte order, exactly as serialized; display them with `reverseHex`. Amounts are satoshis (bigint).
 * These are plain data: encode/decode live in the files beside this one.
 */

export interface BlockHeader {
  version: number;
  prevHash: Uint8Array; // 32
  merkleRoot: Uint8Array; // 32
  /** Final Sapling root after Acadia; reserved (zeros) before. */
  finalSaplingRoot: Uint8Array; // 32
  time: number;
  bits: number;
  nonce: Uint8Array; // 32
  solution: Uint8Array;
}

export interface Block {
  header: BlockHeader;
  txs: Transaction[];
}

export interface OutPoint {
  txid: Uint8Array; // 32, internal order
  index: number;
}

export interface TxIn {
  prevout: OutPoint;
  scriptSig: Uint8Array;
  sequence: number;
}

export interface TxOut {
  value: bigint;
  scriptPubKey: Uint8Array;
}

/** Sprout JoinSplit description; `proof` is 296 bytes (PHGR, v2–v3) or 192 (Groth16, v4). */
export interface JoinSplitDescription {
  vpubOld: bigint;
  vpubNew: bigint;
  anchor: Uint8Array;
  nullifiers: [Uint8Array, Uint8Array];
  commitments: [Uint8Array, Uint8Array];
  ephemeralKey: Uint8Array;
  randomSeed: Uint8Array;
  macs: [Uint8Array, Uint8Array];
  proof: Uint8Array;
  ciphertexts: [Uint8Array, Uint8Array]; // 601 each
}

/** Sapling spend (v4): cv, anchor, nullifier, rk (32 each), zkproof (192), spendAuthSig (64). */
export interface SpendDescription {
  cv: Uint8Array;
  anchor: Uint8Array;
  nullifier: Uint8Array;
  rk: Uint8Array;
  zkproof: Uint8Array;
  spendAuthSig: Uint8Array;
}

/** Sapling output (v4): cv, cmu, ephemeralKey (32 each), encCiphertext (580), outCiphertext (80), zkproof (192). */
export interface OutputDescription {
  cv: Uint8Array;
  cmu: Uint8Array;
  ephemeralKey: Uint8Array;
  encCiphertext: Uint8Array;
  outCiphertext: Uint8Array;
  zkproof: Uint8Array;
}

/** Fluxnode transaction types, as fluxd numbers them in the tx's nType byte. */
export const FLUXNODE_START = 2;
export const FLUXNODE_CONFIRM = 4;

/**
 * Flux's special transactions (tx version 5, or 6 with a P2SH collateral variant) that register
 * and confirm a fluxnode. They carry no inputs or outputs and pay no fee.
 */
export interface FluxnodeTx {
  type: typeof FLUXNODE_START | typeof FLUXNODE_CONFIRM;
  /** v6 only: the inner Flux tx version (normal or P2SH). */
  fluxTxVersion?: number;
  collateral: OutPoint;
  /** START: the key that owns the collateral output. */
  collateralPubKey?: Uint8Array;
  /** START: the operator (node) key that signs CONFIRMs and heartbeats. */
  pubKey?: Uint8Array;
  /** START with a P2SH collateral (v6). */
  redeemScript?: Uint8Array;
  sigTime: number;
  sig: Uint8Array;
  /** CONFIRM fields. */
  benchmarkTier?: number;
  benchmarkSigTime?: number;
  updateType?: number;
  ip?: string;
  benchmarkSig?: Uint8Array;
  /** v6 START whose fluxTxVersion carries the delegates feature bit (0x0100): the flag that follows. */
  usingDelegates?: boolean;
  /** ...and the delegate data, present when `usingDelegates` is true. */
  delegates?: FluxnodeDelegates;
}

/** Delegate keys allowed to sign a node's START (fluxd's CFluxnodeDelegates; later than 2022). */
export interface FluxnodeDelegates {
  /** nDelegateVersion, 1 so far. */
  version: number;
  /** 0 none, 1 update the key list, 2 this START is signed by a delegate. */
  type: number;
  /** Serialized only for version 1 with type 1 (update). */
  keys: Uint8Array[];
}

export interface Transaction {
  /** Low 31 bits of the header word. */
  version: number;
  /** High bit of the header word (v3+ Overwinter framing). */
  overwintered: boolean;
  /** 0 when not overwintered. */
  versionGroupId: number;
  inputs: TxIn[];
  outputs: TxOut[];
  lockTime: number;
  /** 0 when not overwintered. */
  expiryHeight: number;
  /** Sapling (v4) only, else 0n / empty. */
  valueBalance: bigint;
  shieldedSpends: SpendDescription[];
  shieldedOutputs: OutputDescription[];
  /** v2+ only, else empty. */
  joinSplits: JoinSplitDescription[];
  joinSplitPubKey?: Uint8Array;
  joinSplitSig?: Uint8Array;
  bindingSig?: Uint8Array;
  /** Present exactly for fluxnode txs (version 5/6). */
  fluxnode?: FluxnodeTx;
}

export const COIN = 100_000_000n;
