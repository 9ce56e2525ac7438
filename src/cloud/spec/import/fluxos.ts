/**
 * FluxOS app specs (versions 1–8, as FluxOS's API returns them) to fluxnode's spec. v1–v3 describe
 * one container at the top level; v4+ list components under `compose`. Fields fluxnode has no use
 * for are dropped with the reason; values outside fluxnode's bounds are moved inside them and noted;
 * everything else is copied as is and left to `validateAppSpec` to judge.
 */
import { parseGeolocation } from '../geolocation.ts';
import { APP_SPEC_VERSION } from '../schema.ts';
import { isEmptyValue, NoteBook, type ImportResult, READ_ONLY_ROOT, SpecImportError } from './notes.ts';
import {
  FLUXOS_BLOCK_SECONDS_AFTER_PON,
  FLUXOS_BLOCK_SECONDS_BEFORE_PON,
  FLUXOS_PON_FORK_HEIGHT,
  type ImportOptions,
  lifetimeInBlocks,
} from './options.ts';
import { PortPicker } from './port-picker.ts';
import { isRecordValue, listOf, numberOf, numbersOf } from './values.ts';

/** Why each FluxOS field has no counterpart here, in the words the report shows. */
const DROPPED_TOP: Record<string, string> = {
  contacts: 'fluxnode sends no notifications, so contacts have no use',
  nodes: 'FluxOS names its nodes by IP; fluxnode’s `nodes` lists collaterals (txid:n): name them again',
  staticip: 'fluxnode has no static-IP class of nodes',
  datacenter: 'fluxnode has no data-centre class of nodes',
  hash: 'set by the chain when the spec is registered',
  height: 'set by the chain when the spec is registered',
  _id: "a field of FluxOS's database, not of the spec",
};

const DROPPED_COMPONENT: Record<string, string> = {
  domains: 'fluxnode routes by port (every node answers on an app’s ports); it manages no domains',
  tiered: 'fluxnode asks one amount of each resource on every tier; the plain cpu/ram/hdd are kept',
  secrets: 'FluxOS secrets are encrypted to FluxOS nodes’ keys; set them again for fluxnode',
  repoauth: 'private registry credentials are not carried in fluxnode specs',
};
const TIER_FIELDS = [
  'cpubasic',
  'rambasic',
  'hddbasic',
  'cpusuper',
  'ramsuper',
  'hddsuper',
  'cpubamf',
  'rambamf',
  'hddbamf',
];

const TOP_KEPT = new Set([
  'version',
  'name',
  'description',
  'owner',
  'instances',
  'expire',
  'geolocation',
  'compose',
  'enterprise',
]);
const COMPONENT_KEPT = new Set([
  'name',
  'description',
  'repotag',
  'ports',
  'containerPorts',
  'environmentParameters',
  'commands',
  'containerData',
  'cpu',
  'ram',
  'hdd',
]);
/** The fields v1–v3 keep at the top level for their one container (`enviromentParameters` is FluxOS's spelling there). */
const SINGLE_COMPONENT_FIELDS = [
  'repotag',
  'port',
  'containerPort',
  'ports',
  'containerPorts',
  'enviromentParameters',
  'environmentParameters',
  'commands',
  'containerData',
  'cpu',
  'ram',
  'hdd',
  'domains',
  'tiered',
  ...TIER_FIELDS,
];

/** Whether a parsed document looks like a FluxOS spec (or FluxOS's `{status, data}` answer holding one). */
export function isFluxosSpec(doc: unknown): boolean {
  const spec = unwrap(doc);
  if (Array.isArray(spec)) return spec.some((s) => isRecordValue(s) && 'version' in s);
  return (
    isRecordValue(spec) &&
    typeof numberOf(spec.version) === 'number' &&
    ('compose' in spec || 'repotag' in spec)
  );
}

function unwrap(doc: unknown): unknown {
  return isRecordValue(doc) && doc.status === 'success' && 'data' in doc ? doc.data : doc;
}

function pick(doc: unknown, name: string | undefined): Record<string, unknown> {
  const spec = unwrap(doc);
  if (Array.isArray(spec)) {
    const names = spec.filter(isRecordValue).map((s) => String(s.name));
    const found = spec.find(
      (s) => isRecordValue(s) && typeof s.name === 'string' && s.name.toLowerCase() === name?.toLowerCase(),
    );
    if (!isRecordValue(found))
      throw new SpecImportError(
        'name',
        name,
        `the file holds ${spec.length} specs (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}): name one with --name`,
      );
    return found;
  }
  if (!isRecordValue(spec))
    throw new SpecImportError('', spec, 'not a FluxOS app spec: expected a JSON object');
  return spec;
}

/** Converts one FluxOS spec; `opts.name` overrides its name (and picks it out of a list). */
export function importFluxosSpec(doc: unknown, opts: ImportOptions): ImportResult {
  const src = pick(doc, opts.name);
  const version = numberOf(src.version);
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 8)
    throw new SpecImportError(
      'version',
      src.version,
      `FluxOS spec versions 1 to 8 can be imported, not ${JSON.stringify(src.version)}`,
    );
  if (version >= 8 && typeof src.enterprise === 'string' && src.enterprise !== '')
    throw new SpecImportError(
      'enterprise',
      '(encrypted)',
      'this is an enterprise spec: FluxOS encrypted its components to its own nodes, so they cannot be read; export it decrypted from FluxOS first',
    );
  const notes = new NoteBook();
  const components = version <= 3 ? [singleComponent(src)] : (listOf(src.compose) ?? []);
  const spec: Record<string, unknown> = {
    version: APP_SPEC_VERSION,
    name: opts.name ?? src.name,
    description: src.description ?? '',
    owner: opts.owner ?? src.owner,
    components: components.map((c, i) => component(c, version <= 3 ? '' : `compose[${i}]`, notes)),
  };
  movePorts(spec.components as Record<string, unknown>[], version, notes, opts);
  if (opts.owner !== undefined && src.owner !== undefined && src.owner !== opts.owner)
    notes.changed('owner', src.owner, `replaced by --owner ${opts.owner}`);
  else if (opts.owner === undefined && typeof src.owner === 'string' && !src.owner.startsWith('t'))
    notes.changed(
      'owner',
      src.owner,
      'FluxOS owners may be ZelIDs (Bitcoin-style addresses); a fluxnode owner is a Flux P2PKH address: pass --owner',
    );
  copyInstances(src, version, spec, notes, opts);
  copyExpire(src, version, spec, notes, opts);
  copyGeolocation(src, spec, notes);
  for (const [key, value] of Object.entries(src)) {
    if (TOP_KEPT.has(key) || (version <= 3 && SINGLE_COMPONENT_FIELDS.includes(key))) continue;
    if (isEmptyValue(value) && key in DROPPED_TOP) continue;
    notes.dropped(key, value, DROPPED_TOP[key] ?? 'not a field of fluxnode specs');
  }
  return { source: `fluxos-v${version}`, spec, notes: notes.list };
}

/** v1–v3: the container's fields sit at the top level and the component takes the app's name. */
function singleComponent(src: Record<string, unknown>): Record<string, unknown> {
  const c: Record<string, unknown> = { name: src.name, description: src.description };
  for (const key of SINGLE_COMPONENT_FIELDS) if (key in src) c[key] = src[key];
  if (c.port !== undefined && c.ports === undefined) c.ports = [c.port];
  if (c.containerPort !== undefined && c.containerPorts === undefined) c.containerPorts = [c.containerPort];
  delete c.port;
  delete c.containerPort;
  if (c.enviromentParameters !== undefined && c.environmentParameters === undefined)
    c.environmentParameters = c.enviromentParameters;
  delete c.enviromentParameters;
  return c;
}

function component(c: unknown, path: string, notes: NoteBook): Record<string, unknown> {
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (!isRecordValue(c)) throw new SpecImportError(path, c, 'a component must be an object');
  const out: Record<string, unknown> = {
    name: c.name,
    description: c.description ?? '',
    repotag: c.repotag,
    ports: numbersOf(c.ports) ?? [],
    containerPorts: numbersOf(c.containerPorts) ?? [],
    environmentParameters: listOf(c.environmentParameters) ?? [],
    commands: listOf(c.commands) ?? [],
    containerData: c.containerData ?? '',
    cpu: numberOf(c.cpu),
    ram: numberOf(c.ram),
    hdd: numberOf(c.hdd),
  };
  for (const [key, value] of Object.entries(c)) {
    if (COMPONENT_KEPT.has(key)) continue;
    if (TIER_FIELDS.includes(key)) {
      if (c.tiered === true || c.tiered === 'true')
        notes.dropped(at(key), value, 'per-tier amounts are not supported; the plain cpu/ram/hdd are kept');
      continue;
    }
    if (isEmptyValue(value)) continue;
    notes.dropped(
      at(key),
      key === 'secrets' || key === 'repoauth' ? '(encrypted)' : value,
      DROPPED_COMPONENT[key] ?? 'not a field of fluxnode components',
    );
  }
  notes.defaulted(at('writableRootFilesystem'), false, READ_ONLY_ROOT);
  return out;
}

function copyInstances(
  src: Record<string, unknown>,
  version: number,
  spec: Record<string, unknown>,
  notes: NoteBook,
  opts: ImportOptions,
): void {
  const { min, max } = opts.limits.instances;
  const given = numberOf(src.instances);
  if (version < 3 || given === undefined) {
    spec.instances = min;
    notes.defaulted(
      'instances',
      min,
      `FluxOS v${version} specs run ${min} instances; fluxnode asks for a count`,
    );
    return;
  }
  if (typeof given === 'number' && (given < min || given > max)) {
    spec.instances = Math.min(max, Math.max(min, given));
    notes.changed('instances', given, `fluxnode runs ${min} to ${max} instances; ${spec.instances} chosen`);
    return;
  }
  spec.instances = given;
}

/** Keeps the lifetime's length in time: FluxOS counted 2-minute blocks before its PoN fork and 30-second ones after. */
function copyExpire(
  src: Record<string, unknown>,
  version: number,
  spec: Record<string, unknown>,
  notes: NoteBook,
  opts: ImportOptions,
): void {
  const expire = numberOf(src.expire);
  if (version < 6 || expire === undefined) return; // the validator's default (22,000 two-minute blocks, as FluxOS's) applies
  if (typeof expire !== 'number') {
    spec.expire = expire;
    return;
  }
  const height = numberOf(src.height);
  const known = typeof height === 'number';
  const sourceSeconds =
    known && height < FLUXOS_PON_FORK_HEIGHT
      ? FLUXOS_BLOCK_SECONDS_BEFORE_PON
      : FLUXOS_BLOCK_SECONDS_AFTER_PON;
  const blocks = lifetimeInBlocks(expire * sourceSeconds, opts);
  spec.expire = blocks;
  if (blocks !== expire) {
    const days = ((expire * sourceSeconds) / 86400).toFixed(1);
    const basis = known
      ? `registered at height ${height}`
      : 'no registration height given, so FluxOS’s current';
    notes.changed(
      'expire',
      expire,
      `${expire} blocks of ${sourceSeconds} s (${basis} block time) ≈ ${days} days; ${blocks} blocks of ${opts.blockSeconds} s here`,
    );
  }
}

/** FluxOS may name a region after the country (`acEU_DE_Berlin`); one with spaces or other signs is cut to the country. */
function copyGeolocation(src: Record<string, unknown>, spec: Record<string, unknown>, notes: NoteBook): void {
  const rules = listOf(src.geolocation);
  if (rules === undefined) return;
  spec.geolocation = rules.map((rule, i) => {
    if (typeof rule !== 'string' || parseGeolocation(rule).ok) return rule;
    const parts = rule.split('_');
    if (parts.length <= 2) return rule; // not a region problem: the validator names what is wrong
    const cut = parts.slice(0, 2).join('_');
    notes.changed(
      `geolocation[${i}]`,
      rule,
      `a region here is letters, digits and dashes; kept the country rule ${cut}`,
    );
    return cut;
  });
}

/** Ports outside the target's range (FluxOS v1–v3 allowed lower ones) or taken twice move to free ones. */
function movePorts(
  components: Record<string, unknown>[],
  version: number,
  notes: NoteBook,
  opts: ImportOptions,
): void {
  const picker = new PortPicker(opts);
  components.forEach((c, i) => {
    if (!Array.isArray(c.ports)) return;
    c.ports = c.ports.map((p: unknown, j: number) => {
      if (typeof p !== 'number') return p;
      const port = picker.take(p);
      const field = version <= 3 ? `ports[${j}]` : `compose[${i}].ports[${j}]`;
      if (port !== p)
        notes.changed(
          field,
          p,
          `published on ${port}: public ports are ${opts.limits.ports.min}–${opts.limits.ports.max}, each used once`,
        );
      return port;
    });
  });
}
