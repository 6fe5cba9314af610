// The CLI's version, read from its own package.json so `switchboard --version` cannot drift from
// what was published.
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { version: string };

export const CLI_VERSION: string = manifest.version;
