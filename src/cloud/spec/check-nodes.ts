/**
 * The checks of an app's `nodes` (the only nodes that may run it, by collateral) and of each
 * component's sealed `secrets`: one box per named node, and only for named nodes, so every node
 * that may run the app can start every component, and nothing is sealed for a node that never will.
 */
import { sealedBoxShapeProblem } from '../secrets/sealed-box.ts';
import { arrayOf, type Issues, isRecord, typeName } from './fields.ts';
import type { AppSpecLimits } from './limits.ts';
import type { AppComponent, SealedSecret } from './schema.ts';

const COLLATERAL = /^[0-9a-f]{64}:\d{1,10}$/;
/** A box holds a component's secret environment: at most the spec's 20 entries of 400 characters, sealed and base64. */
export const MAX_SEALED_BOX_CHARS = 12_000;

export function checkNodes(
  raw: Record<string, unknown>,
  instances: number | undefined,
  limits: AppSpecLimits,
  issues: Issues,
): string[] | undefined {
  if (raw.nodes === undefined) return undefined;
  const list = arrayOf(raw, 'nodes', 'nodes', issues, 'string');
  if (!list) return undefined;
  if (list.length > limits.instances.max)
    issues.add('nodes', list.length, 'nodes-count', `at most ${limits.instances.max} nodes may be named`);
  const seen = new Map<string, number>();
  list.forEach((id, i) => {
    if (!COLLATERAL.test(id))
      issues.add(
        `nodes[${i}]`,
        id,
        'node-format',
        'a node is named by its collateral: 64 lowercase hex digits, a colon and the output number',
      );
    const first = seen.get(id);
    if (first !== undefined) issues.add(`nodes[${i}]`, id, 'node-duplicate', `same node as nodes[${first}]`);
    else seen.set(id, i);
  });
  if (list.length === 0)
    issues.add(
      'nodes',
      list,
      'nodes-empty',
      'leave nodes out to let any node run the app, or name at least one',
    );
  else if (instances !== undefined && list.length < instances)
    issues.add(
      'nodes',
      list.length,
      'nodes-too-few',
      `${instances} instances need at least ${instances} named nodes (one instance per node)`,
    );
  return list;
}

export function checkSecrets(
  raw: Record<string, unknown>,
  at: string,
  issues: Issues,
): SealedSecret[] | undefined {
  const value = raw.secrets;
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    issues.add(
      `${at}.secrets`,
      value,
      'type',
      `secrets must be a list of {node, box}, not ${typeName(value)}`,
    );
    return undefined;
  }
  const out: SealedSecret[] = [];
  value.forEach((entry, i) => {
    const field = `${at}.secrets[${i}]`;
    if (
      !isRecord(entry) ||
      typeof entry.node !== 'string' ||
      typeof entry.box !== 'string' ||
      Object.keys(entry).length !== 2
    ) {
      issues.add(field, entry, 'secret-format', 'each sealed secret is {node, box}, both strings');
      return;
    }
    const problem =
      entry.box.length > MAX_SEALED_BOX_CHARS
        ? `a sealed box is at most ${MAX_SEALED_BOX_CHARS} characters`
        : sealedBoxShapeProblem(entry.box);
    if (problem !== undefined)
      issues.add(`${field}.box`, `${entry.box.slice(0, 24)}…`, 'secret-box', problem);
    out.push({ node: entry.node, box: entry.box });
  });
  return out;
}

/** Every component with secrets has exactly one box per named node, and the app names its nodes. */
export function checkSecretsCoverNodes(
  components: readonly AppComponent[],
  nodes: readonly string[] | undefined,
  issues: Issues,
): void {
  components.forEach((c, ci) => {
    if (c.secrets === undefined) return;
    const at = `components[${ci}].secrets`;
    if (nodes === undefined) {
      issues.add(
        at,
        c.secrets.length,
        'secrets-need-nodes',
        'sealed secrets need the app to name its nodes (nodes): each box opens on one node only',
      );
      return;
    }
    const named = new Set(nodes);
    const boxed = new Map<string, number>();
    c.secrets.forEach((s, i) => {
      if (!named.has(s.node))
        issues.add(
          `${at}[${i}].node`,
          s.node,
          'secret-node-unnamed',
          'sealed for a node the app does not name in nodes',
        );
      if (boxed.has(s.node))
        issues.add(
          `${at}[${i}].node`,
          s.node,
          'secret-node-duplicate',
          `a second box for the node of ${at}[${boxed.get(s.node)}]`,
        );
      else boxed.set(s.node, i);
    });
    for (const node of nodes)
      if (!boxed.has(node))
        issues.add(
          at,
          node,
          'secret-node-missing',
          `no box for named node ${node}: it could not start this component`,
        );
  });
}
