// The x-mcp-header scan a 2026-07-28 tools/call pays before it is sent (SEP-2243): the SDK client's,
// which walks the tool's input schema on every call, against the upstream client's, which keeps the
// scan per schema. Both clients are connected to a real SDK v2 server over loopback HTTP and have its
// tools/list; only the scan is timed, in this process, with process.cpuUsage.
import http from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { UpstreamClient } from '../packages/core/dist/sdk/upstream-client.js';

const WARM = 2_000;
const SCANS = 20_000;

/** A tool with one header-mirrored argument and `extra` more properties, every third a nested object. */
function inputSchema(extra) {
  const shape = { region: z.string().meta({ 'x-mcp-header': 'Region' }) };
  for (let i = 0; i < extra; i++) shape[`p${i}`] = i % 3 === 0 ? z.object({ a: z.string(), b: z.array(z.object({ c: z.number() })) }).optional() : z.string().optional();
  return z.object(shape);
}

async function measure(print, extra) {
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'header-scan', version: '1' });
      server.registerTool('locate', { inputSchema: inputSchema(extra) }, async () => ({ content: [] }));
      return server;
    },
    { legacy: 'reject' },
  );
  const server = http.createServer(toNodeHandler(handler));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${server.address().port}/mcp`);
  const options = { versionNegotiation: { mode: 'auto' } };
  try {
    for (const [name, client] of [
      ['sdk', new Client({ name: 'sdk', version: '1' }, options)],
      ['upstream-client', new UpstreamClient({ name: 'ours', version: '1' }, options)],
    ]) {
      await client.connect(new StreamableHTTPClientTransport(url));
      try {
        await client.listTools();
        // The SDK's private step of callTool, called as callTool calls it.
        const scan = () => client._resolveXMcpHeaderScan('locate');
        for (let i = 0; i < WARM; i++) await scan();
        const start = process.cpuUsage();
        for (let i = 0; i < SCANS; i++) await scan();
        const used = process.cpuUsage(start);
        const found = await scan();
        print({ bench: 'header-scan', client: name, schemaProperties: extra + 1, headers: found?.declarations?.length ?? 0, usPerCall: Math.round(((used.user + used.system) / SCANS) * 100) / 100 });
      } finally {
        await client.close();
      }
    }
  } finally {
    await handler.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

export async function runHeaderScanBench(print) {
  for (const extra of [2, 30]) await measure(print, extra);
}
