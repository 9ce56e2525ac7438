/**
 * The app specification: what an owner asks the network to run. Modelled on FluxOS app specs
 * (a list of docker components with public ports, resources and a lifetime in blocks) but with
 * its own version numbering: this is version 1 of fluxnode's format.
 */

export const APP_SPEC_VERSION = 1;

/** One docker container of an app. */
export interface AppComponent {
  /** Letters and digits; unique inside the app; becomes part of the container name. */
  name: string;
  description: string;
  /** Image reference in Docker's grammar, e.g. `127.0.0.1:5000/hello/busybox:1.36`. */
  repotag: string;
  /** Public ports opened on the node, one per entry of `containerPorts`. */
  ports: number[];
  /** Ports inside the container that `ports` forward to, pairwise. */
  containerPorts: number[];
  /** `KEY=value` strings. */
  environmentParameters: string[];
  /** The container's command line (replaces the image's CMD when non-empty). */
  commands: string[];
  /** Absolute path inside the container where the node mounts the app's persistent folder. */
  containerData: string;
  /** Cores, in steps of 0.1. */
  cpu: number;
  /** Megabytes, in steps of 100. */
  ram: number;
  /** Gigabytes, whole numbers. */
  hdd: number;
  /**
   * fluxnode's extension (FluxOS specs have no such field): the container's root filesystem stays
   * writable. Absent means read-only, and a validated spec carries the field only when true, so
   * specs without it keep their hash.
   */
  writableRootFilesystem?: true;
  /**
   * Environment entries only the named nodes can read: one sealed box per node of the app's
   * `nodes` (cloud/secrets/sealed-box.ts). Absent when the component has none.
   */
  secrets?: SealedSecret[];
}

/** `KEY=value` entries sealed for one node, named by its collateral (`txid:n`). */
export interface SealedSecret {
  node: string;
  box: string;
}

/** A validated app spec: every field present, defaults filled in. This is the form that is hashed. */
export interface AppSpec {
  version: typeof APP_SPEC_VERSION;
  /** Letters and digits; the app's identity on the network. */
  name: string;
  description: string;
  /** The Flux P2PKH address (`t1…` on mainnet) that signs the spec and pays for it. */
  owner: string;
  components: AppComponent[];
  /** How many nodes should run the app at once. */
  instances: number;
  /** Lifetime in blocks, counted from the registration block. */
  expire: number;
  /** Location rules: `ac<place>` allows, `a!c<place>` forbids; a place is `<continent>[_<country>[_<region>]]`. */
  geolocation: string[];
  /**
   * The only nodes that may run the app, by collateral (`txid:n`), as FluxOS v7's `nodes` field
   * names them by address. Absent when any node may; required for sealed secrets.
   */
  nodes?: string[];
}

declare const validated: unique symbol;

/**
 * An AppSpec that passed `validateAppSpec`: only that function makes one, so code that takes a
 * ValidSpec (pricing, registry, announcements, placement, runtime) never validates it again. A
 * spec is validated once, where it enters: RPC, a gossiped announcement, or the spec store on disk.
 */
export type ValidSpec = AppSpec & { readonly [validated]: true };

/** One thing wrong with a spec: where (a path such as `components[0].ports[1]`), what, and which rule. */
export interface AppSpecIssue {
  field: string;
  value: unknown;
  rule: string;
  message: string;
}

/** Thrown when a spec cannot be read or breaks rules; `issues` lists every problem found, not just the first. */
export class AppSpecError extends Error {
  readonly issues: AppSpecIssue[];

  constructor(issues: AppSpecIssue[]) {
    super(
      issues.length === 1 && issues[0]
        ? `invalid app spec: ${formatIssue(issues[0])}`
        : `invalid app spec (${issues.length} problems):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.name = 'AppSpecError';
    this.issues = issues;
  }
}

/** `components[0].ports[1] = 30000 [port-range]: public port must be between 31000 and 39999` */
export function formatIssue(issue: AppSpecIssue): string {
  const where = issue.field === '' ? '(spec)' : issue.field;
  return `${where} = ${showValue(issue.value)} [${issue.rule}]: ${issue.message}`;
}

/** A short, unambiguous rendering of a value for error messages (long strings are cut). */
export function showValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text = typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
