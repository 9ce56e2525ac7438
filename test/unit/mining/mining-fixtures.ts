/**
 * Shared pieces of the mining tests: fluxnode payees with real P2PKH payout scripts and chains
 * opened in temporary folders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../../../src/chain/chain.ts';
import type { DefaultValidatorOptions } from '../../../src/chain/default-validator.ts';
import type { Payee } from '../../../src/chain/fluxnodes/types.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import type { ConsensusParams } from '../../../src/consensus/params/index.ts';
import { p2pkhScript, p2shScript } from '../../../src/consensus/script/templates.ts';

/** OP_TRUE as a redeem script: P2SH outputs anyone can spend with a standard-looking script. */
export const ANYONE_REDEEM = Uint8Array.of(0x51);
export const ANYONE_P2SH = p2shScript(hash160(ANYONE_REDEEM));
export const MINER_SCRIPT = p2pkhScript(new Uint8Array(20).fill(0xa1));

function payee(tier: Payee['tier'], fill: number): Payee {
  return {
    tier,
    collateral: `${fill.toString(16).padStart(2, '0').repeat(32)}:0`,
    payoutScript: toHex(p2pkhScript(new Uint8Array(20).fill(fill))),
  };
}

/** One payee per tier. */
export const PAYEES: Payee[] = [payee('cumulus', 0xc1), payee('nimbus', 0xc2), payee('stratus', 0xc3)];
/** Same tiers, other nodes. */
export const OTHER_PAYEES: Payee[] = [payee('cumulus', 0xd1), payee('nimbus', 0xd2), payee('stratus', 0xd3)];

export function tempDir(prefix = 'fluxnode-mining-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Opens a chain with the network's full rules (switches in `options`). Its fluxnode registry is
 * empty, so no tier payee is required: templates may lay out any payees (PAYEES) and connect; the
 * payee rule itself is tested against a real registry in test/unit/chain/complete-validator.test.ts.
 */
export function openMiningChain(
  dir: string,
  params: ConsensusParams,
  options: DefaultValidatorOptions = {},
  now?: () => number,
): Promise<Chain> {
  return Chain.open(dir, params, { validation: options, now });
}
