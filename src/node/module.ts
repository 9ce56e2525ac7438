/**
 * The unit the composition root is made of: a service or a role (miner, stratum, cloud agent,
 * fluxnode operator) with an `open()` and a `close()`. The root adds modules in dependency order;
 * `ModuleStack` opens them in that order and closes them in the reverse one, so nothing is closed
 * while something opened after it still uses it.
 */
export interface NodeModule {
  readonly name: string;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** A module opened in the middle of the stack failed; the ones before it were closed again. */
export class ModuleOpenError extends Error {
  readonly module: string;

  constructor(module: string, cause: unknown) {
    super(`${module} failed to open: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ModuleOpenError';
    this.module = module;
  }
}

/**
 * Modules in the order they were added. `open()` opens each in turn; if module k fails, modules
 * 1..k−1 are closed in reverse and the failure is thrown. `close()` closes every opened module in
 * reverse, going on past a failing one (the chain database must still be closed) and throwing
 * the first failure at the end.
 */
export class ModuleStack {
  readonly #modules: NodeModule[] = [];
  readonly #opened: NodeModule[] = [];

  add(module: NodeModule): void {
    if (this.#opened.length) throw new Error(`cannot add ${module.name}: the node is already open`);
    this.#modules.push(module);
  }

  names(): string[] {
    return this.#modules.map((m) => m.name);
  }

  async open(): Promise<void> {
    for (const m of this.#modules) {
      try {
        await m.open();
      } catch (err) {
        await this.close().catch(() => {});
        throw new ModuleOpenError(m.name, err);
      }
      this.#opened.push(m);
    }
  }

  async close(): Promise<void> {
    let first: unknown;
    for (let m = this.#opened.pop(); m; m = this.#opened.pop()) {
      try {
        await m.close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}
