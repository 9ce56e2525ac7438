/** The devnet layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { HostNotReadyError } from './host-check.ts';
export {
  DEFAULT_BASE_ADDRESS,
  DEFAULT_MONITOR_PORT,
  DEFAULT_NETNS_BASE_ADDRESS,
  DEFAULT_NODES,
  DEFAULT_REGISTRY_PORT,
  defaultTiers,
  DevnetConfigError,
  parseNodeCount,
  parseTiers,
} from './layout.ts';
export { chooseNetns, netnsSupport } from './netns.ts';
export { killNode, restartNode } from './node-control.ts';
export { DevnetAbortedError } from './poll.ts';
export { formatDuration, streamProgress } from './progress.ts';
export { type DevnetState, DevnetStateError, readState } from './state.ts';
export { type DevnetStatus, devnetStatus } from './status.ts';
export { teardownDevnet } from './teardown.ts';
export { type DevnetSummary, devnetUp, DevnetUpError } from './up.ts';
export { addNode } from './add-node.ts';
