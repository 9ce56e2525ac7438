// Typed runtime failures. Input errors are raised before the engine is touched, so they change nothing.

/** A component or placement value the runtime cannot turn into a container. */
export class RuntimeInputError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly rule: string;
  constructor(field: string, value: unknown, rule: string) {
    super(`${field} = ${JSON.stringify(value)}: ${rule}`);
    this.name = 'RuntimeInputError';
    this.field = field;
    this.value = value;
    this.rule = rule;
  }
}

/** The Docker engine refused or failed an operation. `status` is the engine's HTTP status when known. */
export class RuntimeError extends Error {
  readonly operation: string;
  readonly target: string;
  readonly status: number | undefined;
  constructor(operation: string, target: string, detail: string, status?: number) {
    super(`${operation} ${target}: ${detail}`);
    this.name = 'RuntimeError';
    this.operation = operation;
    this.target = target;
    this.status = status;
  }
}

/** Wraps an engine error (dockerode puts the HTTP status in statusCode and the reason in json.message). */
export function engineError(operation: string, target: string, err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const e = err as {
    statusCode?: number;
    json?: { message?: string } | null;
    reason?: string;
    message?: string;
  };
  const detail = e.json?.message ?? e.reason ?? e.message ?? String(err);
  return new RuntimeError(operation, target, detail, e.statusCode);
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}
