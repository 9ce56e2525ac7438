/**
 * Runs the in-process test network (test/support/rest-fixture.ts) as its own process, the way a devnet
 * node runs: the browser test then measures the dashboard against a server that does not share
 * its event loop. Protocol on stdio, one JSON object per line:
 *   out: {"url", "nodes": [{tier, id, benchmark}]} once ready; {"mined": height} per `mine`.
 *   in:  `mine` mines a block; end of input (the test ending, or dying) stops the network.
 */
import { createInterface } from 'node:readline';
import { DashboardFixture } from '../../support/rest-fixture.ts';

const net = await DashboardFixture.start();
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ url: net.url, nodes: net.nodes.map((n) => ({ tier: n.tier, id: n.id, benchmark: n.benchmark })) });

let work: Promise<unknown> = Promise.resolve();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'mine') return;
  work = work.then(async () => say({ mined: (await net.mineBlock()).height }));
});
lines.on('close', () => {
  void work.then(() => net.close()).then(() => process.exit(0));
});
