// The cloud agent's hands on one Docker engine: list, pull, create, stop, restart, remove, read logs
// and follow events of the containers it manages (those carrying the flux.* labels).

import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { isReplicated, splitContainerData } from '../spec/data-mode.ts';
import { prepareAppData, type RemappedRoot, remappedRootOf } from './app-data.ts';
import { type ContainerLimits, DEFAULT_LIMITS, planContainer } from './container-config.ts';
import { dockerClient } from './docker-client.ts';
import { DataVolumes, type VolumeLogger } from './data-volume.ts';
import { engineError, isNotFound, RuntimeError, RuntimeInputError } from './errors.ts';
import { checkImage, DEFAULT_IMAGE_RULES, type ImageRules } from './image-check.ts';
import { type EngineEvent, toContainerEvent, toManagedContainer } from './engine-rows.ts';
import { appNetworkName, LABEL_APP, LABEL_HDD_ENFORCED } from './labels.ts';
import { demuxLogs, drainProgress, jsonLines, stampedLines } from './streams.ts';
import type {
  ContainerEvent,
  ContainerUsage,
  EngineStats,
  LogLine,
  ManagedContainer,
  NodePlacement,
  RuntimeApp,
  RuntimeComponent,
} from './types.ts';

export interface DockerRuntimeOptions {
  /** The engine's unix socket (the node's own dockerd). */
  socketPath: string;
  node: NodePlacement;
  limits?: Partial<ContainerLimits>;
  /** What an image must meet before it is pulled (default: 5 GB, amd64/arm64, no blocklist); null skips. */
  imageRules?: ImageRules | null;
  /** Where the data volumes say what they did (e.g. that `hdd` cannot be enforced on this host). */
  log?: VolumeLogger;
}

export class DockerRuntime {
  readonly docker: Docker;
  readonly node: NodePlacement;
  readonly limits: ContainerLimits;
  readonly imageRules: ImageRules | null;
  /** The components' size-limited data folders. */
  readonly volumes: DataVolumes;
  readonly #log: VolumeLogger;
  #restored: Promise<unknown> | undefined;

  constructor(opts: DockerRuntimeOptions) {
    this.docker = dockerClient(opts.socketPath);
    this.node = { ...opts.node };
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.imageRules = opts.imageRules === undefined ? DEFAULT_IMAGE_RULES : opts.imageRules;
    this.volumes = new DataVolumes(this.node.nodeDir, opts.log);
    this.#log = opts.log ?? { info() {}, warn() {} };
  }

  /** Before the first container starts: volumes left unmounted by a host restart are mounted again. */
  #volumesRestored(): Promise<unknown> {
    this.#restored ??= this.volumes.restore().catch(() => 0); // restore logs what it could not mount
    return this.#restored;
  }

  #insecure: Set<string> | undefined;
  #remapped: RemappedRoot | null | undefined;

  /** The registries the engine was configured to reach over plain HTTP (its insecure-registries). */
  async #insecureRegistries(): Promise<Set<string>> {
    if (this.#insecure) return this.#insecure;
    let info: { RegistryConfig?: { IndexConfigs?: Record<string, { Secure?: boolean }> } };
    try {
      info = await this.docker.info();
    } catch {
      return new Set(); // asked again next pull
    }
    const configs = Object.entries(info.RegistryConfig?.IndexConfigs ?? {});
    this.#insecure = new Set(configs.filter(([, c]) => c.Secure === false).map(([name]) => name));
    return this.#insecure;
  }

  /**
   * The host uid/gid a container's root runs as when the engine remaps user namespaces (null: it
   * does not, and a container's root is the host's root). Asked once; an engine is not reconfigured
   * under a running node.
   */
  async remappedRoot(): Promise<RemappedRoot | null> {
    if (this.#remapped !== undefined) return this.#remapped;
    try {
      this.#remapped = remappedRootOf(await this.docker.info());
    } catch (err) {
      throw engineError('info', 'engine', err);
    }
    return this.#remapped;
  }

  /** True when the engine answers. */
  async ping(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  /** Every container with our labels, running or not. */
  async listManagedContainers(): Promise<ManagedContainer[]> {
    let rows: Docker.ContainerInfo[];
    try {
      rows = await this.docker.listContainers({ all: true, filters: { label: [LABEL_APP] } });
    } catch (err) {
      throw engineError('list', 'containers', err);
    }
    return rows.map(toManagedContainer);
  }

  async hasImage(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw engineError('inspect image', ref, err);
    }
  }

  /**
   * Pulls an image from the registry its reference names, once its manifests show it meets the
   * image rules (ImageRefusedError otherwise); resolves once every layer is in.
   */
  async pullImage(ref: string): Promise<void> {
    if (this.imageRules) {
      const insecure = await this.#insecureRegistries();
      await checkImage(ref, this.imageRules, fetch, (authority) => insecure.has(authority));
    }
    try {
      const stream = await this.docker.pull(ref);
      await drainProgress(stream as AsyncIterable<Uint8Array>, 'pull', ref);
    } catch (err) {
      throw engineError('pull', ref, err);
    }
  }

  /**
   * Creates and starts `flux<component>_<app>` from an image already present (see pullImage). The
   * component is validated before anything happens; if starting fails the created container is
   * removed again, so a failure leaves the engine as it was.
   */
  async createAndStart(app: RuntimeApp, component: RuntimeComponent): Promise<ManagedContainer> {
    const plan = planContainer(app, component, this.node, this.limits);
    if (!(await this.hasImage(component.image))) {
      throw new RuntimeError(
        'create',
        plan.name,
        `image ${component.image} is not on this node; pull it first`,
        404,
      );
    }
    if (plan.hostDataDir) {
      await this.#volumesRestored();
      // Replicated data (s:, r:, g:) stays a plain folder: Syncthing may already have written its
      // folder marker there, and a volume mounted over it (now, or again at the next start, after
      // Syncthing has opened the folder) would hide the marker and stop the folder syncing.
      const hdd = isReplicated(splitContainerData(component.containerData.trim()).mode)
        ? { enforced: false }
        : await this.volumes.prepare(app.name, component.name, component.hdd);
      plan.options.Labels = { ...plan.options.Labels, [LABEL_HDD_ENFORCED]: String(hdd.enforced) };
      // The folder (or the volume mounted there) goes to the container's root as the engine maps it.
      const owner = await prepareAppData(plan.hostDataDir, await this.remappedRoot());
      if (owner === 'open')
        this.#log.warn(
          { app: app.name, component: component.name },
          'app data folder made writable to all: this node may not give it to the remapped root (needs root or CAP_CHOWN)',
        );
    }
    await this.ensureAppNetwork(app.name);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(plan.options);
    } catch (err) {
      throw engineError('create', plan.name, err);
    }
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => {});
      throw engineError('start', plan.name, err);
    }
    const found = (await this.listManagedContainers()).find((c) => c.id === container.id);
    if (!found) throw new RuntimeError('start', plan.name, 'container vanished right after starting');
    return found;
  }

  /** Starts an existing, stopped container again (its data and settings are kept). */
  async start(nameOrId: string): Promise<void> {
    await this.#volumesRestored();
    try {
      await this.docker.getContainer(nameOrId).start();
    } catch (err) {
      // 304: already running, which is what was asked for.
      if ((err as { statusCode?: number }).statusCode === 304) return;
      throw engineError('start', nameOrId, err);
    }
  }

  /** Stops a container (SIGTERM, then SIGKILL after the timeout). False when there is no such container. */
  async stop(nameOrId: string, timeoutSec = this.limits.stopTimeoutSec): Promise<boolean> {
    try {
      await this.docker.getContainer(nameOrId).stop({ t: timeoutSec });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      // 304: already stopped, which is what was asked for.
      if ((err as { statusCode?: number }).statusCode === 304) return true;
      throw engineError('stop', nameOrId, err);
    }
  }

  /** Removes a container, stopping it first if needed. False when there was nothing to remove. */
  async remove(nameOrId: string): Promise<boolean> {
    try {
      await this.docker.getContainer(nameOrId).remove({ force: true, v: true });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw engineError('remove', nameOrId, err);
    }
  }

  /** Creates the app's own network (see appNetworkName) unless it exists. */
  async ensureAppNetwork(app: string): Promise<void> {
    const name = appNetworkName(app);
    try {
      await this.docker.getNetwork(name).inspect();
      return;
    } catch (err) {
      if (!isNotFound(err)) throw engineError('inspect network', name, err);
    }
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [LABEL_APP]: app },
      });
    } catch (err) {
      // 409: created meanwhile by a concurrent call, which is what was asked for.
      if ((err as { statusCode?: number }).statusCode !== 409) throw engineError('create network', name, err);
    }
  }

  /**
   * Removes the app's network once none of its containers is left on this node. False when it was
   * kept (containers remain) or did not exist.
   */
  async removeAppNetworkIfUnused(app: string): Promise<boolean> {
    if ((await this.listManagedContainers()).some((c) => c.app === app)) return false;
    const name = appNetworkName(app);
    try {
      await this.docker.getNetwork(name).remove();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw engineError('remove network', name, err);
    }
  }

  /**
   * Deletes a component's data folder on this node, with its volume (unmounted, its loop device
   * freed), when its app is gone from here for good; a restart or re-creation keeps the data.
   * False when there was none.
   */
  async removeData(app: string, component: string): Promise<boolean> {
    // planContainer's name rules keep both names to plain letters and digits: no path tricks.
    for (const [field, value] of [
      ['app', app],
      ['component', component],
    ] as const) {
      if (!/^[A-Za-z0-9]{1,63}$/.test(value))
        throw new RuntimeInputError(field, value, 'must be 1..63 letters or digits');
    }
    const existed =
      existsSync(this.volumes.dataDir(app, component)) || existsSync(this.volumes.imageFile(app, component));
    await this.volumes.release(app, component);
    return existed;
  }

  async restart(nameOrId: string, timeoutSec = this.limits.stopTimeoutSec): Promise<void> {
    try {
      await this.docker.getContainer(nameOrId).restart({ t: timeoutSec });
    } catch (err) {
      throw engineError('restart', nameOrId, err);
    }
  }

  /** The last `tail` lines of a container's stdout and stderr, interleaved as written. */
  async logs(nameOrId: string, tail = 100): Promise<string> {
    let raw: Buffer;
    try {
      raw = (await this.docker
        .getContainer(nameOrId)
        .logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
    } catch (err) {
      throw engineError('logs', nameOrId, err);
    }
    return demuxLogs(raw)
      .map((c) => c.text)
      .join('');
  }

  /**
   * A container's log lines with the engine's time of each (ms since the epoch): the last `tail`,
   * written at or after `sinceMs` when given. Docker stamps every line, so lines of several
   * containers (and nodes) can be merged in time order.
   */
  async logLines(nameOrId: string, tail = 100, sinceMs = 0): Promise<LogLine[]> {
    let raw: Buffer;
    try {
      raw = (await this.docker.getContainer(nameOrId).logs({
        stdout: true,
        stderr: true,
        tail,
        timestamps: true,
        follow: false,
        // The engine takes whole seconds; the finer cut is made below.
        ...(sinceMs > 0 ? { since: Math.floor(sinceMs / 1000) } : {}),
      })) as unknown as Buffer;
    } catch (err) {
      throw engineError('logs', nameOrId, err);
    }
    return stampedLines(demuxLogs(raw)).filter((l) => l.time >= sinceMs);
  }

  /** Memory and CPU use of a running container right now (one sample); undefined when it is not running. */
  async usage(nameOrId: string): Promise<ContainerUsage | undefined> {
    let s: EngineStats;
    try {
      const options = { stream: false, 'one-shot': true } as { stream: false };
      s = (await this.docker.getContainer(nameOrId).stats(options)) as unknown as EngineStats;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw engineError('stats', nameOrId, err);
    }
    if (!s.memory_stats?.usage && !s.cpu_stats?.cpu_usage?.total_usage) return undefined;
    return {
      memoryBytes: s.memory_stats?.usage ?? 0,
      memoryLimitBytes: s.memory_stats?.limit ?? 0,
      cpuSeconds: (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
    };
  }

  /**
   * Lifecycle events of our containers as they happen, until `signal` aborts or the caller stops
   * iterating. Events from before the call are not replayed.
   */
  async *events(signal?: AbortSignal): AsyncGenerator<ContainerEvent> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents({
        filters: { type: ['container'], label: [LABEL_APP] },
        abortSignal: signal,
      } as Docker.GetEventsOptions);
    } catch (err) {
      if (signal?.aborted) return;
      throw engineError('events', 'containers', err);
    }
    try {
      for await (const doc of jsonLines(stream as AsyncIterable<Uint8Array>)) {
        yield toContainerEvent(doc as EngineEvent);
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw engineError('events', 'containers', err);
    } finally {
      (stream as unknown as { destroy?: () => void }).destroy?.();
    }
  }
}
