/**
 * The public key of the devnet's benchmark signer (also used by regtest). Its private key is
 * sha256("fluxnode devnet benchmark key"), held by the bench component, never by an operator;
 * a test checks the two belong together.
 */
export const DEVNET_BENCHMARK_PUBKEY = '02e147ab8bcdaa17605e386b1e23b1ac5a10c24fc9cceea7bc812b8f19f450b5ec';
