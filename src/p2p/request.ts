/**
 * The request/response vocabulary shared by the host and the protocols that use it (discovery,
 * mempool sync): what a handler is and what a caller may bound. Kept apart from host.ts so that
 * those protocols need not import the host (and the host can import them).
 */

/** Answers one request from peer `from` with zero or more reply items. */
export type RequestHandler = (request: Uint8Array, from: string) => Promise<Uint8Array[]> | Uint8Array[];

/** Bounds on one request's reply. */
export interface RequestOptions {
  timeoutMs?: number;
  /** Most items the reply may carry (default 10,000). */
  maxItems?: number;
  /** Most bytes all items together may carry (default 64 MB). */
  maxBytes?: number;
}
