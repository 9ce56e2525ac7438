/**
 * Who may talk to the JSON-RPC server: fluxd's `rpcallowip` as a `BlockList` of allowed clients.
 * Loopback is always allowed (as in fluxd); other entries are single addresses or CIDR ranges.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/** An `--rpc-allow-ip` entry that is neither an address nor a CIDR range. */
export class AllowListError extends Error {
  readonly field = 'rpc-allow-ip';
  readonly value: string;

  constructor(value: string, why: string) {
    super(`--rpc-allow-ip ${JSON.stringify(value)}: ${why}`);
    this.name = 'AllowListError';
    this.value = value;
  }
}

export function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const entry of entries) addEntry(list, entry.trim());
  return list;
}

function addEntry(list: BlockList, entry: string): void {
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (extra !== undefined || family === 0)
    throw new AllowListError(entry, 'expected an IP address or a CIDR range such as 10.0.0.0/8');
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(bits);
  if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128))
    throw new AllowListError(entry, `prefix length must be 0 to ${family === 4 ? 32 : 128}`);
  list.addSubnet(address, prefix, type);
}

/** True for addresses that only this machine can reach (127.0.0.0/8, ::1). */
export function isLoopback(address: string): boolean {
  return (isIPv4(address) && address.startsWith('127.')) || address === '::1';
}
