// `devnet up --netns`: each node and its Docker engine in a Linux network namespace of its own, as
// if on a machine of its own. One host bridge (fluxns<third octet>) holds the host's address on the
// devnet's /24 (the registry listens there); each namespace is plugged into it with a veth pair
// and has its own address on the /24, its own loopback and its own routing table, which knows only
// the /24: nothing in a namespace can reach an address outside the devnet's subnet. Alone in its
// namespace, each node's engine runs with iptables on (dockerd-isolation.ts), which is why `devnet
// up` is namespaced by default wherever the host allows it (chooseNetns).

import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { findTool, requireTool } from './dockerd.ts';

const execFileAsync = promisify(execFile);

/** The host side of a namespaced devnet: the bridge and the host's own address on it. */
export interface NetnsHost {
  bridge: string;
  /** The host's address on the bridge (the registry's); `/24`. */
  address: string;
}

/** One node's namespace: its name and the host end of its veth pair. */
export interface NodeNetns {
  name: string;
  veth: string;
  /** The node's address inside it (`/24`, on the host bridge). */
  address: string;
}

export function hostNetnsOf(registryAddress: string): NetnsHost {
  const third = registryAddress.split('.')[2];
  return { bridge: `fluxns${third}`, address: registryAddress };
}

/** Names from the address's last two octets: unique per devnet, short enough for interface names. */
export function nodeNetnsOf(address: string): NodeNetns {
  const [, , third, fourth] = address.split('.');
  return { name: `fluxns${third}-${fourth}`, veth: `fxv${third}-${fourth}`, address };
}

async function ip(args: string[]): Promise<void> {
  await execFileAsync(requireTool('ip'), args);
}

function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

export function namespaceExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

export async function createHostBridge(h: NetnsHost): Promise<void> {
  if (linkExists(h.bridge)) throw new Error(`bridge ${h.bridge} already exists (another namespaced devnet?)`);
  await ip(['link', 'add', 'name', h.bridge, 'type', 'bridge']);
  await ip(['addr', 'add', `${h.address}/24`, 'dev', h.bridge]);
  await ip(['link', 'set', h.bridge, 'up']);
}

/** The namespace, its loopback, and a veth whose far end is its eth0 with the node's address. */
export async function createNodeNetns(h: NetnsHost, n: NodeNetns): Promise<void> {
  if (namespaceExists(n.name)) throw new Error(`network namespace ${n.name} already exists`);
  await ip(['netns', 'add', n.name]);
  await ip(['link', 'add', n.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.name]);
  await ip(['link', 'set', n.veth, 'master', h.bridge, 'up']);
  await ip(['-n', n.name, 'link', 'set', 'lo', 'up']);
  await ip(['-n', n.name, 'addr', 'add', `${n.address}/24`, 'dev', 'eth0']);
  await ip(['-n', n.name, 'link', 'set', 'eth0', 'up']);
}

/** Removes the namespace (its eth0 and the veth's host end go with it); missing is fine. */
export async function removeNodeNetns(n: NodeNetns): Promise<void> {
  if (namespaceExists(n.name)) await ip(['netns', 'delete', n.name]);
  // Deleting the namespace deletes the pair, a moment later: only a veth that outlived it is ours to delete.
  if (linkExists(n.veth)) await ip(['link', 'delete', n.veth]).catch(() => {});
}

export async function removeHostBridge(h: NetnsHost): Promise<void> {
  if (linkExists(h.bridge)) await ip(['link', 'delete', h.bridge]);
}

/** `devnet up --netns`'s first step: the host bridge, then one namespace per node. */
export async function createDevnetNamespaces(h: NetnsHost, nodeAddresses: string[]): Promise<string> {
  await createHostBridge(h);
  for (const address of nodeAddresses) await createNodeNetns(h, nodeNetnsOf(address));
  return `bridge ${h.bridge} (${h.address}/24), ${nodeAddresses.length} namespaces`;
}

/** Removes every namespace, veth and the bridge; returns what could not be removed. */
export async function removeDevnetNamespaces(h: NetnsHost, nodeAddresses: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const address of nodeAddresses) {
    const n = nodeNetnsOf(address);
    await removeNodeNetns(n).catch((err: Error) => problems.push(`namespace ${n.name}: ${err.message}`));
  }
  await removeHostBridge(h).catch((err: Error) => problems.push(`bridge ${h.bridge}: ${err.message}`));
  return problems;
}

/** Whether this host can run a namespaced devnet, and if not, why. */
export interface NetnsSupport {
  ok: boolean;
  why: string;
}

/** Root, `ip netns`, nsenter and iptables: what `devnet up --netns` and its engines need. */
export function netnsSupport(): NetnsSupport {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, why: 'not root' };
  for (const tool of ['ip', 'nsenter', 'iptables']) {
    if (!findTool(tool)) return { ok: false, why: `${tool} is not installed` };
  }
  try {
    execFileSync(requireTool('ip'), ['netns', 'list'], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    return { ok: false, why: '`ip netns` does not work here' };
  }
  return { ok: true, why: '' };
}

/**
 * Namespaced or not, when `devnet up` was not told: namespaced wherever the host can, since only
 * there do the engines filter traffic between apps (each has its own iptables). A loopback
 * `--base-address` asks for the loopback layout. Without namespaces, the warning says what is lost.
 */
export function chooseNetns(
  asked: boolean | undefined,
  baseAddress: string | undefined,
  support: () => NetnsSupport,
): { netns: boolean; warning?: string } {
  if (asked === true) return { netns: true };
  const lost =
    'the Docker engines run without iptables, so apps on one node are not firewalled from each other ' +
    '(their networks are still separate, and the engines do not forward between them)';
  if (asked === false) return { netns: false, warning: `--no-netns: ${lost}` };
  if (baseAddress?.startsWith('127.')) return { netns: false, warning: `loopback addresses: ${lost}` };
  const s = support();
  if (s.ok) return { netns: true };
  return { netns: false, warning: `no network namespaces (${s.why}): ${lost}; see scripts/setup-host.sh` };
}
