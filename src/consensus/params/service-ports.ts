/**
 * The ports a node serves its APIs on unless told otherwise, the same on every network: fluxd's
 * JSON-RPC port (rpcport) and FluxOS's HTTP API port. Beside the network's p2p port (`defaultPort`
 * in the params) because every tool that talks to a node assumes them: the node, the devnet and
 * the CLI read them here.
 */
export const DEFAULT_RPC_PORT = 16124;
export const DEFAULT_API_PORT = 16127;
