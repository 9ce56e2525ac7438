/**
 * Caps on the TCP connections one server takes: at most `maxTotal` at once, at most
 * `maxPerAddress` from one client address, and a client that sends nothing for `idleMs` is hung
 * up on. Connections over a cap are closed as they arrive, before a byte is read. Every socket
 * server of the node (stratum, the public API with its WebSockets, JSON-RPC) keeps one; it lives
 * in p2p/ as the lowest networking layer, under mining/ and api/ which use it.
 */
import type { Server, Socket } from 'node:net';

export interface ConnectionLimits {
  maxTotal: number;
  maxPerAddress: number;
  /** Hang up after this long without data from the client; 0 = never. */
  idleMs: number;
}

export interface ConnectionCounts {
  open: number;
  refusedTotal: number;
  refusedPerAddress: number;
  idleClosed: number;
}

export class ConnectionGuard {
  readonly limits: ConnectionLimits;
  readonly #byAddress = new Map<string, number>();
  readonly counts: ConnectionCounts = { open: 0, refusedTotal: 0, refusedPerAddress: 0, idleClosed: 0 };

  constructor(limits: ConnectionLimits) {
    this.limits = limits;
  }

  /** Watches every connection `server` accepts (listen first for 'connection', then serve). */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** Takes or refuses one socket; false when it was closed for a cap. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '?';
    const mine = this.#byAddress.get(address) ?? 0;
    if (this.counts.open >= this.limits.maxTotal) return this.#refuse(socket, 'refusedTotal');
    if (mine >= this.limits.maxPerAddress) return this.#refuse(socket, 'refusedPerAddress');
    this.counts.open++;
    this.#byAddress.set(address, mine + 1);
    socket.once('close', () => this.#release(address));
    if (this.limits.idleMs > 0) this.#closeWhenIdle(socket);
    return true;
  }

  #refuse(socket: Socket, why: 'refusedTotal' | 'refusedPerAddress'): false {
    this.counts[why]++;
    socket.on('error', () => {});
    socket.destroy();
    return false;
  }

  #release(address: string): void {
    this.counts.open--;
    const left = (this.#byAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#byAddress.set(address, left);
    else this.#byAddress.delete(address);
  }

  /** Only what the client sends counts as activity: what we write to a silent client does not. */
  #closeWhenIdle(socket: Socket): void {
    const timer = setTimeout(() => {
      this.counts.idleClosed++;
      socket.destroy();
    }, this.limits.idleMs);
    timer.unref();
    socket.on('data', () => timer.refresh());
    socket.once('close', () => clearTimeout(timer));
  }
}
