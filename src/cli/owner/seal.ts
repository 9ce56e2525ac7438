/**
 * Sealing an app's secrets for the nodes it names: each component's secret `KEY=value` entries are
 * sealed once per node of the spec's `nodes`, to the operator key that node registered (read from
 * any node's `GET /nodes/:collateral`). The plaintext stays in this process; the spec that comes out
 * carries only boxes, and is signed and paid for as any other.
 */
import { sealSecrets } from '../../cloud/index.ts';
import { fromHex } from '../../consensus/index.ts';
import { CliError } from '../output.ts';

const ENV = /^[A-Za-z_][A-Za-z0-9_]*=/;

export interface NodeKeySource {
  get<T>(path: string): Promise<T>;
}

/** Component name → `KEY=value` entries, from a map of lists or a map of maps (YAML or JSON). */
export function secretEntries(doc: unknown): Map<string, string[]> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CliError('the secrets file maps component names to KEY=value lists (or KEY: value maps)', 2);
  const out = new Map<string, string[]>();
  for (const [component, value] of Object.entries(doc)) {
    const entries = Array.isArray(value)
      ? value.map(String)
      : typeof value === 'object' && value !== null
        ? Object.entries(value).map(([k, v]) => `${k}=${String(v)}`)
        : undefined;
    if (entries === undefined)
      throw new CliError(
        `secrets for component "${component}" must be a KEY=value list or a KEY: value map`,
        2,
      );
    const bad = entries.findIndex((e) => !ENV.test(e));
    // The entry itself is a secret: name where it is, never what it says.
    if (bad >= 0) throw new CliError(`secrets for "${component}", entry ${bad + 1}: expected KEY=value`, 2);
    out.set(component, entries);
  }
  return out;
}

/** The operator public keys of the named nodes, as the registry holds them. */
async function nodeKeys(api: NodeKeySource, nodes: readonly string[]): Promise<Map<string, Uint8Array>> {
  const keys = new Map<string, Uint8Array>();
  for (const node of nodes) {
    let view: { pubkey?: string; status?: string };
    try {
      view = await api.get(`/nodes/${encodeURIComponent(node)}`);
    } catch (err) {
      throw new CliError(`cannot read node ${node}: ${err instanceof Error ? err.message : String(err)}`, 1);
    }
    if (typeof view.pubkey !== 'string')
      throw new CliError(`node ${node} has no operator key in the registry`, 1);
    keys.set(node, fromHex(view.pubkey));
  }
  return keys;
}

/** Returns `spec` with each listed component's `secrets` sealed for every node in `spec.nodes`. */
export async function sealSpecSecrets(
  spec: Record<string, unknown>,
  secrets: Map<string, string[]>,
  api: NodeKeySource,
): Promise<Record<string, unknown>> {
  const nodes = spec.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every((n) => typeof n === 'string'))
    throw new CliError(
      'the spec must name its nodes ("nodes": ["txid:n", …]) before secrets can be sealed for them',
      2,
    );
  const components = Array.isArray(spec.components) ? (spec.components as Record<string, unknown>[]) : [];
  const names = components.map((c) => c.name);
  for (const component of secrets.keys())
    if (!names.includes(component))
      throw new CliError(
        `the secrets file names component "${component}", which the spec does not have (${names.join(', ')})`,
        2,
      );
  const keys = await nodeKeys(api, nodes as string[]);
  const app = String(spec.name);
  return {
    ...spec,
    components: components.map((c) => {
      const entries = secrets.get(String(c.name));
      if (entries === undefined) return c;
      const sealed = (nodes as string[]).map((node) => ({
        node,
        box: sealSecrets(entries, keys.get(node)!, { app, component: String(c.name), node }),
      }));
      return { ...c, secrets: sealed };
    }),
  };
}
