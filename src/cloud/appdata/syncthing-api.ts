/**
 * The few calls of Syncthing's REST API the agent makes (https://docs.syncthing.net/dev/rest.html):
 * the device id, the configured folders and devices, adding, changing and removing them, and a
 * folder's sync progress. Every call has a timeout; a failure is a SyncthingApiError naming the call.
 */

/** A folder as Syncthing's config holds it (the fields the agent sets; the rest kept as given). */
export interface StFolder {
  id: string;
  label?: string;
  path: string;
  type: 'sendreceive' | 'sendonly' | 'receiveonly' | 'receiveencrypted';
  devices: { deviceID: string }[];
  fsWatcherEnabled?: boolean;
  fsWatcherDelayS?: number;
  rescanIntervalS?: number;
  copyOwnershipFromParent?: boolean;
  [field: string]: unknown;
}

export interface StDevice {
  deviceID: string;
  name?: string;
  addresses: string[];
  [field: string]: unknown;
}

export interface StConfig {
  folders: StFolder[];
  devices: StDevice[];
}

/** /rest/db/status, the fields read. */
export interface StFolderStatus {
  state: string;
  needBytes: number;
  needFiles: number;
  globalBytes: number;
  localBytes: number;
}

export interface StConnection {
  connected: boolean;
  /** When the connection was made (RFC 3339). */
  startedAt: string;
}

export class SyncthingApiError extends Error {
  readonly call: string;
  readonly status: number | undefined;

  constructor(call: string, status: number | undefined, detail: string) {
    super(`syncthing ${call}: ${detail}`);
    this.name = 'SyncthingApiError';
    this.call = call;
    this.status = status;
  }
}

export interface SyncthingApiOptions {
  /** e.g. `http://127.0.0.11:16130` */
  url: string;
  apiKey: string;
  timeoutMs?: number;
}

export class SyncthingApi {
  readonly #o: Required<SyncthingApiOptions>;

  constructor(o: SyncthingApiOptions) {
    this.#o = { timeoutMs: 5_000, ...o };
  }

  async deviceId(): Promise<string> {
    const s = await this.#call<{ myID: string }>('GET', '/rest/system/status');
    return s.myID;
  }

  config(): Promise<StConfig> {
    return this.#call<StConfig>('GET', '/rest/config');
  }

  putFolder(f: StFolder): Promise<void> {
    return this.#call('PUT', `/rest/config/folders/${encodeURIComponent(f.id)}`, f);
  }

  deleteFolder(id: string): Promise<void> {
    return this.#call('DELETE', `/rest/config/folders/${encodeURIComponent(id)}`);
  }

  putDevice(d: StDevice): Promise<void> {
    return this.#call('PUT', `/rest/config/devices/${encodeURIComponent(d.deviceID)}`, d);
  }

  deleteDevice(id: string): Promise<void> {
    return this.#call('DELETE', `/rest/config/devices/${encodeURIComponent(id)}`);
  }

  patchOptions(options: Record<string, unknown>): Promise<void> {
    return this.#call('PATCH', '/rest/config/options', options);
  }

  gui(): Promise<{ user: string; address: string }> {
    return this.#call('GET', '/rest/config/gui');
  }

  /** GUI settings (a plain password given here is stored hashed by Syncthing). */
  patchGui(gui: Record<string, unknown>): Promise<void> {
    return this.#call('PATCH', '/rest/config/gui', gui);
  }

  folderStatus(folder: string): Promise<StFolderStatus> {
    return this.#call('GET', `/rest/db/status?folder=${encodeURIComponent(folder)}`);
  }

  async connections(): Promise<Record<string, StConnection>> {
    const r = await this.#call<{ connections: Record<string, StConnection> }>(
      'GET',
      '/rest/system/connections',
    );
    return r.connections;
  }

  /** Answers at all (the process is up and the key is right). */
  async ping(): Promise<boolean> {
    try {
      await this.#call('GET', '/rest/system/ping');
      return true;
    } catch {
      return false;
    }
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const call = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(`${this.#o.url}${path}`, {
        method,
        headers: { 'X-API-Key': this.#o.apiKey, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (err) {
      throw new SyncthingApiError(call, undefined, (err as Error).message);
    }
    const text = await res.text();
    if (!res.ok) throw new SyncthingApiError(call, res.status, text.slice(0, 200));
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
