/**
 * The chain as the cloud layer sees it: paid specs and confirmed nodes at a tip. Each block that
 * changes either makes a new version; the app list comes from the real `activeApps` and the
 * placement view of each app from the real `placementApp`, so registrations, updates and expiries
 * follow the registry's rules.
 */
import {
  activeApps,
  type DesiredComponent,
  type PaidSpec,
  placementApp,
  type PlacementApp,
  type PlacementNode,
  type RegisteredApp,
} from '../cloud/index.ts';
import { priceAt } from './workload.ts';
import { must } from '../consensus/index.ts';

export interface ChainVersion {
  /** 0, 1, 2, … in order of blocks that changed something. */
  version: number;
  height: number;
  apps: PlacementApp[];
  nodes: PlacementNode[];
  /** What a node runs for each app: one desired container per component. */
  components: Map<string, DesiredComponent[]>;
  /** Instances wanted per app. */
  targets: Map<string, number>;
}

export interface BlockChanges {
  register?: readonly PaidSpec[];
  confirm?: readonly PlacementNode[];
  /** Node ids whose confirmation lapsed. */
  expire?: readonly string[];
}

export class SimChain {
  private readonly paid: PaidSpec[];
  private nodes: PlacementNode[];
  private readonly placementCache = new Map<string, PlacementApp>();
  private readonly componentCache = new Map<string, DesiredComponent[]>();
  readonly versions: ChainVersion[] = [];

  constructor(paid: readonly PaidSpec[], nodes: readonly PlacementNode[], tip: number) {
    this.paid = [...paid];
    this.nodes = [...nodes];
    this.versions.push(this.build(tip));
  }

  get tip(): ChainVersion {
    return must(this.versions.at(-1), 'the simulated chain tip (it starts with a genesis version)');
  }

  /** Connects a block at `height`; returns the new version (a new one even if nothing changed for placement). */
  connect(height: number, changes: BlockChanges): ChainVersion {
    if (height <= this.tip.height)
      throw new RangeError(`block height ${height} is not above the tip ${this.tip.height}`);
    this.paid.push(...(changes.register ?? []));
    if (changes.confirm) this.nodes = [...this.nodes, ...changes.confirm];
    if (changes.expire) {
      const gone = new Set(changes.expire);
      this.nodes = this.nodes.filter((n) => !gone.has(n.id));
    }
    const v = this.build(height);
    this.versions.push(v);
    return v;
  }

  private build(height: number): ChainVersion {
    const registered: RegisteredApp[] = activeApps(this.paid, height, { priceAt });
    const apps: PlacementApp[] = [];
    const components = new Map<string, DesiredComponent[]>();
    const targets = new Map<string, number>();
    for (const r of registered) {
      const key = `${r.specHash}@${r.registeredHeight}`;
      let app = this.placementCache.get(key);
      if (!app) {
        app = placementApp(r.spec, r.registeredHeight, r.specHash);
        this.placementCache.set(key, app);
      }
      apps.push(app);
      let desired = this.componentCache.get(r.specHash);
      if (!desired) {
        desired = r.spec.components.map((c) => ({
          app: r.name,
          component: c.name,
          specHash: r.specHash,
          image: c.repotag,
        }));
        this.componentCache.set(r.specHash, desired);
      }
      components.set(r.name, desired);
      targets.set(r.name, r.spec.instances);
    }
    return { version: this.versions.length, height, apps, nodes: this.nodes, components, targets };
  }
}
