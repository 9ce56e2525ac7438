import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register } from '../../../src/cli/commands/start.ts';
import { CliError } from '../../../src/cli/output.ts';
import { parseInProcess } from '../../support/cli-harness.ts';

test('start refuses to serve JSON-RPC beyond loopback unless its clients are named', async () => {
  const refused = (args: string[], why: RegExp) =>
    assert.rejects(
      parseInProcess(register, ['start', '--datadir', '/nonexistent/fluxnode-test', ...args]),
      (err: unknown) => err instanceof CliError && err.exitCode === 2 && why.test(err.message),
      args.join(' '),
    );
  await refused(['--rpc-bind', '0.0.0.0'], /beyond this machine: also give --rpc-allow-ip/);
  await refused(['--rpc-bind', '10.1.2.3'], /--rpc-allow-ip/);
  await refused(['--rpc-bind', 'localhost'], /--rpc-bind must be an IP address/);
  await refused(['--rpc-allow-ip', 'everyone'], /--rpc-allow-ip "everyone"/);
  await refused(['--rpc-port', '70000'], /--rpc-port must be a port number/);
});
