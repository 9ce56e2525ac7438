/**
 * docker-compose files to fluxnode's spec: one component per service. Services reach each other by
 * service name in compose; here each app has its own network where component `c` of app `a` is
 * `fluxc_a`, so host names in environment values are rewritten to those names and noted. What
 * compose can say and a spec cannot (builds, several volumes, health checks, networks…) is noted.
 */
import { APP_SPEC_VERSION } from '../schema.ts';
import {
  readCommand,
  readCpus,
  readEnvironment,
  readMegabytes,
  readPort,
  volumeTarget,
} from './compose-values.ts';
import { type ImportResult, isEmptyValue, NoteBook, READ_ONLY_ROOT, SpecImportError } from './notes.ts';
import type { ImportOptions } from './options.ts';
import { PortPicker } from './port-picker.ts';
import { alnum, isRecordValue } from './values.ts';

const DEFAULT_DATA_FOLDER = '/data';
const SERVICE_KEPT = new Set([
  'image',
  'read_only',
  'ports',
  'environment',
  'command',
  'volumes',
  'deploy',
  'cpus',
  'mem_limit',
  'memswap_limit',
]);
const SERVICE_DROPPED: Record<string, string> = {
  build:
    'fluxnode nodes pull images and never build them: push the image to a registry and name it in `image`',
  networks: 'each app gets its own network; its components reach each other as flux<component>_<app>',
  depends_on: 'components start together; an app must retry until the others answer',
  healthcheck: 'the image’s own HEALTHCHECK is used; compose health checks are not carried',
  restart: 'the node restarts every component that stops (the owner can stop one on purpose)',
  container_name: 'container names are flux<component>_<app>',
  hostname: 'components are reached as flux<component>_<app>',
  entrypoint: 'a spec sets the command only; bake the entrypoint into the image',
  env_file: 'files next to the compose file are not read; put the values in `environment`',
  privileged: 'containers run with every capability dropped',
  cap_add: 'containers run with every capability dropped (NET_BIND_SERVICE aside)',
  user: 'the engine decides the user (user-namespace remapping)',
  expose: 'only published ports are carried; components of one app reach each other on any port',
};

/** Whether a parsed document is a compose file (a `services` map). */
export function isComposeFile(doc: unknown): boolean {
  return isRecordValue(doc) && isRecordValue(doc.services);
}

export function importCompose(doc: unknown, opts: ImportOptions): ImportResult {
  if (!isRecordValue(doc) || !isRecordValue(doc.services) || Object.keys(doc.services).length === 0)
    throw new SpecImportError(
      'services',
      isRecordValue(doc) ? doc.services : doc,
      'not a compose file: no `services` map',
    );
  const notes = new NoteBook();
  const appName = opts.name ?? (typeof doc.name === 'string' ? alnum(doc.name) : undefined);
  const services = Object.entries(doc.services);
  const names = componentNames(
    services.map(([s]) => s),
    notes,
  );
  const ports = new PortPicker(opts);
  const components = services.map(([svc, body]) => service(svc, body, names, appName, ports, notes, opts));
  const spec: Record<string, unknown> = {
    version: APP_SPEC_VERSION,
    name: appName,
    description:
      typeof doc.name === 'string'
        ? `imported from the compose project ${doc.name}`
        : 'imported from a compose file',
    owner: opts.owner,
    components,
    instances: instancesOf(services, notes, opts),
  };
  if (opts.owner === undefined)
    notes.defaulted('owner', undefined, 'a compose file names no owner: pass --owner ADDRESS');
  for (const key of ['networks', 'volumes', 'configs', 'secrets'])
    if (!isEmptyValue(doc[key])) notes.dropped(key, doc[key], topLevelReason(key));
  return { source: 'compose', spec, notes: notes.list };
}

function topLevelReason(key: string): string {
  if (key === 'networks') return 'each app gets its own network; there is nothing to declare';
  if (key === 'volumes') return 'each component gets one data folder on its node (containerData)';
  return `compose ${key} are not carried; put values in environment`;
}

/** Service names made of letters and digits; two services may not end up with one name. */
function componentNames(services: string[], notes: NoteBook): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of services) {
    const name = alnum(svc);
    if (name === '' || [...out.values()].includes(name))
      throw new SpecImportError(
        `services.${svc}`,
        svc,
        `service "${svc}" cannot be named uniquely with letters and digits only`,
      );
    if (name !== svc)
      notes.changed(`services.${svc}`, svc, `component names are letters and digits: ${name}`);
    out.set(svc, name);
  }
  return out;
}

function service(
  svc: string,
  raw: unknown,
  names: Map<string, string>,
  appName: string | undefined,
  ports: PortPicker,
  notes: NoteBook,
  opts: ImportOptions,
): Record<string, unknown> {
  const at = `services.${svc}`;
  const body = isRecordValue(raw) ? raw : {};
  if (typeof body.image !== 'string')
    throw new SpecImportError(
      `${at}.image`,
      body.image,
      `service "${svc}" has no image: fluxnode runs images from a registry${'build' in body ? ' (it has only a build section)' : ''}`,
    );
  const published = publishedPorts(body.ports, at, ports, notes, opts);
  const resources = resourcesOf(body, at, notes, opts);
  for (const [key, value] of Object.entries(body))
    if (!SERVICE_KEPT.has(key) && !isEmptyValue(value))
      notes.dropped(`${at}.${key}`, value, SERVICE_DROPPED[key] ?? 'not carried into fluxnode specs');
  // read_only: true is what a fluxnode component is anyway; without it compose's root is writable.
  if (body.read_only !== true) notes.defaulted(`${at}.read_only`, true, READ_ONLY_ROOT);
  return {
    name: names.get(svc),
    description: `compose service ${svc}`,
    repotag: body.image,
    ports: published.map((p) => p.published),
    containerPorts: published.map((p) => p.target),
    environmentParameters: environmentOf(body.environment, at, names, appName, notes),
    commands: commandOf(body.command, at, notes),
    containerData: dataFolder(body.volumes, at, notes) || defaultDataFolder(at, notes),
    ...resources,
  };
}

function publishedPorts(v: unknown, at: string, picker: PortPicker, notes: NoteBook, opts: ImportOptions) {
  const out: { published: number; target: number }[] = [];
  (Array.isArray(v) ? v : []).forEach((entry, i) => {
    const mapping = readPort(entry);
    if (!mapping) {
      notes.dropped(
        `${at}.ports[${i}]`,
        entry,
        'port ranges and unreadable mappings are not carried; list each port',
      );
      return;
    }
    const published = picker.take(mapping.published);
    if (published !== mapping.published) {
      const { min, max } = opts.limits.ports;
      const why =
        mapping.published === undefined
          ? 'it was not published'
          : `public ports are ${min}–${max}, unused and not reserved`;
      notes.changed(`${at}.ports[${i}]`, entry, `published on ${published} (${why})`);
    }
    out.push({ published, target: mapping.target });
  });
  return out;
}

/** Limits from `deploy.resources.limits` (or the older `cpus`/`mem_limit`), rounded up to the spec's steps. */
function resourcesOf(body: Record<string, unknown>, at: string, notes: NoteBook, opts: ImportOptions) {
  const deploy = isRecordValue(body.deploy) ? body.deploy : {};
  const res =
    isRecordValue(deploy.resources) && isRecordValue(deploy.resources.limits) ? deploy.resources.limits : {};
  const min = opts.limits.minComponent;
  const cpus = readCpus(res.cpus ?? body.cpus);
  const mb = readMegabytes(res.memory ?? body.mem_limit);
  const cpu = Math.max(min.cpu, Math.ceil((cpus ?? min.cpu) * 10 - 1e-9) / 10);
  const ram = Math.max(min.ram, Math.ceil((mb ?? min.ram) / 100 - 1e-9) * 100);
  if (cpus === undefined)
    notes.defaulted(`${at}.cpu`, cpu, 'no CPU limit given: the smallest amount a component may ask for');
  else if (cpu !== cpus)
    notes.changed(`${at}.cpus`, cpus, `cpu is counted in steps of 0.1 from ${min.cpu}: ${cpu}`);
  if (mb === undefined)
    notes.defaulted(`${at}.ram`, ram, 'no memory limit given: the smallest amount a component may ask for');
  else if (ram !== mb)
    notes.changed(
      `${at}.memory`,
      res.memory ?? body.mem_limit,
      `ram is counted in steps of 100 MB from ${min.ram}: ${ram}`,
    );
  notes.defaulted(
    `${at}.hdd`,
    min.hdd,
    'compose sets no disk size: the smallest amount, in GB; raise it if the service stores more',
  );
  const extra = Object.keys(res).filter((k) => k !== 'cpus' && k !== 'memory');
  if (extra.length > 0)
    notes.dropped(`${at}.deploy.resources.limits`, extra, 'only cpus and memory limits are carried');
  return { cpu, ram, hdd: min.hdd };
}

/** Host names of sibling services become their fluxnode names, where they stand as a host in a value. */
function environmentOf(
  v: unknown,
  at: string,
  names: Map<string, string>,
  appName: string | undefined,
  notes: NoteBook,
): string[] {
  const env = readEnvironment(v);
  if (appName === undefined) return env;
  return env.map((entry, i) => {
    let out = entry;
    const eq = entry.indexOf('=');
    for (const [svc, comp] of names) {
      const host = new RegExp(
        `(^|[/@=,\\s])${svc.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?=$|[:/,\\s])`,
        'g',
      );
      const value = out.slice(eq + 1).replace(host, `$1flux${comp}_${appName}`);
      out = `${out.slice(0, eq + 1)}${value}`;
    }
    if (out !== entry)
      notes.changed(`${at}.environment[${i}]`, entry, `service host names become component names: ${out}`);
    return out;
  });
}

function commandOf(v: unknown, at: string, notes: NoteBook): string[] {
  if (v === undefined || v === null) return [];
  const words = readCommand(v);
  if (words === undefined) {
    notes.dropped(`${at}.command`, v, 'the command line could not be split into words (unclosed quote?)');
    return [];
  }
  return words;
}

/** The first volume's container path becomes the component's data folder; the others are noted. */
function dataFolder(v: unknown, at: string, notes: NoteBook): string {
  const volumes = Array.isArray(v) ? v : [];
  let chosen = '';
  volumes.forEach((entry, i) => {
    const vol = volumeTarget(entry);
    if (!vol) {
      notes.dropped(`${at}.volumes[${i}]`, entry, 'unreadable volume entry');
    } else if (chosen === '') {
      chosen = vol.target;
      if (vol.source?.startsWith('.') || vol.source?.startsWith('/'))
        notes.changed(
          `${at}.volumes[${i}]`,
          entry,
          `host folders are not carried: ${vol.target} is the component's data folder on each node, empty at first`,
        );
    } else {
      notes.dropped(
        `${at}.volumes[${i}]`,
        entry,
        `a component has one data folder (${chosen}); put the others under it`,
      );
    }
  });
  return chosen;
}

/** A spec gives every component a data folder; one the service never writes to stays empty. */
function defaultDataFolder(at: string, notes: NoteBook): string {
  notes.defaulted(
    `${at}.containerData`,
    DEFAULT_DATA_FOLDER,
    'no volume: every component gets a data folder, unused unless the service writes there',
  );
  return DEFAULT_DATA_FOLDER;
}

/** An app has one instance count: the largest `deploy.replicas`, within the network's bounds. */
function instancesOf(services: [string, unknown][], notes: NoteBook, opts: ImportOptions): number {
  const { min, max } = opts.limits.instances;
  const replicas = services
    .map(([, body]) =>
      isRecordValue(body) && isRecordValue(body.deploy) ? Number(body.deploy.replicas) : Number.NaN,
    )
    .filter((n) => Number.isInteger(n));
  if (replicas.length === 0) {
    notes.defaulted('instances', min, `no deploy.replicas given: ${min}, the fewest instances an app runs`);
    return min;
  }
  const most = Math.max(...replicas);
  const n = Math.min(max, Math.max(min, most));
  if (n !== most || new Set(replicas).size > 1)
    notes.changed(
      'instances',
      replicas,
      `an app runs one count of instances for all its components (${min}–${max}): ${n}`,
    );
  return n;
}
