/**
 * App specs: text (JSON or YAML, mutated from the examples) is parsed and any value is validated;
 * the only acceptable failure is an AppSpecError listing issues. A spec that validates validates
 * again to the same value (validation is idempotent).
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { parseAppSpec } from '../../../src/cloud/spec/parse.ts';
import { AppSpecError } from '../../../src/cloud/spec/schema.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { type FuzzTarget, onlyTyped } from '../target.ts';
import { at } from '../../support/at.ts';

const example = (name: string) => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');
const texts = [example('hello-app.yaml'), example('relay-app.json')];
const specs = [
  parseYaml(at(texts, 0)) as Record<string, unknown>,
  JSON.parse(at(texts, 1)) as Record<string, unknown>,
];

/** A real spec with one field (top level or in the first component) replaced by anything. */
const mutatedSpec = fc
  .tuple(fc.constantFrom(...specs), fc.boolean(), fc.nat(), fc.anything({ maxDepth: 3 }))
  .map(([spec, inComponent, pick, value]) => {
    const copy = structuredClone(spec);
    const components = copy.components as Record<string, unknown>[];
    const target = inComponent && components?.[0] ? components[0] : copy;
    const keys = Object.keys(target);
    target[keys[pick % keys.length] ?? 'x'] = value;
    return copy as unknown;
  });

const mutatedText = fc
  .tuple(fc.constantFrom(...texts), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 20 }))
  .map(([text, at, cut, insert]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + cut);
  });

const isSpecError = (err: unknown) => err instanceof AppSpecError;

export const specTargets: FuzzTarget[] = [
  {
    name: 'spec-validate',
    input: fc.oneof({ weight: 3, arbitrary: mutatedSpec }, { weight: 1, arbitrary: fc.anything() }),
    check: (raw) => {
      let spec: unknown;
      const finding = onlyTyped(() => {
        spec = validateAppSpec(raw, DEVNET_APP_LIMITS);
      }, isSpecError);
      if (finding || spec === undefined) return finding;
      const again = validateAppSpec(spec, DEVNET_APP_LIMITS);
      return isDeepStrictEqual(again, spec) ? undefined : 'validating a valid spec again changed it';
    },
  },
  {
    name: 'spec-parse',
    input: fc.oneof(
      { weight: 3, arbitrary: mutatedText },
      { weight: 1, arbitrary: fc.string({ maxLength: 500 }) },
    ),
    check: (text) =>
      onlyTyped(() => {
        const raw = parseAppSpec(text as string);
        try {
          validateAppSpec(raw, DEVNET_APP_LIMITS);
        } catch (err) {
          if (!isSpecError(err)) throw err;
        }
      }, isSpecError),
  },
];
