/// <reference lib="dom" />

export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** GET (or POST with `body`) a JSON endpoint of the node that served the page. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    path,
    body === undefined ? undefined : { method: 'POST', body: JSON.stringify(body) },
  );
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new ApiError(res.status, `${path}: the node answered ${res.status} without JSON`);
  }
  if (!res.ok)
    throw new ApiError(res.status, (data as { error?: string })?.error ?? `${path}: ${res.status}`);
  return data as T;
}
