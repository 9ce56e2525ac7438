/**
 * The checks of one app component: its fields, ports (unique across the app, not reserved),
 * environment, commands, data path and resources within the largest tier.
 */
import { checkContainerData, checkDescription, checkName, checkResource } from './check-values.ts';
import { checkSecrets } from './check-nodes.ts';
import { arrayOf, type Issues, isRecord, num, str, typeName, unknownKeys } from './fields.ts';
import { isBlockedImage, parseImageReference, repositoryName } from './image-ref.ts';
import { type AppSpecLimits, portIsReserved, type Resources } from './limits.ts';
import type { AppComponent } from './schema.ts';

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
  'secrets',
  'writableRootFilesystem',
];
const ENV = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export interface SeenPort {
  port: number;
  field: string;
}

export function checkComponent(
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
      else if (isBlockedImage(repositoryName(parsed.ref), limits.images.blocked))
        issues.add(`${at}.repotag`, repotag, 'image-blocked', 'this image is on the network’s blocklist');
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
      const [, name = ''] = m;
      const first = keys.get(name);
      if (first !== undefined) {
        issues.add(
          field,
          entry,
          'env-duplicate',
          `variable ${name} is already set by environmentParameters[${first}]`,
        );
      } else keys.set(name, i);
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

  const secrets = checkSecrets(raw, at, issues);
  const writable = raw.writableRootFilesystem;
  if (writable !== undefined && typeof writable !== 'boolean') {
    issues.add(
      `${at}.writableRootFilesystem`,
      writable,
      'type',
      `writableRootFilesystem must be true or false, not ${typeName(writable)}`,
    );
  }

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
    ...(secrets !== undefined && { secrets }),
    // Only `true` is kept: false and absent are the same spec, with the same hash.
    ...(writable === true ? { writableRootFilesystem: true as const } : {}),
  };
}
