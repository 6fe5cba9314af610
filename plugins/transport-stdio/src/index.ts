// @switchboard/transport-stdio: spawns a local MCP server and speaks MCP over its stdin/stdout.
// The child's stderr goes to the log, line by line, never into the protocol stream.
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SwitchboardError, definePlugin, type Logger, type McpTransport, type ServiceDescriptor, type Transport } from '@switchboard/core';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';

export const stdioOptionsSchema = z.strictObject({});

export function createStdioTransport(service: ServiceDescriptor, logger: Logger): McpTransport {
  if (!service.command) {
    throw new SwitchboardError('TRANSPORT_ERROR', `service ${service.name} has no command to run`, { plugin: 'transport-stdio', service: service.name });
  }
  const transport = new StdioClientTransport({
    command: service.command,
    args: [...service.args],
    // The SDK passes only a safe subset of the parent's environment; config adds to it.
    env: { ...getDefaultEnvironment(), ...service.env },
    ...(service.cwd ? { cwd: service.cwd } : {}),
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  if (stderr) {
    const lines = createInterface({ input: stderr as Readable });
    lines.on('line', (line) => logger.info('upstream stderr', { line }));
  }
  return transport;
}

export class StdioTransport implements Transport {
  readonly kinds = ['stdio'] as const;
  async connect(service: ServiceDescriptor, context: { logger: Logger }): Promise<McpTransport> {
    return createStdioTransport(service, context.logger);
  }
}

export function stdioTransportPlugin() {
  return definePlugin({
    name: 'transport-stdio',
    kind: 'transport',
    type: 'stdio',
    core: '^0.1.0',
    optionsSchema: stdioOptionsSchema,
    register(ctx) {
      ctx.provide(new StdioTransport());
    },
  });
}

export default stdioTransportPlugin;
