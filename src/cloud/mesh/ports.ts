/**
 * Where an app instance's TCP ports are published when the routing mesh owns the public ones.
 *
 * Every fluxnode's HAProxy listens on every app's public ports (31000–39999 on mainnet), so the
 * container cannot hold them too: its TCP ports are published on the node's address at the
 * public port + 10,000 (41000–49999), the "instance port". Every node derives it alike from the
 * public port, so a mesh reaches another node's instance without any new field in the gossip.
 * UDP is not meshed (HAProxy proxies TCP): a container keeps its UDP ports on the public port.
 */
export const INSTANCE_PORT_OFFSET = 10_000;

/** The instance port behind public port `port` (a port the spec rules keep ≤ 55535). */
export function instancePort(port: number): number {
  const p = port + INSTANCE_PORT_OFFSET;
  if (!Number.isInteger(port) || port < 1 || p > 65535)
    throw new RangeError(
      `public port ${port} has no instance port (public port + ${INSTANCE_PORT_OFFSET} must be ≤ 65535)`,
    );
  return p;
}
