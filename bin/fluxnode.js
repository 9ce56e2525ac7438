#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2 (MB): V8's young generation otherwise grows to tens of MB while a node
// syncs, and stays committed: 2 MB halves the node's resident set at no measured cost in speed
// (docs/performance.md, bench/memory.bench.ts reads the flags from this line).
// Entry shim: fluxnode's sources are TypeScript run by Node's type stripping, which needs Node 24.
// Through npm (npx fluxnode, npm run …) the pinned Node 24 from devDependencies is used.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `fluxnode needs Node.js 24 or newer (this is ${process.versions.node}).\n` +
      'Run it through npm so the pinned Node is used: npx fluxnode …\n',
  );
  process.exit(2);
}
// V8's compile cache (in the OS temp folder, or NODE_COMPILE_CACHE): a command starts in about half
// the CPU once its modules were compiled by an earlier run. Checked against the source, never stale.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../src/cli/main.ts');
