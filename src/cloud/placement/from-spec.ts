import { specHash } from '../spec/hash.ts';
import { appDemand } from '../spec/resources.ts';
import type { AppSpec } from '../spec/schema.ts';
import type { PlacementApp } from './placement.ts';

/** The placement view of a confirmed app: its order key (height, hash), instance count and per-instance demand. */
export function placementApp(spec: AppSpec, registrationHeight: number, hash = specHash(spec)): PlacementApp {
  return {
    name: spec.name,
    height: registrationHeight,
    hash,
    instances: spec.instances,
    demand: appDemand(spec),
    ports: spec.components.flatMap((c) => c.ports),
    geolocation: [...spec.geolocation],
    ...(spec.nodes !== undefined && { nodes: [...spec.nodes] }),
  };
}
