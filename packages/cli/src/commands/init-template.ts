// The starter config `switchboard init` writes: one working static source, the other discoverers
// commented out, and every routing knob at its default so the file documents itself. A test parses
// it with parseConfig, checks every plugin's options and validates it against the JSON Schema.
import { CONFIG_SCHEMA_URL } from '../config-docs/schema-url.js';

export function initTemplate(schemaRef: string = CONFIG_SCHEMA_URL): string {
  return `# yaml-language-server: $schema=${schemaRef}
# Switchboard config: where to find MCP servers and how to route requests across them.
# Every key: docs/config-reference.md. Check this file with: switchboard validate --config <this file>

discovery:
  # Servers you list yourself. One with \`command\` runs over stdio; one with \`url\` over Streamable
  # HTTP (falling back to SSE), or WebSocket for ws:// and wss:// URLs. Replace these with yours.
  - type: static
    servers:
      - name: everything
        command: npx
        args: ["-y", "@modelcontextprotocol/server-everything"]
        capabilities: [demo]
      - name: search
        url: http://127.0.0.1:3001/mcp   # your server; not 8080, where serve itself listens
        capabilities: [search]
        # priority: 0        # lower is tried first by first-match
        # timeoutMs: 10000   # overrides failover.timeoutMs for this server
    # Or read the mcpServers of an MCP client's config, re-read on every refresh:
    # file: ~/.config/Claude/claude_desktop_config.json

  # Servers announcing themselves on the local network (mDNS/DNS-SD, _mcp._tcp);
  # announce one with: switchboard advertise --name NAME --port PORT
  # - type: mdns
  #   interface: 127.0.0.1

  # A shared etcd registry; servers register with: switchboard register --etcd URL --name NAME --url URL
  # - type: etcd
  #   endpoints: ["http://127.0.0.1:2379"]
  #   prefix: /switchboard/services/

  # Remote servers listed by the MCP Registry:
  # - type: registry
  #   url: https://registry.modelcontextprotocol.io
  #   namePattern: "io.github.*"

# Which capable, healthy server gets a request: first-match (the default), round-robin,
# least-loaded, random or latency.
strategy:
  type: least-loaded
  choiceCount: 2          # servers compared per pick

failover:
  maxAttempts: 3          # further servers tried after the first one fails
  timeoutMs: 30000        # per-call timeout
  breaker:
    consecutiveFailures: 5   # failures in a row that take a server out...
    halfOpenAfterMs: 10000   # ...until one trial call this much later

health:                   # or \`health: false\` to turn active checks off
  type: ping              # a server is healthy when it answers MCP ping
  intervalMs: 30000
  timeoutMs: 5000
  unhealthyThreshold: 2   # failed checks in a row that mark a server down
  healthyThreshold: 1     # good checks that bring it back

discoveryIntervalMs: 60000   # how often discovery looks again
logLevel: warn               # debug | info | warn | error | silent

# How \`switchboard serve\` exposes all of it (docs/gateway.md, docs/security.md).
gateway:
  http: { port: 8080, host: 127.0.0.1, path: /mcp }
  # Tool definitions are pinned the first time they are seen; a changed one (description, schema,
  # annotations) is held back until approved: switchboard pins list|approve --config <this file>
  pins:
    onDefinitionChange: block   # block | warn | accept
  # auth:
  #   oauth: { issuer: https://idp.example.com, requiredScopes: [mcp:tools] }
  # policy:
  #   rules:
  #     - { name: no-deletes, effect: deny, tools: ["*delete*"] }
`;
}
