/// <reference lib="dom" />
import type { ApiEvent } from '../../api/index.ts';

type Listener = (ev: ApiEvent) => void;
type StatusListener = (connected: boolean) => void;

/**
 * The node's event stream (/ws), reconnecting with backoff when the connection drops, so a phone
 * that slept or a restarted node picks up again by itself.
 */
export class Live {
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<StatusListener>();
  private retryMs = 500;
  connected = false;

  start(): void {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    ws.onopen = () => {
      this.retryMs = 500;
      this.setConnected(true);
    };
    ws.onmessage = (m) => {
      let ev: ApiEvent;
      try {
        ev = JSON.parse(String(m.data)) as ApiEvent;
      } catch {
        return;
      }
      for (const l of this.listeners) l(ev);
    };
    ws.onclose = () => {
      this.setConnected(false);
      setTimeout(() => this.start(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15_000);
    };
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: StatusListener): void {
    this.statusListeners.add(listener);
    listener(this.connected);
  }

  private setConnected(c: boolean): void {
    this.connected = c;
    for (const l of this.statusListeners) l(c);
  }
}
