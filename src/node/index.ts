/** The node layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { FluxNode } from './node.ts';
export { DEFAULT_API_PORT, DEFAULT_RPC_PORT, type NodeOptions, parseHolderSnapshot } from './options.ts';
