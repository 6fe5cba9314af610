#!/usr/bin/env node
// The `switchboard` executable.
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2));
// Let stdout drain before exiting; anything still open after close() is a bug we would rather see in tests.
process.exitCode = code;
