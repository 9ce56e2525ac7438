// What `devnet up` needs from the host before it creates anything. It installs nothing itself: it
// says exactly what is missing and how to get it (scripts/setup-host.sh, or the Debian packages).

import { findTool } from './dockerd.ts';

export interface Requirement {
  tool: string;
  /** The Debian package that provides it. */
  pkg: string;
  why: string;
}

export const HOST_REQUIREMENTS: readonly Requirement[] = [
  { tool: 'dockerd', pkg: 'docker.io', why: 'one Docker engine per node' },
  { tool: 'containerd', pkg: 'docker.io', why: "the engines' container runtime" },
  { tool: 'runc', pkg: 'docker.io', why: "the engines' container runtime" },
  { tool: 'docker-proxy', pkg: 'docker.io', why: 'publishes app ports on node addresses' },
  { tool: 'docker-registry', pkg: 'docker-registry', why: 'the registry app images are pushed to' },
  { tool: 'busybox', pkg: 'busybox-static', why: 'the sample app image is built from it' },
  { tool: 'ip', pkg: 'iproute2', why: 'one network bridge per Docker engine' },
  { tool: 'iptables', pkg: 'iptables', why: "a namespaced node's engine filters traffic between apps" },
  { tool: 'umount', pkg: 'mount', why: 'cleanup of container filesystems' },
  { tool: 'syncthing', pkg: 'syncthing', why: 'replicates app data (s:, r:, g:) between nodes' },
  { tool: 'haproxy', pkg: 'haproxy', why: "every node's routing mesh: any node's address reaches every app" },
];

export interface HostReport {
  tools: { tool: string; path: string }[];
  missing: Requirement[];
  /** The devnet creates bridges, mounts and cgroups: it must run as root. */
  root: boolean;
}

export function inspectHost(): HostReport {
  const tools: HostReport['tools'] = [];
  const missing: Requirement[] = [];
  for (const r of HOST_REQUIREMENTS) {
    const found = findTool(r.tool);
    if (found) tools.push({ tool: r.tool, path: found });
    else missing.push(r);
  }
  const root = typeof process.getuid !== 'function' || process.getuid() === 0;
  return { tools, missing, root };
}

/** The host cannot run a devnet; the message lists every problem and how to fix it. */
export class HostNotReadyError extends Error {
  readonly report: HostReport;
  constructor(report: HostReport) {
    super(describeProblems(report));
    this.name = 'HostNotReadyError';
    this.report = report;
  }
}

function describeProblems(r: HostReport): string {
  const lines: string[] = [];
  if (r.missing.length > 0) {
    const packages = [...new Set(r.missing.map((m) => m.pkg))];
    lines.push('the devnet needs programs this host does not have:');
    for (const m of r.missing) lines.push(`  - ${m.tool} (Debian package ${m.pkg}): ${m.why}`);
    lines.push(
      'Install them with:  sudo scripts/setup-host.sh',
      `  (or by hand: sudo apt-get install ${packages.join(' ')}; the devnet starts its own daemons,`,
      '   so no system docker or registry service needs to run)',
    );
  }
  if (!r.root) {
    lines.push(
      'the devnet must run as root: it creates a network bridge, mounts and cgroups for each node’s',
      'Docker engine. Run it with sudo (e.g. sudo npm start).',
    );
  }
  return lines.join('\n');
}

/** Throws HostNotReadyError unless every tool is there and we are root. */
export function assertHostReady(): HostReport {
  const report = inspectHost();
  if (report.missing.length > 0 || !report.root) throw new HostNotReadyError(report);
  return report;
}
