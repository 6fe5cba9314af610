#!/usr/bin/env node
// The installed `switchboard` command. It lives outside dist/ so that it exists when a package
// manager links bins at install time, before the first build (pnpm skipped the link, with a warning,
// when the target was dist/bin.js, so `pnpm exec switchboard` only appeared after a second install).
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error;
  process.stderr.write('switchboard is not built yet: run `pnpm build` (or `pnpm demo` / `pnpm test`, which build first) in the Switchboard checkout\n');
  process.exitCode = 2;
}
