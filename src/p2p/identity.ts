import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PrivateKey } from '@libp2p/interface';

/** A node keeps one libp2p identity for life, so peers can recognise (and score) it across restarts. */
export async function loadOrCreatePeerKey(file: string): Promise<PrivateKey> {
  // Loaded here, when a host starts: importing the p2p layer does not load libp2p's crypto.
  const { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } = await import(
    '@libp2p/crypto/keys'
  );
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(readFileSync(file));
    } catch (err) {
      throw new Error(
        `peer identity ${file} is unreadable (${(err as Error).message}); move it away to create a new one`,
      );
    }
  }
  const key = await generateKeyPair('Ed25519');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, privateKeyToProtobuf(key), { mode: 0o600 });
  return key;
}
