/**
 * Checks a parsed spec against the rules and the limits passed in, and returns the typed spec with
 * defaults filled in, or throws AppSpecError listing every problem found (not just the first), each
 * naming the field, the value and the rule. Hand-written rather than a schema library so that one
 * bad field never hides the others and each message can say exactly which bound was crossed.
 */
import { parseGeolocation } from './geolocation.ts';
import { parseImageReference } from './image-ref.ts';
import { type AppSpecLimits, largestTier, portIsReserved, type Resources } from './limits.ts';
import { ownerAddressProblem } from './owner.ts';
import {
  APP_SPEC_VERSION,
  type AppComponent,
  type AppSpec,
  AppSpecError,
  type AppSpecIssue,
  type ValidSpec,
} from './schema.ts';

const APP_KEYS = [
  'version',
  'name',
  'description',
  'owner',
  'components',
  'instances',
  'expire',
  'geolocation',
];
const COMPONENT_KEYS = [
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
];
const NAME = /^[a-zA-Z0-9]+$/;
const ENV = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

class Issues {
  readonly list: AppSpecIssue[] = [];

  add(field: string, value: unknown, rule: string, message: string): void {
    this.list.push({ field, value, rule, message });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Reads a field that must be a string; reports `required`/`type` and returns undefined when it is not. */
function str(obj: Record<string, unknown>, key: string, path: string, issues: Issues, fallback?: string) {
  const v = obj[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    issues.add(path, v, 'required', `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    issues.add(path, v, 'type', `${key} must be a string, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

function num(obj: Record<string, unknown>, key: string, path: string, issues: Issues, fallback?: number) {
  const v = obj[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    issues.add(path, v, 'required', `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    issues.add(path, v, 'type', `${key} must be a number, not ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** An integer field within [min, max]; `rule` names the bound. */
function int(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  bounds: { min: number; max: number; rule: string; unit?: string },
  fallback?: number,
) {
  const v = num(obj, key, path, issues, fallback);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) {
    issues.add(path, v, 'integer', `${key} must be a whole number`);
    return undefined;
  }
  if (v < bounds.min || v > bounds.max) {
    const unit = bounds.unit ? ` ${bounds.unit}` : '';
    issues.add(path, v, bounds.rule, `${key} must be between ${bounds.min} and ${bounds.max}${unit}`);
    return undefined;
  }
  return v;
}

function arrayOf<T extends 'string' | 'number'>(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  itemType: T,
): (T extends 'string' ? string : number)[] | undefined {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.add(path, v, 'type', `${key} must be a list of ${itemType}s, not ${typeName(v)}`);
    return undefined;
  }
  let ok = true;
  v.forEach((item, i) => {
    const good =
      itemType === 'number' ? typeof item === 'number' && Number.isFinite(item) : typeof item === itemType;
    if (!good) {
      issues.add(
        `${path}[${i}]`,
        item,
        'type',
        `each entry of ${key} must be a ${itemType}, not ${typeName(item)}`,
      );
      ok = false;
    }
  });
  return ok ? (v as (T extends 'string' ? string : number)[]) : undefined;
}

function unknownKeys(obj: Record<string, unknown>, allowed: string[], prefix: string, issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      issues.add(
        `${prefix}${key}`,
        obj[key],
        'unknown-field',
        `unknown field "${key}" (allowed: ${allowed.join(', ')})`,
      );
    }
  }
}

function checkName(name: string, path: string, what: string, limits: AppSpecLimits, issues: Issues): boolean {
  const { minLength, maxLength, reservedPrefixes, reserved } = limits.name;
  if (name.length < minLength || name.length > maxLength) {
    issues.add(path, name, 'name-length', `${what} must be ${minLength} to ${maxLength} characters long`);
    return false;
  }
  if (!NAME.test(name)) {
    issues.add(path, name, 'name-format', `${what} may contain only letters a-z, A-Z and digits 0-9`);
    return false;
  }
  const lower = name.toLowerCase();
  const prefix = reservedPrefixes.find((p) => lower.startsWith(p));
  if (prefix !== undefined) {
    issues.add(
      path,
      name,
      'name-reserved',
      `${what} must not start with "${prefix}" (reserved for the node itself)`,
    );
    return false;
  }
  if (reserved.includes(lower)) {
    issues.add(path, name, 'name-reserved', `${what} "${name}" is reserved`);
    return false;
  }
  return true;
}

function checkDescription(
  text: string,
  path: string,
  min: number,
  limits: AppSpecLimits,
  issues: Issues,
): boolean {
  const max = limits.descriptionMaxLength;
  if (text.length < min || text.length > max) {
    issues.add(path, text, 'description-length', `description must be ${min} to ${max} characters long`);
    return false;
  }
  return true;
}

function checkResource(
  kind: 'cpu' | 'ram' | 'hdd',
  value: number,
  path: string,
  limits: AppSpecLimits,
  max: Resources,
  issues: Issues,
): boolean {
  const min = limits.minComponent[kind];
  const step =
    kind === 'cpu'
      ? 'a multiple of 0.1 cores'
      : kind === 'ram'
        ? 'a multiple of 100 MB'
        : 'a whole number of GB';
  const onStep =
    kind === 'cpu'
      ? Math.round(value * 10) / 10 === value
      : kind === 'ram'
        ? value % 100 === 0
        : Number.isInteger(value);
  const unit = kind === 'cpu' ? 'cores' : kind === 'ram' ? 'MB' : 'GB';
  if (!onStep) {
    issues.add(path, value, `${kind}-step`, `${kind} must be ${step}`);
    return false;
  }
  if (value < min) {
    issues.add(path, value, `${kind}-min`, `${kind} must be at least ${min} ${unit}`);
    return false;
  }
  if (value > max[kind]) {
    issues.add(
      path,
      value,
      `${kind}-max`,
      `${kind} must be at most ${max[kind]} ${unit}, the most any node tier offers`,
    );
    return false;
  }
  return true;
}

function checkContainerData(value: string, path: string, limits: AppSpecLimits, issues: Issues): boolean {
  if (value.length > limits.containerDataMaxLength) {
    issues.add(
      path,
      value,
      'container-data-length',
      `path must be at most ${limits.containerDataMaxLength} characters`,
    );
    return false;
  }
  if (!value.startsWith('/')) {
    issues.add(
      path,
      value,
      'container-data-absolute',
      'containerData must be an absolute path inside the container',
    );
    return false;
  }
  if (CONTROL.test(value) || value.includes(':')) {
    issues.add(
      path,
      value,
      'container-data-format',
      'containerData must not contain ":" or control characters',
    );
    return false;
  }
  const segments = value.split('/');
  if (segments.some((s) => s === '..' || s === '.')) {
    issues.add(
      path,
      value,
      'container-data-traversal',
      'containerData must not contain "." or ".." segments',
    );
    return false;
  }
  if (segments.every((s) => s === '')) {
    issues.add(path, value, 'container-data-root', 'containerData must not be the container root "/"');
    return false;
  }
  return true;
}

interface SeenPort {
  port: number;
  field: string;
}

function checkComponent(
  raw: unknown,
  index: number,
  limits: AppSpecLimits,
  maxTier: Resources,
  seenPorts: SeenPort[],
  componentNames: Map<string, string>,
  issues: Issues,
): AppComponent | undefined {
  const at = `components[${index}]`;
  if (!isRecord(raw)) {
    issues.add(at, raw, 'type', `each component must be an object, not ${typeName(raw)}`);
    return undefined;
  }
  const before = issues.list.length;
  unknownKeys(raw, COMPONENT_KEYS, `${at}.`, issues);

  const name = str(raw, 'name', `${at}.name`, issues);
  if (name !== undefined && checkName(name, `${at}.name`, 'component name', limits, issues)) {
    const first = componentNames.get(name.toLowerCase());
    if (first !== undefined) {
      issues.add(
        `${at}.name`,
        name,
        'component-name-duplicate',
        `component name is already used by ${first}`,
      );
    } else componentNames.set(name.toLowerCase(), `${at}.name`);
  }
  const description = str(raw, 'description', `${at}.description`, issues, '');
  if (description !== undefined) checkDescription(description, `${at}.description`, 0, limits, issues);

  const repotag = str(raw, 'repotag', `${at}.repotag`, issues);
  if (repotag !== undefined) {
    if (repotag.length > limits.repotagMaxLength) {
      issues.add(
        `${at}.repotag`,
        repotag,
        'image-length',
        `image reference must be at most ${limits.repotagMaxLength} characters`,
      );
    } else {
      const parsed = parseImageReference(repotag);
      if (!parsed.ok) issues.add(`${at}.repotag`, repotag, parsed.rule, parsed.message);
    }
  }

  const ports = arrayOf(raw, 'ports', `${at}.ports`, issues, 'number');
  if (ports) {
    if (ports.length > limits.ports.perComponent) {
      issues.add(
        `${at}.ports`,
        ports,
        'ports-per-component',
        `a component may publish at most ${limits.ports.perComponent} ports`,
      );
    }
    ports.forEach((port, i) => {
      const field = `${at}.ports[${i}]`;
      if (!Number.isInteger(port) || port < limits.ports.min || port > limits.ports.max) {
        issues.add(
          field,
          port,
          'port-range',
          `public port must be a whole number from ${limits.ports.min} to ${limits.ports.max}`,
        );
        return;
      }
      if (portIsReserved(port, limits.ports.reserved)) {
        issues.add(field, port, 'port-reserved', `public port ${port} is reserved and not allowed for apps`);
        return;
      }
      const dup = seenPorts.find((s) => s.port === port);
      if (dup)
        issues.add(field, port, 'port-duplicate', `public port ${port} is already used by ${dup.field}`);
      else seenPorts.push({ port, field });
    });
  }
  const containerPorts = arrayOf(raw, 'containerPorts', `${at}.containerPorts`, issues, 'number');
  if (containerPorts) {
    containerPorts.forEach((port, i) => {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        issues.add(
          `${at}.containerPorts[${i}]`,
          port,
          'container-port-range',
          'container port must be a whole number from 1 to 65535',
        );
      }
    });
    if (ports && containerPorts.length !== ports.length) {
      issues.add(
        `${at}.containerPorts`,
        containerPorts,
        'container-ports-mismatch',
        `containerPorts has ${containerPorts.length} entries but ports has ${ports.length}: they pair up one to one`,
      );
    }
  }

  const env = arrayOf(raw, 'environmentParameters', `${at}.environmentParameters`, issues, 'string');
  if (env) {
    if (env.length > limits.env.maxCount) {
      issues.add(
        `${at}.environmentParameters`,
        env,
        'env-count',
        `at most ${limits.env.maxCount} environment variables are allowed`,
      );
    }
    const keys = new Map<string, number>();
    env.forEach((entry, i) => {
      const field = `${at}.environmentParameters[${i}]`;
      if (entry.length > limits.env.maxLength) {
        issues.add(
          field,
          entry,
          'env-length',
          `environment entry must be at most ${limits.env.maxLength} characters`,
        );
        return;
      }
      const m = ENV.exec(entry);
      if (!m || entry.includes('\u0000')) {
        issues.add(
          field,
          entry,
          'env-format',
          'environment entry must be KEY=value, KEY made of letters, digits and "_" not starting with a digit',
        );
        return;
      }
      const first = keys.get(m[1]);
      if (first !== undefined) {
        issues.add(
          field,
          entry,
          'env-duplicate',
          `variable ${m[1]} is already set by environmentParameters[${first}]`,
        );
      } else keys.set(m[1], i);
    });
  }

  const commands = arrayOf(raw, 'commands', `${at}.commands`, issues, 'string');
  if (commands) {
    if (commands.length > limits.commands.maxCount) {
      issues.add(
        `${at}.commands`,
        commands,
        'commands-count',
        `at most ${limits.commands.maxCount} command arguments are allowed`,
      );
    }
    commands.forEach((arg, i) => {
      const field = `${at}.commands[${i}]`;
      if (arg.length > limits.commands.maxLength) {
        issues.add(
          field,
          arg,
          'command-length',
          `command argument must be at most ${limits.commands.maxLength} characters`,
        );
      } else if (arg.includes('\u0000')) {
        issues.add(field, arg, 'command-format', 'command argument must not contain NUL characters');
      }
    });
  }

  const containerData = str(raw, 'containerData', `${at}.containerData`, issues);
  if (containerData !== undefined) checkContainerData(containerData, `${at}.containerData`, limits, issues);

  const cpu = num(raw, 'cpu', `${at}.cpu`, issues);
  if (cpu !== undefined) checkResource('cpu', cpu, `${at}.cpu`, limits, maxTier, issues);
  const ram = num(raw, 'ram', `${at}.ram`, issues);
  if (ram !== undefined) checkResource('ram', ram, `${at}.ram`, limits, maxTier, issues);
  const hdd = num(raw, 'hdd', `${at}.hdd`, issues);
  if (hdd !== undefined) checkResource('hdd', hdd, `${at}.hdd`, limits, maxTier, issues);

  if (issues.list.length !== before) return undefined;
  return {
    name: name!,
    description: description!,
    repotag: repotag!,
    ports: ports!,
    containerPorts: containerPorts!,
    environmentParameters: env!,
    commands: commands!,
    containerData: containerData!,
    cpu: cpu!,
    ram: ram!,
    hdd: hdd!,
  };
}

function checkGeolocation(
  raw: Record<string, unknown>,
  limits: AppSpecLimits,
  issues: Issues,
): string[] | undefined {
  const list = arrayOf(raw, 'geolocation', 'geolocation', issues, 'string');
  if (!list) return undefined;
  if (list.length > limits.geolocationMaxCount) {
    issues.add(
      'geolocation',
      list,
      'geolocation-count',
      `at most ${limits.geolocationMaxCount} location rules are allowed`,
    );
  }
  const seen = new Map<string, { allow: boolean; index: number }>();
  list.forEach((text, i) => {
    const field = `geolocation[${i}]`;
    const parsed = parseGeolocation(text);
    if (!parsed.ok) {
      issues.add(field, text, parsed.rule, parsed.message);
      return;
    }
    const place = `${parsed.rule.continent}_${parsed.rule.country ?? ''}`;
    const prior = seen.get(place);
    if (prior === undefined) seen.set(place, { allow: parsed.rule.allow, index: i });
    else if (prior.allow === parsed.rule.allow) {
      issues.add(field, text, 'geolocation-duplicate', `same location as geolocation[${prior.index}]`);
    } else {
      issues.add(
        field,
        text,
        'geolocation-conflict',
        `geolocation[${prior.index}] says the opposite for the same location`,
      );
    }
  });
  return list;
}

/**
 * Validates a parsed spec (from `parseAppSpec` or any JSON-like value) against `limits`.
 * Returns the typed spec with optional fields filled (`expire` = limits.expire.default, empty lists),
 * or throws AppSpecError listing every issue.
 */
export function validateAppSpec(raw: unknown, limits: AppSpecLimits): ValidSpec {
  const issues = new Issues();
  if (!isRecord(raw)) {
    issues.add('', raw, 'type', `an app spec must be an object, not ${typeName(raw)}`);
    throw new AppSpecError(issues.list);
  }
  unknownKeys(raw, APP_KEYS, '', issues);

  const version = num(raw, 'version', 'version', issues);
  if (version !== undefined && version !== APP_SPEC_VERSION) {
    issues.add(
      'version',
      version,
      'version',
      `unsupported spec version (this node reads version ${APP_SPEC_VERSION})`,
    );
  }

  const name = str(raw, 'name', 'name', issues);
  if (name !== undefined) checkName(name, 'name', 'app name', limits, issues);
  const description = str(raw, 'description', 'description', issues);
  if (description !== undefined) checkDescription(description, 'description', 1, limits, issues);

  const owner = str(raw, 'owner', 'owner', issues);
  if (owner !== undefined) {
    const problem = ownerAddressProblem(owner, limits.ownerAddressVersions);
    if (problem) issues.add('owner', owner, 'owner-address', problem);
  }

  const instances = int(raw, 'instances', 'instances', issues, {
    ...limits.instances,
    rule: 'instances-range',
  });
  const expire = int(
    raw,
    'expire',
    'expire',
    issues,
    { min: limits.expire.min, max: limits.expire.max, rule: 'expire-range', unit: 'blocks' },
    limits.expire.default,
  );
  if (expire !== undefined && expire % limits.expire.step !== 0) {
    issues.add('expire', expire, 'expire-step', `expire must be a multiple of ${limits.expire.step} blocks`);
  }
  const geolocation = checkGeolocation(raw, limits, issues);

  const components: AppComponent[] = [];
  const rawComponents = raw['components'];
  if (rawComponents === undefined)
    issues.add('components', rawComponents, 'required', 'components is required');
  else if (!Array.isArray(rawComponents)) {
    issues.add(
      'components',
      rawComponents,
      'type',
      `components must be a list, not ${typeName(rawComponents)}`,
    );
  } else {
    const { min, max } = limits.components;
    if (rawComponents.length < min || rawComponents.length > max) {
      issues.add(
        'components',
        rawComponents.length,
        'components-count',
        `an app has ${min} to ${max} components`,
      );
    }
    const maxTier = largestTier(limits);
    const seenPorts: SeenPort[] = [];
    const names = new Map<string, string>();
    rawComponents.forEach((c, i) => {
      const component = checkComponent(c, i, limits, maxTier, seenPorts, names, issues);
      if (component) components.push(component);
    });
    if (seenPorts.length > limits.ports.total) {
      issues.add(
        'components',
        seenPorts.length,
        'ports-total',
        `an app may publish at most ${limits.ports.total} ports in all`,
      );
    }
    if (components.length === rawComponents.length && components.length > 0) {
      // All components share one node, so together they must fit the largest tier.
      const total = { cpu: 0, ram: 0, hdd: 0 };
      for (const c of components) {
        total.cpu = Math.round((total.cpu + c.cpu) * 10) / 10;
        total.ram += c.ram;
        total.hdd += c.hdd;
      }
      for (const kind of ['cpu', 'ram', 'hdd'] as const) {
        if (total[kind] > maxTier[kind]) {
          issues.add(
            'components',
            total[kind],
            `app-${kind}-max`,
            `the components together ask for ${total[kind]} ${kind === 'cpu' ? 'cores' : kind === 'ram' ? 'MB' : 'GB'} of ${kind}, more than the ${maxTier[kind]} any node tier offers`,
          );
        }
      }
    }
  }

  if (issues.list.length > 0) throw new AppSpecError(issues.list);
  const spec: AppSpec = {
    version: APP_SPEC_VERSION,
    name: name!,
    description: description!,
    owner: owner!,
    components,
    instances: instances!,
    expire: expire!,
    geolocation: geolocation!,
  };
  // The one place a ValidSpec is made: every check above has passed.
  return spec as ValidSpec;
}
