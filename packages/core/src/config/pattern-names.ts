// Accepts the pattern document's config names (snake_case, as the Python pattern spells them, and
// their camelCase forms) and maps them onto the canonical config, so a pattern config works as is.
export interface MappingIssue {
  path: string;
  message: string;
}

const ROUTING: Record<string, string | undefined> = {
  capability_match: 'first-match',
  load_balance: undefined, // resolved from load_balancing_strategy
  performance: 'latency',
};
const LOAD_BALANCING: Record<string, string> = {
  round_robin: 'round-robin',
  least_loaded: 'least-loaded',
  random: 'random',
  weighted: 'weighted',
};

/** Keys the pattern has that Switchboard accepts and ignores, because it always does the thing. */
const ACCEPTED_NO_OP = ['enable_performance_tracking', 'prefer_low_latency', 'enable_service_mesh'];

function take(input: Record<string, unknown>, snake: string): { key: string; value: unknown } | undefined {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const key of [snake, camel]) {
    if (key in input) {
      const value = input[key];
      delete input[key];
      return { key, value };
    }
  }
  return undefined;
}

export function mapPatternNames(raw: unknown): { config: unknown; issues: MappingIssue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config: raw, issues: [] };
  const input: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const issues: MappingIssue[] = [];

  for (const key of ACCEPTED_NO_OP) take(input, key);
  // Editors' schema pointer in a JSON config ("$schema": ".../switchboard.schema.json").
  delete input.$schema;

  // An MCP client config ({ "mcpServers": {...} }) is a static discovery source as it stands.
  if ('mcpServers' in input) {
    const mcpServers = input.mcpServers;
    delete input.mcpServers;
    input.discovery = [{ type: 'static', mcpServers }, ...asArray(input.discovery)];
  }
  // VS Code's mcp.json calls the same object `servers`, beside `inputs` (prompted variables, which
  // only an editor can ask for; a `${input:…}` value stays literal here).
  if (typeof input.servers === 'object' && input.servers !== null && !Array.isArray(input.servers)) {
    const servers = input.servers;
    delete input.servers;
    delete input.inputs;
    input.discovery = [{ type: 'static', mcpServers: servers }, ...asArray(input.discovery)];
  }

  const routing = take(input, 'routing_strategy');
  const balancing = take(input, 'load_balancing_strategy');
  if (routing || balancing) {
    if ('strategy' in input) {
      issues.push({ path: (routing ?? balancing)!.key, message: 'give either `strategy` or the pattern names, not both' });
    } else {
      const routingName = routing ? String(routing.value) : 'load_balance';
      if (!(routingName in ROUTING)) {
        issues.push({ path: routing!.key, message: `must be one of ${Object.keys(ROUTING).join(', ')} (got '${routingName}')` });
      } else if (routingName === 'load_balance') {
        const lb = balancing ? String(balancing.value) : 'round_robin';
        const type = LOAD_BALANCING[lb];
        if (!type) issues.push({ path: balancing!.key, message: `must be one of ${Object.keys(LOAD_BALANCING).join(', ')} (got '${lb}')` });
        else input.strategy = { type };
      } else {
        input.strategy = { type: ROUTING[routingName] };
      }
    }
  }

  const maxFailover = take(input, 'max_failover_attempts');
  if (maxFailover) input.failover = { ...asObject(input.failover), maxAttempts: maxFailover.value };

  const interval = take(input, 'discovery_interval_seconds');
  if (interval) input.discoveryIntervalMs = seconds(interval, issues);
  const timeout = take(input, 'discovery_timeout');
  if (timeout) input.discoveryTimeoutMs = seconds(timeout, issues);
  const refresh = take(input, 'enable_auto_refresh');
  if (refresh) input.enableAutoRefresh = refresh.value;
  const healthInterval = take(input, 'health_check_interval');
  if (healthInterval && input.health !== false) input.health = { ...asObject(input.health), intervalMs: seconds(healthInterval, issues) };

  const initial = take(input, 'initial_servers');
  if (initial) input.discovery = [{ type: 'static', servers: initial.value }, ...asArray(input.discovery)];

  return { config: input, issues };
}

function seconds(entry: { key: string; value: unknown }, issues: MappingIssue[]): unknown {
  if (typeof entry.value !== 'number' || !Number.isFinite(entry.value) || entry.value <= 0) {
    issues.push({ path: entry.key, message: `must be a positive number of seconds (got ${JSON.stringify(entry.value)})` });
    return entry.value;
  }
  return Math.round(entry.value * 1000);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
