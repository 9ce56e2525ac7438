/**
 * The chain as the directory: every registered fluxnode announced its address in its START or
 * CONFIRM (`ip` or `ip:apiPort`), and a node's p2p endpoint is that address on the network's p2p
 * port (as fluxd nodes listen on their network's default port). Pure: list in, addresses out.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The p2p addresses of registered nodes (any status: a started node is reachable too), deduplicated. */
export function chainPeerAddresses(nodes: readonly { ip: string }[], p2pPort: number): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    const host = hostOf(n.ip);
    if (host && isIPv4(host)) out.add(`/ip4/${host}/tcp/${p2pPort}`);
    else if (host && isIPv6(host)) out.add(`/ip6/${host}/tcp/${p2pPort}`);
  }
  return [...out];
}

/** The host part of `ip`, `ip:port`, `[ip6]` or `[ip6]:port`; '' when there is none. */
function hostOf(announced: string): string {
  const s = announced.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  const inner = bracketed?.[1];
  if (inner) return inner;
  if (isIPv6(s)) return s;
  return s.split(':')[0] ?? '';
}
