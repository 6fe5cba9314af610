#!/usr/bin/env node
// The installed `switchboard-fixture` command: outside dist/ so that it can be linked before the
// first build (see packages/cli/bin/switchboard.js).
try {
  await import('../dist/fixture-bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/fixture-bin.js')) throw error;
  process.stderr.write('switchboard-fixture is not built yet: run `pnpm build` in the Switchboard checkout\n');
  process.exitCode = 2;
}
