// A real SDK McpServer with the tools the transport tests call, and a cleanup list so every
// socket and server a test opens is closed even when an assertion fails.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export interface TestServer {
  readonly server: McpServer;
  /** Resolves the pending `hold` calls. */
  release(): void;
  /** How many `hold` calls are waiting. */
  readonly holding: number;
}

export function createTestServer(): TestServer {
  const server = new McpServer({ name: 'ws-test-server', version: '1.2.3' }, { capabilities: { logging: {} } });
  let waiters: Array<() => void> = [];

  server.registerTool('echo', { description: 'Echo the text back', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('fail', { description: 'Always fails' }, async () => {
    throw new Error('the fail tool failed on purpose');
  });
  server.registerTool('log', { description: 'Sends a log notification, then answers', inputSchema: { message: z.string() } }, async ({ message }, extra) => {
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: 'test', data: message } });
    return { content: [{ type: 'text', text: 'logged' }] };
  });
  server.registerTool('whoami', { description: 'Reports the x-tenant upgrade header' }, async (extra) => ({
    content: [{ type: 'text', text: String(extra.requestInfo?.headers['x-tenant'] ?? 'none') }],
  }));
  server.registerTool('hold', { description: 'Answers only when the test releases it' }, async () => {
    await new Promise<void>((resolve) => waiters.push(resolve));
    return { content: [{ type: 'text', text: 'released' }] };
  });

  return {
    server,
    release() {
      const pending = waiters;
      waiters = [];
      for (const resolve of pending) resolve();
    },
    get holding() {
      return waiters.length;
    },
  };
}

export class Cleanup {
  private readonly steps: Array<() => unknown> = [];
  add(step: () => unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Cleanup after a failed test must not hide the failure.
      }
    }
  }
}

/** Wait until `condition` holds, polling; fails with `what` rather than hanging the suite. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
