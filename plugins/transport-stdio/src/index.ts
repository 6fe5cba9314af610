// @switchboard/transport-stdio: spawns a local MCP server and speaks MCP over its stdin/stdout.
// The child's stderr goes to the log, line by line, never into the protocol stream.
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { SwitchboardError, definePlugin, maxMessageBytes, type Logger, type McpTransport, type ServiceDescriptor, type Transport } from '@switchboard/core';
import { z } from 'zod';
import { BoundedStdioClientTransport } from './stdio-client-transport.js';

export { BoundedStdioClientTransport, answeredId, DEFAULT_MAX_STDERR_LINE_BYTES, type StdioClientOptions } from './stdio-client-transport.js';
export { LineReader, type LineReaderOptions, type OversizedLine } from './line-reader.js';

export const stdioOptionsSchema = z.strictObject({});

export function createStdioTransport(service: ServiceDescriptor, logger: Logger): McpTransport {
  if (!service.command) {
    throw new SwitchboardError('TRANSPORT_ERROR', `service ${service.name} has no command to run`, { plugin: 'transport-stdio', service: service.name });
  }
  return new BoundedStdioClientTransport({
    command: service.command,
    args: service.args,
    // Only a safe subset of the parent's environment, as the SDK does; config adds to it.
    env: { ...getDefaultEnvironment(), ...service.env },
    ...(service.cwd ? { cwd: service.cwd } : {}),
    maxMessageBytes: maxMessageBytes(service),
    onStderrLine: (line, cut) => logger.info('upstream stderr', cut ? { line, cut } : { line }),
    onStderrLineCut: (bytes) => logger.warn('upstream stderr line cut', { bytes }),
    onTooLarge: (error) => logger.warn('upstream message refused: too large', { error: error.message, limit: error.details }),
  });
}

export class StdioTransport implements Transport {
  readonly kinds = ['stdio'] as const;
  /** Each connect spawns a process: shared by client sessions unless isolation is per-session. */
  readonly multiplexesSessions = false;
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
