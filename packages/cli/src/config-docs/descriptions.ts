// What each config key means, keyed by its path in the generated JSON Schema. The schemas' JSDoc
// comments are not available at runtime, so the text lives here; a zod `.describe()` on the schema
// itself wins over this table. Path forms:
//   failover.breaker.consecutiveFailures   a core key
//   discovery:mdns / discovery:mdns.interface   a first-party plugin and one of its options
//   serverEntry.url                        a server entry (static servers, initial_servers)
//   discovery:registry.inputs.*.headers    `*` stands for any key of a map
// A test fails when a key has no description, so a new option cannot go undocumented.
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  // The canonical top-level keys.
  discovery: 'Discoverer plugins, each `{ type, ...options }`; every source is merged into one service list.',
  strategy: 'The strategy plugin that picks among capable, healthy services: `{ type, ...options }`.',
  failover: 'What happens when a call fails: further attempts, timeouts, circuit breakers and retry limits.',
  'failover.maxAttempts': 'Further services tried after the first one fails (the pattern\'s `max_failover_attempts`).',
  'failover.timeoutMs': 'Per-call timeout in ms; a call that takes longer fails over. A server entry\'s `timeoutMs` overrides it.',
  'failover.breaker': 'Per-service circuit breaker.',
  'failover.breaker.consecutiveFailures': 'Failures in a row that open a service\'s breaker.',
  'failover.breaker.halfOpenAfterMs': 'How long (ms) an open breaker keeps its service out before one trial call.',
  'failover.breaker.maxHalfOpenAfterMs': 'Each consecutive ejection doubles the open time, up to this cap in ms.',
  'failover.outlier': 'Failure-rate ejection (Envoy\'s failure_percentage outlier detection), beside the consecutive-failure breaker.',
  'failover.outlier.windowMs': 'Length of the window the failure rate is measured over, in ms.',
  'failover.outlier.minRequests': 'Calls a service must have in the window before its failure rate counts.',
  'failover.outlier.failurePercent': 'A service whose failures reach this share of its calls in the window is ejected; 0 disables.',
  'failover.panicThresholdPercent': 'Below this share of healthy services among those eligible, route across all of them (Envoy\'s healthy panic threshold); 0 disables.',
  'failover.retryableTools':
    'Tools that may be retried after a failure that may have reached the server, beyond those annotated readOnlyHint or idempotentHint (`*` for all).',
  'failover.retryBudget': 'Caps retries so failover cannot multiply load during an outage.',
  'failover.retryBudget.percent': 'Retries may add at most this percentage of recent requests...',
  'failover.retryBudget.minPerSecond': '...plus this many retries per second.',
  'failover.backoff': 'Full-jitter exponential backoff between failover attempts.',
  'failover.backoff.baseMs': 'First backoff ceiling in ms; it doubles per attempt.',
  'failover.backoff.maxMs': 'Largest backoff in ms.',
  health: 'Active health checks: `{ type, ...options }`, or `false` to turn them off (passive failure tracking stays on).',
  'health.type': 'The health-check plugin.',
  'health.intervalMs': 'How often (ms) each service is checked.',
  'health.timeoutMs': 'How long (ms) one check may take before it counts as failed.',
  'health.unhealthyThreshold': 'Consecutive failed checks that mark a service down.',
  'health.healthyThreshold': 'Consecutive good checks that bring it back.',
  discoveryIntervalMs: 'How often (ms) discoverers are asked to look again, when `enableAutoRefresh`.',
  enableAutoRefresh: 'Refresh discovery periodically.',
  discoveryTimeoutMs: 'How long (ms) `initialize()` waits for discoverers\' first view and upstreams\' first connection.',
  plugins: 'Packages to load third-party plugins from, beyond the built-in names.',
  logLevel: 'Log level (also `SWITCHBOARD_LOG_LEVEL`).',
  tracing: 'OpenTelemetry spans per routed call, with `traceparent` sent to HTTP upstreams: `{ type: otel }`. Needs `@opentelemetry/api` installed and an OpenTelemetry SDK started by the process (for example `node --import ./otel-setup.mjs`).',
  'tracing.type': 'Only `otel` for now.',
  gateway: 'How `switchboard serve` exposes the router: `namespace`, `http` (port, host, path), `auth` (bearerTokens, apiKeyHeader, apiKeys), `allowedHosts`, `allowedOrigins`, `sessionIdleMs`, `sessionSecret` (shared by instances behind one load balancer, so any of them can resume any session; a list rotates), `sessionMaxAgeMs`, `sessionStore` (`{ type: etcd, endpoints }`: instances share log level, subscriptions, DELETE, and relay answers to sampling/elicitation/roots), `maxBodyBytes`, `drainMs` (on SIGTERM, how long calls in flight may finish while /readyz says 503; default 10 s), `maxSessions`, limits per client and connection (`maxSessionsPerClient` 1000, `unusedSessionIdleMs` 60 s for a session with no request after initialize, `maxInFlightPerSession` 64, `maxBufferedBytesPerStream` 4 MiB unread before a stream is cut and its calls cancelled, `maxConnections` 8192, `maxConnectionsPerAddress` 1024, `headersTimeoutMs` 10 s, `requestTimeoutMs` 30 s), `dashboard`, `isolation` (per service: shared or per-session), `maxProcessesPerService`, `processIdleMs`, `pageSize`. Validated by @switchboard/gateway.',
  mcpServers: 'An MCP client config\'s servers (Claude Desktop, Cursor, VS Code) as they are: a `static` discovery source.',

  // The pattern's names, mapped onto the canonical keys.
  routing_strategy: 'Pattern name: `capability_match` = `strategy: { type: first-match }`, `performance` = `latency`, `load_balance` = see `load_balancing_strategy`.',
  load_balancing_strategy: 'Pattern name, with `routing_strategy: load_balance`: `round_robin`, `least_loaded` or `random` (the strategy of that name).',
  max_failover_attempts: 'Pattern name for `failover.maxAttempts`.',
  discovery_interval_seconds: 'Pattern name for `discoveryIntervalMs`, in seconds.',
  discovery_timeout: 'Pattern name for `discoveryTimeoutMs`, in seconds.',
  enable_auto_refresh: 'Pattern name for `enableAutoRefresh`.',
  health_check_interval: 'Pattern name for `health.intervalMs`, in seconds.',
  initial_servers: 'Pattern name: server entries, read as a `static` discovery source.',
  enable_performance_tracking: 'Pattern name; accepted and ignored (Switchboard always tracks performance).',
  prefer_low_latency: 'Pattern name; accepted and ignored.',
  enable_service_mesh: 'Pattern name; accepted and ignored.',

  // Discovery plugins.
  'discovery:static': 'Servers listed in the config, an `mcpServers` object, or an MCP client config file.',
  'discovery:static.servers': 'Server entries.',
  'discovery:static.mcpServers': 'The object MCP clients use: `{ name: { command, args, env } | { url, headers } }`.',
  'discovery:static.file': 'A JSON file holding `mcpServers`, re-read on every discovery refresh.',
  'discovery:mdns': 'MCP servers announcing `_mcp._tcp` on the local link (mDNS/DNS-SD).',
  'discovery:mdns.interface': 'IPv4 address of the interface to join the group on and send from, e.g. `127.0.0.1`. Default: all.',
  'discovery:mdns.queryIntervalMs': 'How often (ms) to browse again; records are also re-queried at ~80% of their TTL.',
  'discovery:mdns.initialWaitMs': 'How long (ms) a start or refresh collects answers before resolving.',
  'discovery:mdns.serviceType': 'The DNS-SD service type to browse.',
  'discovery:mdns.mdnsPort': 'UDP port of the mDNS group; only tests and isolated setups change it.',
  'discovery:etcd': 'A shared etcd registry: every key under `prefix` is one server (written by `switchboard register`).',
  'discovery:etcd.endpoints': 'Client URLs of the etcd members (`http://` or `https://`).',
  'discovery:etcd.prefix': 'Every key under it is one server; the key suffix is the default server name.',
  'discovery:etcd.auth': 'etcd user credentials.',
  'discovery:etcd.auth.username': 'etcd user name.',
  'discovery:etcd.auth.password': 'etcd password.',
  'discovery:etcd.dialTimeoutMs': 'Deadline (ms) for each read or write, so an unreachable etcd fails fast.',
  'discovery:etcd.backoff': 'Reconnect backoff after etcd becomes unreachable: doubles from `initialMs`, capped at `maxMs`.',
  'discovery:etcd.backoff.initialMs': 'First reconnect delay in ms.',
  'discovery:etcd.backoff.maxMs': 'Largest reconnect delay in ms.',
  'discovery:registry': 'Remote servers listed by the MCP Registry (or any registry implementing its API).',
  'discovery:registry.url': 'Base URL of the registry; `/v0.1/servers` is appended.',
  'discovery:registry.search': 'Passed to the registry as `search` (its substring match on names and descriptions).',
  'discovery:registry.namePattern': 'Keep only server names matching this glob (`io.github.acme/*`) or `/regex/flags`.',
  'discovery:registry.pageSize': 'Servers per page (the registry\'s `limit`); the registry\'s default when unset.',
  'discovery:registry.refreshIntervalMs': 'Look again on this period (ms), besides the router\'s own refreshes.',
  'discovery:registry.includeDeprecated': 'Also route to servers their publisher has deprecated.',
  'discovery:registry.headers': 'Sent with every registry request (for example Authorization for a private sub-registry).',
  'discovery:registry.timeoutMs': 'Give up on a registry request after this long (ms).',
  'discovery:registry.inputs': 'Per registry server name: values for its URL variables and headers.',
  'discovery:registry.inputs.*.variables': 'Fill `{variable}` in remote URLs and header values, e.g. `{ tenant_id: us-cell1 }`.',
  'discovery:registry.inputs.*.headers': 'Header values to send to the server; they win over the registry\'s.',

  // Strategy plugins.
  'strategy:round-robin': 'Rotate requests over the healthy candidates in turn (pattern: `load_balance` + `round_robin`).',
  'strategy:least-loaded': 'Fewest requests in flight among a few random candidates (pattern: `load_balance` + `least_loaded`).',
  'strategy:least-loaded.choiceCount': 'Candidates compared per pick; 2 is the classic power of two choices.',
  'strategy:random': 'A uniformly random healthy candidate per request (pattern: `load_balance` + `random`).',
  'strategy:latency': 'Lowest expected latency by peak-EWMA over two random choices (pattern: `performance`).',
  'strategy:first-match': 'The first healthy, capable service in priority order (pattern: `capability_match`; the default).',

  // Health plugins.
  'health:ping': 'A service is healthy when it answers MCP `ping`; the round trip feeds the latency strategy.',

  // Server entries.
  serverEntry: 'One MCP server. Give `command` (stdio) or `url` (http, sse, websocket).',
  mcpServerEntry: 'One server in MCP client format; its key is its name.',
  'serverEntry.name': 'Unique service name.',
  'serverEntry.transport': '`stdio`, `http` (Streamable HTTP, falls back to SSE), `sse` or `websocket` (`ws`); inferred from `command` / `url` when absent.',
  'serverEntry.type': 'The `mcpServers` spelling of `transport`.',
  'serverEntry.command': 'Program to run (stdio).',
  'serverEntry.args': 'Its arguments (stdio).',
  'serverEntry.env': 'Environment added to a safe subset of the parent\'s (stdio).',
  'serverEntry.cwd': 'Working directory (stdio).',
  'serverEntry.url': 'Endpoint URL (http, sse, websocket; `ws://` or `wss://` implies websocket).',
  'serverEntry.headers': 'HTTP headers sent to the server (http, sse, websocket).',
  'serverEntry.capabilities': 'What the server offers beyond its tool names.',
  'serverEntry.metadata': 'Free-form (region, version...).',
  'serverEntry.priority': 'Lower is tried first by `first-match`; ties keep discovery order.',
  'serverEntry.weight': 'Relative share for weighted strategies.',
  'serverEntry.timeoutMs': 'Per-call timeout (ms) for this server, overriding `failover.timeoutMs`.',
  'serverEntry.replicaGroup': 'Servers with the same replicaGroup are replicas: the gateway merges their same-named tools with the same schema into one replica set, balanced by the strategy. Without one, a server is its own group and a same-named tool elsewhere is a different tool (qualified).',
  'serverEntry.maxMessageBytes': 'Largest single message accepted from this server (JSON body, SSE event, stdio line, WebSocket frame), enforced while reading; a larger one fails only the call it answers. Default 16 MiB.',
};

/** camelCase spelling of a pattern name, which config also accepts. */
export function camelCaseOf(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
