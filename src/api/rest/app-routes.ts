import type { FluxnodeRecord } from '../../chain/index.ts';
import type { ApiServer } from '../http-server.ts';
import type { AppRecord, RestContext } from './providers.ts';
import type { AppDetail, AppLocation, AppSummary } from './types.ts';
import { appNameParam, notFound } from './validate.ts';

/** Fills a location's tier and address from the registry when the provider left them out. */
function withNode(l: AppLocation, nodes: ReadonlyMap<string, FluxnodeRecord>): AppLocation {
  const r = nodes.get(l.node);
  return { ...l, ip: l.ip || r?.ip || '', tier: l.tier ?? r?.tier };
}

export function appSummary(a: AppRecord, nodes: ReadonlyMap<string, FluxnodeRecord>): AppSummary {
  return {
    name: a.name,
    description: a.spec.description,
    owner: a.owner,
    specHash: a.specHash,
    height: a.height,
    expiresAt: a.expiresAt,
    instances: a.spec.instances,
    placed: a.locations.length,
    priceSat: a.priceSat ?? null,
    locations: a.locations.map((l) => withNode(l, nodes)),
    mesh: a.mesh ?? [],
  };
}

export function appDetail(a: AppRecord, nodes: ReadonlyMap<string, FluxnodeRecord>): AppDetail {
  const s = a.spec;
  return {
    ...appSummary(a, nodes),
    spec: {
      version: s.version,
      name: s.name,
      description: s.description,
      owner: s.owner,
      instances: s.instances,
      expire: s.expire,
      geolocation: [...s.geolocation],
      ...(s.nodes ? { nodes: [...s.nodes] } : {}),
      components: s.components.map((c) => ({ ...c })),
    },
    registeredHeight: a.registeredHeight ?? null,
    txid: a.txid ?? null,
    unplaced: a.unplaced ?? Math.max(0, s.instances - a.locations.length),
    placement: a.placement ?? null,
  };
}

export async function listApps(ctx: RestContext): Promise<readonly AppRecord[]> {
  return ctx.apps ? await ctx.apps.list() : [];
}

export function nodesByCollateral(ctx: RestContext): Map<string, FluxnodeRecord> {
  return new Map(
    ctx
      .registry()
      .list()
      .map((r) => [r.collateral, r]),
  );
}

export async function findApp(ctx: RestContext, raw: string): Promise<AppRecord> {
  const name = appNameParam(raw);
  const app = (await listApps(ctx)).find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!app) throw notFound(`no app named ${name} is registered`);
  return app;
}

export function registerAppRoutes(api: ApiServer, ctx: RestContext): void {
  api.get('/apps', async () => {
    const nodes = nodesByCollateral(ctx);
    return (await listApps(ctx)).map((a) => appSummary(a, nodes));
  });

  api.get('/apps/:name', async ({ params }) =>
    appDetail(await findApp(ctx, params.name), nodesByCollateral(ctx)),
  );

  api.get('/apps/:name/locations', async ({ params }) => {
    const nodes = nodesByCollateral(ctx);
    return (await findApp(ctx, params.name)).locations.map((l) => withNode(l, nodes));
  });
}
