/**
 * Spec checks for single values shared by the app and its components: names, descriptions,
 * resources (cpu, ram, hdd) and the container data path.
 */
import type { Issues } from './fields.ts';
import { splitContainerData } from './data-mode.ts';
import type { AppSpecLimits, Resources } from './limits.ts';

const NAME = /^[a-zA-Z0-9]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkName(
  name: string,
  path: string,
  what: string,
  limits: AppSpecLimits,
  issues: Issues,
): boolean {
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

export function checkDescription(
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

export function checkResource(
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

export function checkContainerData(
  value: string,
  path: string,
  limits: AppSpecLimits,
  issues: Issues,
): boolean {
  if (value.length > limits.containerDataMaxLength) {
    issues.add(
      path,
      value,
      'container-data-length',
      `path must be at most ${limits.containerDataMaxLength} characters`,
    );
    return false;
  }
  if (value.includes('|')) {
    issues.add(
      path,
      value,
      'container-data-reference',
      'containerData may not mount another component\'s folder ("|0:/path"): give each component its own',
    );
    return false;
  }
  const parts = splitContainerData(value);
  if (parts.prefix !== undefined) {
    issues.add(
      path,
      value,
      'container-data-mode',
      `containerData mode "${parts.prefix}:" is unknown: use s: (sync), r: (receive first) or g: (primary/standby), or no prefix`,
    );
    return false;
  }
  return checkDataPath(parts.path, value, path, issues);
}

function checkDataPath(target: string, value: string, path: string, issues: Issues): boolean {
  if (!target.startsWith('/')) {
    issues.add(
      path,
      value,
      'container-data-absolute',
      'containerData must be an absolute path inside the container',
    );
    return false;
  }
  if (CONTROL.test(target) || target.includes(':')) {
    issues.add(
      path,
      value,
      'container-data-format',
      'containerData must not contain ":" (other than a mode prefix s:, r:, g:) or control characters',
    );
    return false;
  }
  const segments = target.split('/');
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
