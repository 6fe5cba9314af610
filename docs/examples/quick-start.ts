import { createRouter, type RouteResult } from '@switchboard/core';

export async function searchOnce(searchUrl: string, computeCommand: string, computeArgs: string[]): Promise<RouteResult> {
  const router = createRouter({
    routing_strategy: 'load_balance', // or: capability_match (default), performance
    load_balancing_strategy: 'least_loaded', // or: round_robin, random
    max_failover_attempts: 3,
    initial_servers: [
      { name: 'search-1', transport: 'http', url: searchUrl, capabilities: ['search'] },
      { name: 'compute', transport: 'stdio', command: computeCommand, args: computeArgs, capabilities: ['compute'] },
    ],
  });
  await router.initialize();
  try {
    // { success, result, latency, serviceUsed, failoverAttempts, primaryServiceFailed?, error?, routingMetadata }
    return await router.routeRequest({ toolName: 'web_search', arguments: { query: 'mcp' }, requiredCapabilities: ['search'] });
  } finally {
    await router.close();
  }
}
