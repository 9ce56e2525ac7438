import { toHex, TIERS } from '../../consensus/index.ts';
import {
  EconomyError,
  requireHeight,
  requireNonEmpty,
  requirePositiveAmount,
  requireTime,
} from '../errors.ts';
import type { MinedOutput, OperatorPayout } from '../inputs.ts';
import { isEligiblePayout, parallelUnits } from './accrual.ts';
import {
  ACCRUAL_EPOCH,
  findAsset,
  isLaunched,
  PARALLEL_ASSETS,
  type ParallelAsset,
  validateRegistry,
} from './assets.ts';
import {
  type ClaimFields,
  type ClaimRequest,
  claimId,
  claimMessage,
  type VerifySignature,
} from './claim-message.ts';
import { encodeClaimLeaf, merkleHash, merkleProof, merkleRoot } from './merkle.ts';
import { parseTargetAddress } from './target-address.ts';
import { must } from '../../consensus/index.ts';
import type {
  AssetBook,
  AssetPosition,
  ClaimProof,
  ClaimRecord,
  ClaimSnapshot,
  ParallelLedgerOptions,
} from './ledger-types.ts';

export { decodeClaimLeaf, verifyClaimProof } from './claim-proof.ts';
export type {
  AccrualStatus,
  AssetPosition,
  ClaimProof,
  ClaimRecord,
  ClaimSnapshot,
  ParallelLedgerOptions,
} from './ledger-types.ts';

/**
 * Parallel-asset accrual and claims. Every fluxnode payment counted under the start rule adds
 * its satoshis to the payout address's basis; every asset owes 0.1 × basis in its own units.
 * Launched assets are claimable at once, others show as pending until their launch.
 */
export class ParallelLedger {
  readonly registry: readonly ParallelAsset[];
  readonly epoch: number;
  private readonly verify: VerifySignature;
  private readonly basis = new Map<string, bigint>();
  private readonly seenPayouts = new Set<string>();
  private readonly books = new Map<string, AssetBook>();
  private readonly claimIndex = new Map<string, { assetId: string; position: number }>();
  private eligibleSat = 0n;
  private ineligibleSat = 0n;

  constructor(options: ParallelLedgerOptions) {
    this.registry = options.registry ?? PARALLEL_ASSETS;
    validateRegistry(this.registry);
    this.epoch = options.epoch ?? ACCRUAL_EPOCH;
    this.verify = options.verifySignature;
    for (const asset of this.registry) {
      this.books.set(asset.id, {
        asset,
        claimed: new Map(),
        nonces: new Map(),
        claims: [],
        snapshotted: 0,
        snapshots: [],
        leaves: [],
        allocated: new Map(),
      });
    }
  }

  /** Counts one coinbase payment. Returns whether it fell inside the accrual window. */
  applyPayout(p: OperatorPayout): boolean {
    requireHeight(p.height);
    requireTime(p.time, 'time');
    requireTime(p.nodeStartTime, 'nodeStartTime');
    requireNonEmpty(p.txid, 'txid');
    requireNonEmpty(p.collateral, 'collateral');
    requireNonEmpty(p.payoutAddress, 'payoutAddress');
    requirePositiveAmount(p.amount, 'amount');
    if (!TIERS.includes(p.tier))
      throw new EconomyError('bad-tier', 'unknown tier', { field: 'tier', value: p.tier });
    const key = `${p.txid}:${p.collateral}`;
    if (this.seenPayouts.has(key)) {
      throw new EconomyError('duplicate-payout', `payment ${key} already counted`, {
        field: 'txid',
        value: key,
      });
    }
    this.seenPayouts.add(key);
    if (!isEligiblePayout(p, this.epoch)) {
      this.ineligibleSat += p.amount;
      return false;
    }
    this.basis.set(p.payoutAddress, (this.basis.get(p.payoutAddress) ?? 0n) + p.amount);
    this.eligibleSat += p.amount;
    return true;
  }

  /**
   * Counts one coinbase output paid to the block's miner: miners accrue as node operators do, from
   * the accrual epoch on. Returns whether it fell inside the accrual window.
   */
  applyMined(m: MinedOutput): boolean {
    requireHeight(m.height);
    requireTime(m.time, 'time');
    requireNonEmpty(m.address, 'address');
    requirePositiveAmount(m.amount, 'amount');
    const key = `${m.txid}:mined:${m.vout}`;
    if (this.seenPayouts.has(key))
      throw new EconomyError('duplicate-payout', `mined output ${key} already counted`, {
        field: 'txid',
        value: key,
      });
    this.seenPayouts.add(key);
    if (m.time < this.epoch) {
      this.ineligibleSat += m.amount;
      return false;
    }
    this.basis.set(m.address, (this.basis.get(m.address) ?? 0n) + m.amount);
    this.eligibleSat += m.amount;
    return true;
  }

  /** Adds units of one asset to an address outright (a holder snapshot's allocation). */
  allocate(assetId: string, address: string, units: bigint): void {
    const book = this.book(assetId);
    requireNonEmpty(address, 'address');
    requirePositiveAmount(units, 'units');
    book.allocated.set(address, (book.allocated.get(address) ?? 0n) + units);
  }

  /**
   * Every address's position in one asset, summed: what the supply figures show per asset. Floors
   * are taken per address, as claims see them.
   */
  assetTotals(
    assetId: string,
    now: number,
  ): { accrued: bigint; claimed: bigint; claimable: bigint; pending: bigint } {
    const book = this.book(assetId);
    const t = { accrued: 0n, claimed: 0n, claimable: 0n, pending: 0n };
    const addresses = new Set([...this.basis.keys(), ...book.allocated.keys(), ...book.claimed.keys()]);
    for (const address of addresses) {
      const p = this.position(address, assetId, now);
      t.accrued += p.accrued;
      t.claimed += p.claimed;
      t.claimable += p.claimable;
      t.pending += p.pending;
    }
    return t;
  }

  /** Satoshis of an address's eligible fluxnode earnings and mined outputs. */
  basisOf(address: string): bigint {
    return this.basis.get(address) ?? 0n;
  }

  addresses(): string[] {
    return [...this.basis.keys()];
  }

  totals(): { eligibleSat: bigint; ineligibleSat: bigint; payouts: number } {
    return {
      eligibleSat: this.eligibleSat,
      ineligibleSat: this.ineligibleSat,
      payouts: this.seenPayouts.size,
    };
  }

  position(address: string, assetId: string, now: number): AssetPosition {
    const book = this.book(assetId);
    const accrued =
      parallelUnits(this.basisOf(address), book.asset.decimals) + (book.allocated.get(address) ?? 0n);
    const claimed = book.claimed.get(address) ?? 0n;
    // Restored claims may exceed an accrual a reorg shrank: nothing is open then, never less.
    const open = accrued > claimed ? accrued - claimed : 0n;
    const launched = isLaunched(book.asset, now);
    return {
      assetId,
      status: launched ? 'claimable' : 'pending',
      accrued,
      claimed,
      claimable: launched ? open : 0n,
      pending: launched ? 0n : open,
      nextNonce: book.nonces.get(address) ?? 0,
    };
  }

  positions(address: string, now: number): AssetPosition[] {
    return this.registry.map((a) => this.position(address, a.id, now));
  }

  /**
   * Accepts a claim signed as a message by the payout address's key, at chain time `now` (the
   * library form; on chain a claim is authorized by its transaction's signature, see checkClaim).
   */
  claim(request: ClaimRequest, now: number): ClaimRecord {
    const record = this.checkClaim(request, now, () => {
      if (!this.verify(request.sourceAddress, claimMessage(request), request.signature)) {
        throw new EconomyError('bad-claim-signature', `not signed by the key of ${request.sourceAddress}`, {
          field: 'signature',
          value: request.signature,
        });
      }
    });
    this.restoreClaim(record);
    return record;
  }

  /**
   * Checks a claim at chain time `now` and returns the record it would make, changing nothing. In
   * order: the asset exists and has launched, the target address is valid for its chain, the nonce
   * is the next one (an earlier one is a replay), `authorize` (the caller's proof that the source's
   * key asked for it) passes, and the amount is at most what is claimable.
   */
  checkClaim(request: ClaimFields, now: number, authorize: () => void = () => {}): ClaimRecord {
    const book = this.book(request.assetId);
    requireTime(now, 'now');
    if (!isLaunched(book.asset, now)) {
      throw new EconomyError(
        'asset-not-launched',
        `${book.asset.id} has not launched; its accrual is pending`,
        {
          field: 'assetId',
          value: request.assetId,
        },
      );
    }
    requireNonEmpty(request.sourceAddress, 'sourceAddress');
    const target = parseTargetAddress(book.asset.family, request.targetAddress);
    if (typeof request.amount !== 'bigint' || request.amount <= 0n) {
      throw new EconomyError('bad-claim-amount', 'amount must be a positive bigint of asset units', {
        field: 'amount',
        value: request.amount,
      });
    }
    const expected = book.nonces.get(request.sourceAddress) ?? 0;
    if (request.nonce !== expected) {
      const replay = Number.isInteger(request.nonce) && request.nonce < expected;
      throw new EconomyError(
        replay ? 'claim-replayed' : 'bad-claim-nonce',
        replay ? `claim nonce ${request.nonce} was already used` : `expected nonce ${expected}`,
        { field: 'nonce', value: request.nonce },
      );
    }
    const id = claimId(request);
    if (this.claimIndex.has(id))
      throw new EconomyError('claim-replayed', `claim ${id} already made`, { field: 'id', value: id });
    authorize();
    const { claimable } = this.position(request.sourceAddress, request.assetId, now);
    if (request.amount > claimable) {
      throw new EconomyError('claim-exceeds-balance', `claimable is ${claimable}`, {
        field: 'amount',
        value: request.amount,
      });
    }
    return {
      id,
      assetId: book.asset.id,
      sourceAddress: request.sourceAddress,
      targetAddress: target.text,
      amount: request.amount,
      nonce: request.nonce,
      time: now,
    };
  }

  /**
   * Puts back a claim this ledger accepted earlier (a node reloading its stored claims), without the
   * balance and signature checks: what was accepted stays accepted, even if a reorg has since shrunk
   * the accrual it was checked against. Claims must come back in their original order.
   */
  restoreClaim(record: ClaimRecord): void {
    const book = this.book(record.assetId);
    requireNonEmpty(record.id, 'id');
    requireNonEmpty(record.sourceAddress, 'sourceAddress');
    requirePositiveAmount(record.amount, 'amount');
    requireTime(record.time, 'time');
    const expected = book.nonces.get(record.sourceAddress) ?? 0;
    if (record.nonce !== expected) {
      throw new EconomyError('bad-claim-nonce', `restoring out of order: expected nonce ${expected}`, {
        field: 'nonce',
        value: record.nonce,
      });
    }
    if (this.claimIndex.has(record.id))
      throw new EconomyError('claim-replayed', `claim ${record.id} already restored`, {
        field: 'id',
        value: record.id,
      });
    book.claimed.set(record.sourceAddress, (book.claimed.get(record.sourceAddress) ?? 0n) + record.amount);
    book.nonces.set(record.sourceAddress, expected + 1);
    this.claimIndex.set(record.id, { assetId: book.asset.id, position: book.claims.length });
    book.claims.push({ ...record });
  }

  claims(assetId: string): readonly ClaimRecord[] {
    return this.book(assetId).claims;
  }

  /** Seals every claim of one asset not yet in a snapshot into a new Merkle root. */
  snapshot(assetId: string, time: number): ClaimSnapshot {
    const book = this.book(assetId);
    requireTime(time, 'time');
    const batch = book.claims.slice(book.snapshotted);
    if (batch.length === 0)
      throw new EconomyError('nothing-to-snapshot', `no new ${assetId} claims`, {
        field: 'assetId',
        value: assetId,
      });
    const number = book.snapshots.length;
    const hash = merkleHash(book.asset.merkleHash);
    const leaves = batch.map((c, index) =>
      hash(
        encodeClaimLeaf({
          snapshot: number,
          index,
          amount: c.amount,
          address: parseTargetAddress(book.asset.family, c.targetAddress).bytes,
        }),
      ),
    );
    const snap: ClaimSnapshot = {
      assetId,
      snapshot: number,
      time,
      hash: book.asset.merkleHash,
      root: toHex(merkleRoot(hash, leaves)),
      leafCount: leaves.length,
      total: batch.reduce((s, c) => s + c.amount, 0n),
      claimIds: batch.map((c) => c.id),
    };
    book.snapshots.push(snap);
    book.leaves.push(leaves);
    book.snapshotted = book.claims.length;
    return snap;
  }

  snapshots(assetId: string): readonly ClaimSnapshot[] {
    return this.book(assetId).snapshots;
  }

  /** The proof a contract needs to pay one claim; null while the claim awaits its snapshot. */
  proof(id: string): ClaimProof | null {
    const at = this.claimIndex.get(id);
    if (!at) throw new EconomyError('unknown-claim', `no claim ${id}`, { field: 'id', value: id });
    const book = this.book(at.assetId);
    if (at.position >= book.snapshotted) return null;
    let first = 0;
    for (const snap of book.snapshots) {
      if (at.position < first + snap.leafCount) {
        const index = at.position - first;
        const record = must(book.claims[at.position], 'an indexed claim');
        const leaf = encodeClaimLeaf({
          snapshot: snap.snapshot,
          index,
          amount: record.amount,
          address: parseTargetAddress(book.asset.family, record.targetAddress).bytes,
        });
        const siblings = merkleProof(
          merkleHash(snap.hash),
          must(book.leaves[snap.snapshot], 'the leaves of a snapshot'),
          index,
        );
        return {
          assetId: snap.assetId,
          snapshot: snap.snapshot,
          index,
          leafCount: snap.leafCount,
          hash: snap.hash,
          leaf: toHex(leaf),
          siblings: siblings.map(toHex),
          root: snap.root,
        };
      }
      first += snap.leafCount;
    }
    throw new EconomyError('unknown-claim', `claim ${id} not found in snapshots`);
  }

  private book(assetId: string): AssetBook {
    findAsset(this.registry, assetId);
    return this.books.get(assetId)!;
  }
}
