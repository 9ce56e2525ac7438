/**
 * Child process of the no-centre test: one full devnet node (chain, wallet, libp2p on a fixed
 * address, API) on the data folder in argv[2], listening on argv[3]:36125, with the bootstrap
 * addresses in argv[4] (comma-separated, may be empty). It prints a JSON status line every 200 ms
 * and obeys commands on stdin:
 *   mine <n>      mine n blocks to its own wallet
 *   register <n>  register an app named n, owned and paid by its own wallet (through registerapp)
 */
import { createInterface } from 'node:readline';
import { FluxNode } from '../../src/node/node.ts';
import { tuple } from '../support/at.ts';

const [dataDir, host, bootstrapArg] = tuple(process.argv.slice(2), 3);
const node = await FluxNode.start({
  network: 'devnet',
  dataDir,
  host,
  p2pPort: 36125,
  apiPort: 0,
  bootstrap: bootstrapArg ? bootstrapArg.split(',') : [],
  rpcUser: 'mesh',
  rpcPassword: 'mesh',
  logLevel: 'warn',
});
const address = node.wallet.listAddresses()[0]?.address ?? node.wallet.newAddress('mesh');
node.saveWallet();

function status(): string {
  return JSON.stringify({
    peerId: node.p2p.peerId,
    addr: node.p2p.multiaddrs[0],
    peers: node.p2p.peers().map((p) => p.id),
    height: node.chain.height(),
    tip: node.chain.tip().id,
    apps: node.cloud.activeApps().map((a) => a.name),
    specsFetched: node.cloud.specSync.counters.fetched,
  });
}
setInterval(() => process.stdout.write(`status ${status()}\n`), 200);

function spec(name: string): object {
  return {
    version: 1,
    name,
    description: 'no-centre test app',
    owner: address,
    components: [
      {
        name: 'web',
        description: '',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '/data',
        cpu: 0.2,
        ram: 100,
        hdd: 1,
      },
    ],
    instances: 3,
    expire: 5000,
    geolocation: [],
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'mine') {
    node.startMiner(address, { maxBlocks: Number(arg) });
    void node.miner?.whenStopped().then(() => process.stdout.write('miner stopped\n'));
  } else if (cmd === 'register') {
    const r = await node.rpc.handleOne({ method: 'registerapp', params: [spec(arg ?? '')], id: 1 });
    process.stdout.write(`registered ${JSON.stringify(r)}\n`);
  }
}
