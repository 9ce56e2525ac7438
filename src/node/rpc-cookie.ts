import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Without configured credentials, the node makes a fresh password at each start and writes
 * `user:password` to <dataDir>/.cookie (readable by its owner only), as bitcoind and fluxd do;
 * local tools read it from there.
 */
export function writeRpcCookie(dataDir: string): { user: string; password: string } {
  const password = randomBytes(24).toString('hex');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, '.cookie'), `__cookie__:${password}`, { mode: 0o600 });
  return { user: '__cookie__', password };
}
