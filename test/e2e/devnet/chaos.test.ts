// The chaos run on a loopback devnet (nodes on 127.0.0.131–136, registry on .130, bridges
// fluxbr131–136): see chaos-suite.ts for the blows and the invariants checked after each.
import { chaosSuite } from './chaos-suite.ts';

chaosSuite('chaos on a five-node devnet: kill, join, partition, kill everything', { base: '127.0.0.131' });
