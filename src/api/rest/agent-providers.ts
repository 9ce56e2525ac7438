import type {
  AppLocation as AgentLocation,
  AppSpec,
  BenchmarkResult,
  PlacementExplanation,
  RegisteredApp,
} from '../../cloud/index.ts';
import { explanationText, splitContainerData } from '../../cloud/index.ts';
import type { AppRecord, AppsProvider, BenchmarkProvider } from './providers.ts';
import type { AppLocation, InstanceData, NodeBenchmark } from './types.ts';

/** The parts of cloud/agent's CloudAgent the API reads (a CloudAgent fits as it is). */
export interface AgentSource {
  /** Where each active app runs, from the live nodes' running reports. */
  allLocations(): Map<string, AgentLocation[]>;
  /** The current assignment: app → node ids, and instances that found no node. */
  placement(): {
    assignment: ReadonlyMap<string, readonly string[]>;
    unplaced: ReadonlyMap<string, number>;
    explain?: (app: string) => PlacementExplanation | undefined;
  };
  benchmarkOf(node: string): BenchmarkResult | undefined;
  reportOf(node: string): { time: number } | undefined;
  on(event: 'placement' | 'report', listener: () => void): unknown;
  off(event: 'placement' | 'report', listener: () => void): unknown;
}

export interface AgentProviderOptions {
  /** Paid, unexpired apps at the tip (the same list the agent places). */
  activeApps: () => readonly RegisteredApp[];
  /** What a spec cost at a height (the registry's price rule). */
  priceAt?: (spec: AppSpec, height: number) => bigint;
  /** Node id → host address, for assigned nodes that have not reported yet. */
  ipOf?: (node: string) => string;
  /** `host:port` where this node's routing mesh answers for an app. */
  meshOf?: (app: string) => string[];
}

/** Benchmark results carry ms and MB; the API shows seconds and GB (exact: MB / 1024). */
export function benchmarkFromResult(b: BenchmarkResult): NodeBenchmark {
  return {
    cores: b.cores,
    ramGB: b.ramMB / 1024,
    ssdGB: b.diskGB,
    eps: b.eps,
    diskWriteMBps: b.diskWriteMBps,
    time: Math.floor(b.time / 1000),
    location: b.location ?? null,
  };
}

/**
 * An instance's state from its components' reported Docker states: running when all run, else the
 * first that does not (restarting, exited, …). Assigned nodes that have not reported the app yet
 * show as `starting`.
 */
function locationFrom(l: AgentLocation, reportedAt: number | undefined, spec: AppSpec): AppLocation {
  const notRunning = l.components.find((c) => c.state !== 'running');
  const data = instanceData(l, spec);
  return {
    node: l.node,
    ip: l.ip,
    ports: l.ports,
    state: l.running ? 'running' : (notRunning?.state ?? 'unknown'),
    ...(reportedAt !== undefined ? { updated: Math.floor(reportedAt / 1000) } : {}),
    ...(data.length > 0 ? { data } : {}),
    ...(l.hddUnenforced ? { hddEnforced: false } : {}),
  };
}

/** The replicated components of an instance as its node reported them. */
function instanceData(l: AgentLocation, spec: AppSpec): InstanceData[] {
  const out: InstanceData[] = [];
  for (const c of l.components) {
    const { mode } = splitContainerData(spec.components.find((x) => x.name === c.name)?.containerData ?? '');
    if (mode === 'local') continue;
    const needBytes = c.needBytes ?? 0;
    const running = c.state === 'running' || c.state === 'restarting';
    const role =
      c.state === 'standby' || c.state === 'syncing'
        ? c.state
        : mode === 'g' && running
          ? 'primary'
          : 'replica';
    out.push({ component: c.name, mode, role, needBytes, inSync: needBytes === 0 && c.state !== 'syncing' });
  }
  return out;
}

function explained(e: PlacementExplanation | undefined): Pick<AppRecord, 'placement'> {
  return e ? { placement: { ...e, summary: explanationText(e) } } : {};
}

/** The REST providers of a node that runs the cloud agent. */
export function agentProviders(
  agent: AgentSource,
  opts: AgentProviderOptions,
): { apps: AppsProvider; benchmarks: BenchmarkProvider } {
  const apps: AppsProvider = {
    list(): AppRecord[] {
      const located = agent.allLocations();
      const placement = agent.placement();
      return opts.activeApps().map((a) => {
        const reported = (located.get(a.name) ?? []).map((l) =>
          locationFrom(l, agent.reportOf(l.node)?.time, a.spec),
        );
        const seen = new Set(reported.map((l) => l.node));
        const pending = (placement.assignment.get(a.name) ?? [])
          .filter((node) => !seen.has(node))
          .map((node): AppLocation => ({ node, ip: opts.ipOf?.(node) ?? '', state: 'starting' }));
        return {
          name: a.name,
          owner: a.owner,
          spec: a.spec,
          specHash: a.specHash,
          height: a.height,
          registeredHeight: a.registeredHeight,
          expiresAt: a.expiresAt,
          txid: a.txid,
          priceSat: opts.priceAt ? opts.priceAt(a.spec, a.height) : a.paid,
          unplaced: placement.unplaced.get(a.name) ?? 0,
          ...explained(placement.explain?.(a.name)),
          locations: [...reported, ...pending],
          mesh: opts.meshOf?.(a.name) ?? [],
        };
      });
    },
    onChange(listener) {
      agent.on('placement', listener);
      agent.on('report', listener);
      return () => {
        agent.off('placement', listener);
        agent.off('report', listener);
      };
    },
  };
  const benchmarks: BenchmarkProvider = {
    benchmarkOf(node) {
      const b = agent.benchmarkOf(node);
      return b ? benchmarkFromResult(b) : undefined;
    },
  };
  return { apps, benchmarks };
}
