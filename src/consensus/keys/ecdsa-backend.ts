/**
 * The seam between consensus and the libsecp256k1 build that checks signatures. Consensus only
 * verifies and recovers through `ecdsaBackend()`; which build runs (native addon or WebAssembly)
 * is chosen outside consensus, by whoever composes the process, through `useEcdsaBackend`. The
 * default is the WebAssembly build, which runs everywhere. Both are libsecp256k1, so the answers
 * are the same; only the speed differs.
 */
import * as wasm from 'tiny-secp256k1';

export interface EcdsaBackend {
  /** 'wasm' or 'native' (shown by benchmarks and the node's startup log). */
  readonly name: string;
  /** A 64-byte low-S (r ‖ s) signature over a 32-byte digest, by a 33/65-byte standard key. */
  verify(digest: Uint8Array, pubKey: Uint8Array, signature64: Uint8Array): boolean;
  /** The key behind a 64-byte recoverable signature, or undefined when none is. */
  recover(
    digest: Uint8Array,
    signature64: Uint8Array,
    recid: 0 | 1 | 2 | 3,
    compressed: boolean,
  ): Uint8Array | undefined;
}

/** libsecp256k1 compiled to WebAssembly (tiny-secp256k1). Throws become "not valid". */
export const WASM_ECDSA: EcdsaBackend = {
  name: 'wasm',
  verify(digest, pubKey, signature64) {
    try {
      return wasm.verify(digest, pubKey, signature64);
    } catch {
      return false;
    }
  },
  recover(digest, signature64, recid, compressed) {
    try {
      return wasm.recover(digest, signature64, recid, compressed) ?? undefined;
    } catch {
      return undefined;
    }
  },
};

let current: EcdsaBackend = WASM_ECDSA;

/** The backend signature checks go through. */
export function ecdsaBackend(): EcdsaBackend {
  return current;
}

/** Switch the backend for this thread (each worker thread installs its own). */
export function useEcdsaBackend(backend: EcdsaBackend): void {
  current = backend;
}
