// @switchboard/cli: the `switchboard` command, also usable in-process (tests, embedding).
export { runCli, commands, helpText, type CommandSpec } from './cli.js';
export { builtinPlugins } from './plugins.js';
export { processIo, UsageError, type CliIo } from './io.js';
