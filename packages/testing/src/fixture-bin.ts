#!/usr/bin/env node
// Runs a fixture MCP server over stdio (default) or Streamable HTTP (--http PORT, prints the URL).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { parseArgs } from 'node:util';
import { startHttpFixture } from './fixtures/http.js';
import { createConformanceServer } from './fixtures/conformance-server.js';
import { createFixtureServer } from './fixtures/server.js';
import { serveModernStdio } from './fixtures/modern.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'fixture' },
    tools: { type: 'string', default: 'echo,whoami' },
    latency: { type: 'string', default: '0' },
    'failure-rate': { type: 'string', default: '0' },
    http: { type: 'string' },
    /** Serve the conformance suite's test server (createConformanceServer) over stdio instead. */
    conformance: { type: 'boolean', default: false },
    /** Serve a 2026-07-28 server instead: modern-only, or dual-era with --dual. */
    modern: { type: 'boolean', default: false },
    dual: { type: 'boolean', default: false },
  },
});
const options = {
  name: values.name!,
  tools: values.tools!.split(',').filter(Boolean),
  latencyMs: Number(values.latency),
  failureRate: Number(values['failure-rate']),
};
if (values.http !== undefined) {
  const fixture = await startHttpFixture({ ...options, port: Number(values.http) });
  process.stdout.write(`${fixture.url}\n`);
  const stop = (): void => void fixture.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else if (values.modern) {
  serveModernStdio({ name: values.name!, extraTools: options.tools.filter((t) => t !== 'echo' && t !== 'whoami'), legacy: values.dual ? 'serve' : 'reject' });
  process.stdin.on('end', () => process.exit(0));
} else if (values.conformance) {
  await createConformanceServer().connect(new StdioServerTransport());
  process.stdin.on('end', () => process.exit(0));
} else {
  await createFixtureServer(options).connect(new StdioServerTransport());
  process.stdin.on('end', () => process.exit(0));
}
