// What the engine's rows mean to the runtime: a container listing row as a ManagedContainer, an
// event as a ContainerEvent, both read from the flux.* labels the runtime put on the container.

import type Docker from 'dockerode';
import {
  appNetworkName,
  LABEL_APP,
  LABEL_COMPONENT,
  LABEL_HDD_ENFORCED,
  LABEL_NODE,
  LABEL_SPEC_HASH,
} from './labels.ts';
import type { ContainerEvent, ContainerState, ManagedContainer } from './types.ts';

/** One row of the engine's container list, as the runtime reports it. */
export function toManagedContainer(c: Docker.ContainerInfo): ManagedContainer {
  return {
    ...hddEnforced(c.Labels[LABEL_HDD_ENFORCED]),
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    app: c.Labels[LABEL_APP] ?? '',
    component: c.Labels[LABEL_COMPONENT] ?? '',
    specHash: c.Labels[LABEL_SPEC_HASH] ?? '',
    node: c.Labels[LABEL_NODE] ?? '',
    image: c.Image,
    state: c.State as ContainerState,
    status: c.Status,
    created: c.Created * 1000,
    ...ipOf(c),
  };
}

function hddEnforced(label: string | undefined): Pick<ManagedContainer, 'hddEnforced'> {
  return label === undefined ? {} : { hddEnforced: label === 'true' };
}

export interface EngineEvent {
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano?: number;
}

export function toContainerEvent(e: EngineEvent): ContainerEvent {
  const a = e.Actor.Attributes ?? {};
  const event: ContainerEvent = {
    action: e.Action,
    id: e.Actor.ID,
    name: a.name ?? '',
    app: a[LABEL_APP] ?? '',
    component: a[LABEL_COMPONENT] ?? '',
    specHash: a[LABEL_SPEC_HASH] ?? '',
    node: a[LABEL_NODE] ?? '',
    time: e.timeNano ? Math.floor(e.timeNano / 1e6) : e.time * 1000,
  };
  if (a.exitCode !== undefined) event.exitCode = Number(a.exitCode);
  return event;
}

/** The container's address on its app's own network, when it has one (a running container does). */
function ipOf(c: Docker.ContainerInfo): { ip?: string } {
  const app = c.Labels[LABEL_APP];
  const ip = app ? c.NetworkSettings?.Networks?.[appNetworkName(app)]?.IPAddress : undefined;
  return ip ? { ip } : {};
}
