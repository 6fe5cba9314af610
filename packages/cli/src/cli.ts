// Parses argv and runs one command. Usage mistakes exit 2 with the command's help; a failed
// operation exits 1; a config problem lists every issue with its path.
import { runPins, type PinsOptions } from './commands/pins.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SwitchboardError } from '@switchboard/core';
import { runAdvertise, type AdvertiseCliOptions } from './commands/advertise.js';
import { runCall } from './commands/call.js';
import { runDemo } from './commands/demo.js';
import { runDiscover } from './commands/discover.js';
import { runHealth } from './commands/health.js';
import { initCommand } from './commands/init.js';
import { validateCommand } from './commands/validate.js';
import { runRegister, type RegisterOptions } from './commands/register.js';
import { runServe, type ServeOptions } from './commands/serve.js';
import { processIo, UsageError, type CliIo } from './io.js';
import { CLI_VERSION } from './version.js';

export interface CommandSpec {
  summary: string;
  usage: string;
  examples: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(io: CliIo, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const common = { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export const commands: Record<string, CommandSpec> = {
  init: initCommand,
  validate: validateCommand,
  demo: {
    summary: "Run the pattern's example with three real MCP servers",
    usage: 'switchboard demo',
    examples: ['switchboard demo'],
    options: { help: common.help },
    run: (io) => runDemo(io),
  },
  discover: {
    summary: 'List the services the config discovers, with capabilities and tools',
    usage: 'switchboard discover --config FILE [--json] [--wait MS]',
    examples: ['switchboard discover --config switchboard.yaml', 'switchboard discover -c servers.json --json', 'switchboard discover -c lan.yaml --wait 3000'],
    options: { ...common, wait: { type: 'string' } },
    run: (io, v) => runDiscover(io, v as { config?: string; json?: boolean; wait?: string }),
  },
  call: {
    summary: 'Route one tool call to the best service',
    usage: "switchboard call TOOL [--args JSON] [--capability C]... [--request-type T] --config FILE [--json]",
    examples: [`switchboard call web_search --args '{"query":"mcp"}' --capability search -c switchboard.yaml`],
    options: { ...common, args: { type: 'string', short: 'a' }, capability: { type: 'string', multiple: true }, 'request-type': { type: 'string' } },
    allowPositionals: true,
    run: (io, v, p) => runCall(io, p[0], v as Parameters<typeof runCall>[2]),
  },
  health: {
    summary: 'Check every discovered service now (MCP ping) and report',
    usage: 'switchboard health --config FILE [--json]',
    examples: ['switchboard health -c switchboard.yaml'],
    options: common,
    run: (io, v) => runHealth(io, v as { config?: string; json?: boolean }),
  },
  serve: {
    summary: 'Serve every discovered upstream as one MCP endpoint (Streamable HTTP and/or stdio)',
    usage: 'switchboard serve --config FILE [--http PORT] [--host HOST] [--stdio]',
    examples: [
      'switchboard serve -c switchboard.yaml --http 8080',
      'switchboard serve -c switchboard.yaml --stdio    # as a local server launched by an MCP client',
    ],
    options: { help: common.help, config: common.config, http: { type: 'string' }, host: { type: 'string' }, stdio: { type: 'boolean' } },
    run: (io, v) => runServe(io, v as ServeOptions),
  },
  pins: {
    summary: 'Show pinned tool definitions and approve changed ones (a diff of each)',
    usage: 'switchboard pins list|approve [UPSTREAM/TOOL...] --config FILE [--all] [--json]',
    examples: ['switchboard pins list -c switchboard.yaml', 'switchboard pins approve files/read_file -c switchboard.yaml', 'switchboard pins approve --all -c switchboard.yaml'],
    options: { ...common, all: { type: 'boolean' } },
    allowPositionals: true,
    run: (io, v, p) => runPins(io, p[0], p.slice(1), v as PinsOptions),
  },
  register: {
    summary: "Register a server in etcd with a lease kept alive until stopped",
    usage: 'switchboard register --etcd URL --name NAME --url URL [--transport http|sse|websocket] [--caps a,b] [--ttl SECONDS] [--prefix P]',
    examples: ['switchboard register --etcd http://127.0.0.1:2379 --name search-1 --url http://127.0.0.1:3001/mcp --caps search --ttl 10'],
    options: {
      help: common.help,
      etcd: { type: 'string', multiple: true },
      name: { type: 'string' },
      url: { type: 'string' },
      transport: { type: 'string' },
      caps: { type: 'string' },
      ttl: { type: 'string' },
      prefix: { type: 'string' },
    },
    run: (io, v) => runRegister(io, v as RegisterOptions),
  },
  advertise: {
    summary: 'Announce a running MCP server over mDNS/DNS-SD (_mcp._tcp) until stopped',
    usage: 'switchboard advertise --name NAME --port PORT [--path /mcp] [--proto http|sse|ws] [--caps a,b] [--interface IP] [--host H] [--ttl SECONDS]',
    examples: ['switchboard advertise --name search --port 3001 --caps search,web_search --interface 127.0.0.1'],
    options: {
      help: common.help,
      name: { type: 'string' },
      port: { type: 'string', short: 'p' },
      path: { type: 'string' },
      proto: { type: 'string' },
      caps: { type: 'string' },
      interface: { type: 'string' },
      host: { type: 'string' },
      ttl: { type: 'string' },
      'mdns-port': { type: 'string' },
    },
    run: (io, v) => runAdvertise(io, v as AdvertiseCliOptions),
  },
};

export function helpText(name?: string): string {
  const spec = name ? commands[name] : undefined;
  if (spec) return `${spec.summary}\n\nUsage: ${spec.usage}\n\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`;
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return (
    'switchboard: discover MCP servers and route requests across them\n\nCommands:\n' +
    Object.entries(commands)
      .map(([c, s]) => `  ${c.padEnd(width)}  ${s.summary}`)
      .join('\n') +
    '\n\nRun `switchboard COMMAND --help` for options and examples; `switchboard --version` prints the version.\n'
  );
}

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText(rest[0]));
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`switchboard ${CLI_VERSION}`);
    return 0;
  }
  const spec = commands[name];
  if (!spec) {
    io.err(`unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: spec.options, allowPositionals: spec.allowPositionals ?? false, strict: true });
    if (values.help) {
      io.out(helpText(name));
      return 0;
    }
    return await spec.run(io, values as Record<string, unknown>, positionals);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`switchboard ${name}: ${(error as Error).message}\n\n${helpText(name)}`);
      return 2;
    }
    if (SwitchboardError.is(error)) {
      io.err(`switchboard ${name}: [${error.code}] ${error.message}`);
      return error.code === 'CONFIG_INVALID' || error.code === 'CONFIG_READ_FAILED' ? 2 : 1;
    }
    io.err(`switchboard ${name}: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
