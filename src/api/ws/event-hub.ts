import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChainEntry } from '../../chain/index.ts';
import { jsonReplacer } from '../json.ts';
import type { Block } from '../../consensus/index.ts';
import { BlockSummaries } from '../rest/chain-routes.ts';
import { confirmedByTier } from '../rest/node-view.ts';
import type { RestContext } from '../rest/providers.ts';
import type { ApiEvent } from '../rest/types.ts';
import {
  diffNodes,
  diffPlacements,
  nodeSnapshot,
  type NodeSnapshot,
  placementSnapshot,
  type PlacementSnapshot,
} from './snapshots.ts';

export interface WebSocketOptions {
  /** Path clients connect to; other upgrade requests are refused. */
  path?: string;
  /** How often app placements are compared when the provider cannot tell us (ms); 0 = never. */
  pollMs?: number;
  /** Share the REST routes' summary cache. */
  blocks?: BlockSummaries;
  /** A client whose unsent data exceeds this is skipped until it catches up. */
  maxBufferedBytes?: number;
  /** Clients at once (default 1000), and from one address (default 16); more get 503 at the upgrade. */
  maxClients?: number;
  maxClientsPerAddress?: number;
}

export interface EventHub {
  readonly clients: number;
  /** Sends an event to every connected client. */
  broadcast(event: ApiEvent): void;
  /** Compares nodes and placements now and sends what changed (also runs after every block). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Live events on `GET /ws` (WebSocket): `hello` on connect, `block` for every block joining the
 * active chain (summary with payouts and confirmed nodes per tier), `nodes` when nodes are added,
 * removed or change status or address, `placements` when an app's instances move or change state.
 * Clients only listen; anything they send is ignored.
 */
export function attachWebSocket(server: Server, ctx: RestContext, opts: WebSocketOptions = {}): EventHub {
  const path = opts.path ?? '/ws';
  const maxBuffered = opts.maxBufferedBytes ?? 1_000_000;
  const blocks = opts.blocks ?? new BlockSummaries(ctx);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  let nodes: NodeSnapshot = nodeSnapshot(ctx.registry().list());
  let placements: PlacementSnapshot | undefined;
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  const send = (ws: WebSocket, event: ApiEvent) => {
    if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount <= maxBuffered)
      ws.send(JSON.stringify(event, jsonReplacer));
  };
  const broadcast = (event: ApiEvent) => {
    for (const ws of wss.clients) send(ws, event);
  };
  const enqueue = (job: () => void | Promise<void>) => {
    queue = queue.then(job).catch(() => {});
    return queue;
  };

  const checkNodes = () => {
    const next = nodeSnapshot(ctx.registry().list());
    const changes = diffNodes(nodes, next);
    nodes = next;
    if (changes.length)
      broadcast({
        type: 'nodes',
        data: { height: ctx.chain.height(), byTier: confirmedByTier(ctx.registry().list()), changes },
      });
  };
  const checkPlacements = async () => {
    if (!ctx.apps) return;
    const next = placementSnapshot(await ctx.apps.list());
    const prev = placements;
    placements = next;
    if (!prev) return;
    const changes = diffPlacements(prev, next);
    if (changes.length) broadcast({ type: 'placements', data: { height: ctx.chain.height(), changes } });
  };
  const check = () =>
    enqueue(async () => {
      checkNodes();
      await checkPlacements();
    });

  const onConnect = (_block: Block, e: ChainEntry) => {
    void enqueue(async () => {
      if (wss.clients.size > 0) {
        const summary = blocks.of(e);
        broadcast({ type: 'block', data: { ...summary, nodes: confirmedByTier(ctx.registry().list()) } });
      }
      checkNodes();
      await checkPlacements();
    });
  };
  ctx.chain.on('connect', onConnect);
  const unsubscribeApps = ctx.apps?.onChange?.(() => void check());
  void check();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgraded socket over without its error listener: a reset here must not throw.
    socket.on('error', () => socket.destroy());
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== path || closed) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const address = req.socket.remoteAddress ?? '?';
    if (
      wss.clients.size >= (opts.maxClients ?? 1000) ||
      (perAddress.get(address) ?? 0) >= (opts.maxClientsPerAddress ?? 16)
    ) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  const perAddress = new Map<string, number>();
  server.on('upgrade', onUpgrade);

  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (ws) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => ws.terminate());
    const tip = ctx.chain.tip();
    send(ws, { type: 'hello', data: { height: tip.height, hash: tip.id, network: ctx.params.network } });
  });
  // Drops clients that stopped answering pings (a phone that went to sleep, a cut connection).
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();
  const poll = opts.pollMs === 0 ? undefined : setInterval(() => void check(), opts.pollMs ?? 5_000);
  poll?.unref();

  return {
    get clients() {
      return wss.clients.size;
    },
    broadcast,
    check,
    async close() {
      closed = true;
      clearInterval(heartbeat);
      if (poll) clearInterval(poll);
      ctx.chain.off('connect', onConnect);
      unsubscribeApps?.();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await queue;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
