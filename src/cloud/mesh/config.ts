/**
 * The HAProxy configuration of a node's routing mesh, as text. Pure: the same listeners and
 * options give the same bytes, so "did the config change" is a string comparison and a node
 * reloads HAProxy only when its view of the cloud changed.
 *
 * Shape: one `listen` section per public port, bound on the node's own address, in TCP mode (an
 * app may speak anything over TCP). The node's own instance (at its container's address, see
 * view.ts) is the one normal server; the other
 * instances are `backup` servers with `option allbackups`, so traffic stays on this node while its
 * instance is healthy and spreads over every other healthy instance when it is not. A node with no
 * instance of the app has no own server, so the others are all normal servers, balanced.
 * Health checks are TCP connects every second; two failures mark a server down. A connection that
 * fails is retried once more and may be redispatched to another server, so a client rarely sees
 * an instance die at all.
 */
import type { MeshListener, MeshServer } from './view.ts';

export interface MeshConfigOptions {
  /** The node's own address: every listener binds here. */
  bind: string;
  /** The master's stats socket (unix path): hands the listening sockets to a reloaded worker. */
  socketPath: string;
  /** Health-check interval. */
  checkMs: number;
}

export const DEFAULT_CHECK_MS = 1000;

export function meshConfig(listeners: readonly MeshListener[], o: MeshConfigOptions): string {
  const lines = [
    '# Written by fluxnode (cloud/mesh) from its view of the cloud: rewritten whenever that changes.',
    'global',
    // A reloaded worker takes over the listening sockets instead of binding anew: no refused connection.
    `  stats socket ${o.socketPath} mode 600 level admin expose-fd listeners`,
    // An old worker still carrying long connections after a reload is stopped this long after it.
    '  hard-stop-after 30s',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout check 1s',
    '  retries 2',
    '  option redispatch 1',
    `  default-server inter ${o.checkMs} fastinter ${Math.max(100, o.checkMs / 2)} rise 2 fall 2`,
  ];
  for (const l of listeners) lines.push('', ...listenSection(l, o.bind));
  return `${lines.join('\n')}\n`;
}

function listenSection(l: MeshListener, bind: string): string[] {
  const hasOwn = l.servers.some((s) => s.own);
  return [
    `listen app_${l.app}_${l.component}_${l.port}`,
    `  bind ${bind}:${l.port}`,
    '  balance roundrobin',
    ...(hasOwn ? ['  option allbackups'] : []),
    ...l.servers.map((s) => serverLine(s, hasOwn)),
  ];
}

function serverLine(s: MeshServer, hasOwn: boolean): string {
  const backup = hasOwn && !s.own ? ' backup' : '';
  return `  server ${serverName(s)} ${s.address}:${s.port} check${backup}`;
}

/** HAProxy server names allow letters, digits and `-_.:`; a collateral `txid:n` fits as it is. */
function serverName(s: MeshServer): string {
  const name = s.own ? `own_${s.node}` : s.node;
  return name.replace(/[^A-Za-z0-9_.:-]/g, '_');
}
