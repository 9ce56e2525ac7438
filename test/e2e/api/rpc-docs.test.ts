import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FluxNode } from '../../../src/node/node.ts';

test('every JSON-RPC method a node serves is documented in docs/api.md, and help lists them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-rpcdocs-'));
  const node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host: '127.0.0.62',
    p2pPort: 0,
    apiPort: 0,
    bootstrap: [],
    rpcUser: 'u',
    rpcPassword: 'p',
    logLevel: 'error',
  });
  try {
    const docs = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    const methods = node.rpc.list().map((m) => m.name);
    assert.ok(methods.length > 40, `${methods.length} methods`);
    const undocumented = methods.filter((m) => !docs.includes(`| \`${m}\` |`));
    assert.deepEqual(undocumented, [], 'methods missing from docs/api.md');
    const help = (await node.rpc.handleOne({ id: 1, method: 'help', params: [] })).result as string;
    for (const m of methods) assert.ok(help.includes(m), `help mentions ${m}`);
    const unknown = await node.rpc.handleOne({ id: 2, method: 'help', params: ['nosuch'] });
    assert.equal(unknown.error?.code, -32601);
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
