/**
 * Checks a parsed spec against the rules and the limits passed in, and returns the typed spec with
 * defaults filled in, or throws AppSpecError listing every problem found (not just the first), each
 * naming the field, the value and the rule. Hand-written rather than a schema library so that one
 * bad field never hides the others and each message can say exactly which bound was crossed.
 */
import { checkComponent, type SeenPort } from './check-component.ts';
import { checkNodes, checkSecretsCoverNodes } from './check-nodes.ts';
import { checkDescription, checkName } from './check-values.ts';
import { arrayOf, int, Issues, isRecord, num, str, typeName, unknownKeys } from './fields.ts';
import { parseGeolocation, rulePlace } from './geolocation.ts';
import { type AppSpecLimits, largestTier } from './limits.ts';
import { ownerAddressProblem } from './owner.ts';
import { APP_SPEC_VERSION, type AppComponent, type AppSpec, AppSpecError, type ValidSpec } from './schema.ts';

const APP_KEYS = [
  'version',
  'name',
  'description',
  'owner',
  'components',
  'instances',
  'expire',
  'geolocation',
  'nodes',
];

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
    const place = rulePlace(parsed.rule);
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
  const nodes = checkNodes(raw, instances, limits, issues);

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

  checkSecretsCoverNodes(components, nodes, issues);

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
    ...(nodes !== undefined && { nodes }),
  };
  // The one place a ValidSpec is made: every check above has passed.
  return spec as ValidSpec;
}
