// The dockerode client of one engine. dockerode (with its gRPC and SSH dependencies, a few hundred
// modules) is loaded when the first client is made: everything that imports the cloud layer
// without running containers (the CLI's spec commands, the simulator, the API) does not pay for it.

import { createRequire } from 'node:module';
import type Docker from 'dockerode';

export function dockerClient(socketPath: string): Docker {
  const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new DockerClient({ socketPath });
}
