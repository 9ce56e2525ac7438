/**
 * The heartbeat heads whose signatures this node checked, one per node: a heartbeat that arrives
 * under the same head bytes (signature included) needs no signature check, only its hash-chain
 * link. Bounded by the number of nodes it may hold; `signatureChecks` counts the checks that passed.
 */
export class HeadCache {
  readonly #heads = new Map<string, Uint8Array>();
  readonly #max: number;
  signatureChecks = 0;

  constructor(maxNodes = 20_000) {
    this.#max = maxNodes;
  }

  known(node: string, head: Uint8Array): boolean {
    const seen = this.#heads.get(node);
    if (!seen || seen.length !== head.length) return false;
    for (let i = 0; i < head.length; i++) if (seen[i] !== head[i]) return false;
    return true;
  }

  /** A head whose signature was just checked (and found good). */
  remember(node: string, head: Uint8Array): void {
    this.signatureChecks++;
    if (!this.#heads.has(node) && this.#heads.size >= this.#max) {
      const oldest = this.#heads.keys().next().value;
      if (oldest !== undefined) this.#heads.delete(oldest);
    }
    this.#heads.delete(node);
    this.#heads.set(node, Uint8Array.from(head));
  }
}
