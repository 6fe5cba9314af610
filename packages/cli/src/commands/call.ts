// `switchboard call TOOL --args JSON [--capability C]... --config F [--json]`: route one tool call.
import { resultText, seconds } from '../format.js';
import { UsageError, type CliIo } from '../io.js';
import { routerFromConfig } from '../router-from-config.js';

export async function runCall(
  io: CliIo,
  tool: string | undefined,
  options: { config?: string; args?: string; capability?: string[]; 'request-type'?: string; json?: boolean },
): Promise<number> {
  if (!tool) throw new UsageError('name the tool to call: switchboard call TOOL --args \'{"key":"value"}\' --config F', 'call');
  let args: Record<string, unknown> = {};
  if (options.args !== undefined) {
    try {
      args = JSON.parse(options.args) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--args is not valid JSON: ${(error as Error).message}`, 'call');
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new UsageError('--args must be a JSON object, for example \'{"query":"mcp"}\'', 'call');
  }
  const router = await routerFromConfig(options.config, 'call');
  try {
    await router.initialize();
    const r = await router.routeRequest({
      toolName: tool,
      arguments: args,
      requiredCapabilities: options.capability ?? [],
      ...(options['request-type'] ? { requestType: options['request-type'] } : {}),
    });
    if (options.json) io.out(JSON.stringify(r, null, 2));
    else if (r.success) {
      io.out(resultText(r.result));
      io.err(`(service=${r.serviceUsed}, failover_attempts=${r.failoverAttempts}, latency=${seconds(r.latency)})`);
    } else {
      io.err(`call failed [${r.errorCode}]: ${r.error}`);
      for (const a of r.attempts ?? []) io.err(`  attempt on ${a.service}: ${a.errorCode}: ${a.error}`);
    }
    return r.success ? 0 : 1;
  } finally {
    await router.close();
  }
}
