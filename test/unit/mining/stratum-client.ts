/**
 * A minimal ZIP-301 stratum client for tests: line-delimited JSON over TCP, replies matched by
 * id, notifications queued until a test takes them.
 */
import { connect, type Socket } from 'node:net';
import { at } from '../../support/at.ts';

export interface StratumReply {
  id: number | null;
  result: unknown;
  error: [number, string, unknown] | null;
}

export interface StratumNotification {
  method: string;
  params: unknown[];
}

export class StratumTestClient {
  private readonly socket: Socket;
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, (r: StratumReply) => void>();
  private readonly notes: StratumNotification[] = [];
  private noteWaiters: { method: string; resolve: (n: StratumNotification) => void }[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl = this.buffer.indexOf('\n');
      while (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim()) this.onMessage(JSON.parse(line));
        nl = this.buffer.indexOf('\n');
      }
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<StratumTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new StratumTestClient(s)));
      s.once('error', reject);
    });
  }

  private onMessage(
    msg: { id: number | null; method?: string; params?: unknown[] } & Partial<StratumReply>,
  ): void {
    if (msg.method) {
      const note = { method: msg.method, params: msg.params ?? [] };
      const i = this.noteWaiters.findIndex((w) => w.method === note.method);
      if (i >= 0) {
        at(this.noteWaiters.splice(i, 1), 0).resolve(note);
      } else {
        this.notes.push(note);
      }
      return;
    }
    if (typeof msg.id === 'number') {
      const done = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      done?.({ id: msg.id, result: msg.result, error: msg.error ?? null });
    }
  }

  call(method: string, params: unknown[]): Promise<StratumReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** The oldest queued notification of `method`, or the next one to arrive. */
  next(method: string, timeoutMs = 5_000): Promise<StratumNotification> {
    const i = this.notes.findIndex((n) => n.method === method);
    if (i >= 0) return Promise.resolve(at(this.notes.splice(i, 1), 0));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.noteWaiters = this.noteWaiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (n: StratumNotification) => {
        clearTimeout(timer);
        resolve(n);
      };
      this.noteWaiters.push({ method, resolve: done });
    });
  }

  /** Drops queued notifications of `method`. */
  drain(method: string): void {
    for (let i = this.notes.length - 1; i >= 0; i--)
      if (at(this.notes, i).method === method) this.notes.splice(i, 1);
  }

  close(): void {
    this.socket.destroy();
  }
}
