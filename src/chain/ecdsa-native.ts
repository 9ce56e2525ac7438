/**
 * Chooses the libsecp256k1 build this thread checks signatures with: the native addon of the
 * `secp256k1` package (N-API, prebuilt or compiled at install) where it loads, otherwise the
 * WebAssembly build consensus falls back to. This is the one place that reads
 * FLUXNODE_SECP256K1 ('wasm' forces the fallback, 'native' makes a missing addon an error);
 * consensus itself stays free of environment and I/O and only receives the backend.
 */
import { createRequire } from 'node:module';
import { type EcdsaBackend, useEcdsaBackend, WASM_ECDSA } from '../consensus/index.ts';

/** The raw addon methods we call; each returns libsecp256k1's status code (0 = ok). */
interface Secp256k1Addon {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubKey: Uint8Array): number;
  ecdsaRecover(output: Uint8Array, sig: Uint8Array, recid: number, msg32: Uint8Array): number;
}

/** The native addon, or undefined when the package or its compiled binary is absent. */
function loadAddon(): Secp256k1Addon | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('secp256k1/package.json');
    const build = createRequire(manifest)('node-gyp-build') as (dir: string) => {
      Secp256k1: new () => Secp256k1Addon;
    };
    return new (build(manifest.slice(0, -'/package.json'.length)).Secp256k1)();
  } catch {
    return undefined;
  }
}

function nativeBackend(addon: Secp256k1Addon): EcdsaBackend {
  return {
    name: 'native',
    // Status 0 is a valid signature; 1–3 are an unparsable signature or key, or a bad one. The
    // addon throws only on wrongly sized arrays, which consensus never passes; still "not valid".
    verify(digest, pubKey, signature64) {
      try {
        return addon.ecdsaVerify(signature64, digest, pubKey) === 0;
      } catch {
        return false;
      }
    },
    recover(digest, signature64, recid, compressed) {
      const out = new Uint8Array(compressed ? 33 : 65);
      try {
        return addon.ecdsaRecover(out, signature64, recid, digest) === 0 ? out : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Install the backend for the calling thread and return it. `choice` defaults to
 * FLUXNODE_SECP256K1: 'wasm' | 'native' | unset (native when it loads).
 */
export function installEcdsaBackend(choice = process.env.FLUXNODE_SECP256K1): EcdsaBackend {
  if (choice !== undefined && choice !== '' && choice !== 'wasm' && choice !== 'native') {
    throw new Error(`FLUXNODE_SECP256K1 must be 'wasm' or 'native', got '${choice}'`);
  }
  const addon = choice === 'wasm' ? undefined : loadAddon();
  if (!addon && choice === 'native') {
    throw new Error('FLUXNODE_SECP256K1=native but the secp256k1 native addon did not load');
  }
  const backend = addon ? nativeBackend(addon) : WASM_ECDSA;
  useEcdsaBackend(backend);
  return backend;
}
