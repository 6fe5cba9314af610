// `switchboard serve --config F [--http PORT] [--host H] [--stdio]`: the router as one MCP endpoint.
// Logs go to stderr only: with --stdio, stdout is the MCP protocol stream. Runs until SIGINT/SIGTERM
// (or, with --stdio alone, until the client closes stdin), then closes every session, upstream and
// child process. Edits to the config file are applied live (see config-watch.ts).
import { dirname, resolve } from 'node:path';
import { createLogger, createRouter, parseConfig, readConfigFile, SwitchboardError, type Router } from '@switchboard/core';
import type { JsonRpcMessage } from '@switchboard/core';
import { createEtcdSessionStore } from '@switchboard/discovery-etcd';
import { createGateway, GATEWAY_CLIENT_CAPABILITIES, gatewayConfigSchema, serveHttp, serveStdio, type HttpGateway, type SessionStateStore, type SharedSessionState, type StdioGateway } from '@switchboard/gateway';
import { UsageError, type CliIo } from '../io.js';
import { wholeNumberArg } from '../number-arg.js';
import { builtinPlugins } from '../plugins.js';
import { auditExportFor, observersFor } from '../observers.js';
import { untilSignal } from '../until-signal.js';
import { watchConfig } from '../config-watch.js';
import { accessOptions, gatewayReload, parseGatewaySection } from '../gateway-reload.js';
import { openPins, type OpenedPins } from '../pin-storage.js';
import { assertCanListen } from '../port-check.js';

export interface ServeOptions {
  config?: string;
  http?: string;
  host?: string;
  stdio?: boolean;
}

export async function runServe(io: CliIo, options: ServeOptions): Promise<number> {
  if (!options.config) throw new UsageError('--config FILE is required', 'serve');
  const port = wholeNumberArg(options.http, { flag: '--http', command: 'serve', min: 0, max: 65_535, what: 'a port number' });
  const file = resolve(options.config);
  const raw = await readConfigFile(file);
  const config = parseConfig(raw, file);
  const gw = parseGatewaySection(config.gateway, file);
  const wantHttp = port !== undefined || !options.stdio;
  const logger = createLogger({ level: config.logLevel ?? 'info' });

  const observers = await observersFor(config);
  const router: Router = createRouter(raw, {
    plugins: builtinPlugins(),
    resolveFrom: [dirname(file), process.cwd()],
    configDir: dirname(file),
    logger,
    observers,
    clientCapabilities: GATEWAY_CLIENT_CAPABILITIES,
  });
  let http: HttpGateway | undefined;
  let stdio: StdioGateway | undefined;
  let gateway: ReturnType<typeof createGateway> | undefined;
  let watcher: { close(): void } | undefined;
  let sessionStore: SessionStateStore | undefined;
  try {
    if (gw.sessionStore) {
      const storeLogger = logger.child({ component: 'session-store' });
      sessionStore = createEtcdSessionStore<SharedSessionState, JsonRpcMessage>({
        endpoints: gw.sessionStore.endpoints,
        ...(gw.sessionStore.prefix ? { prefix: gw.sessionStore.prefix } : {}),
        onError: (error) => storeLogger.warn('session store error', { error }),
      });
    }
    if (wantHttp) await assertCanListen(options.host ?? gw.http.host, port ?? gw.http.port);
    io.err(`discovering and connecting to upstream servers (up to ${Math.round(config.discoveryTimeoutMs / 1000)} s)…`);
    await router.initialize(); // the gateway opens per-session upstreams with the router's transports
    const pins: OpenedPins | undefined = gw.pins === false ? undefined : await openPins(gw.pins, file, logger);
    gateway = createGateway({
      router,
      namespace: gw.namespace,
      logger,
      ...(gw.isolation ? { isolation: gw.isolation } : {}),
      ...(gw.maxProcessesPerService ? { maxProcessesPerService: gw.maxProcessesPerService } : {}),
      ...(gw.processIdleMs ? { processIdleMs: gw.processIdleMs } : {}),
      ...(gw.pageSize ? { pageSize: gw.pageSize } : {}),
      access: accessOptions(gw, dirname(file)),
      ...(gw.upstreamAuth ? { upstreamAuth: gw.upstreamAuth } : {}),
      ...(gw.audit ? await auditExportFor(config, (m) => io.err(m)).then((auditExport) => (auditExport ? { auditExport } : {})) : {}),
      ...(pins && gw.pins !== false ? { pins: { onDefinitionChange: gw.pins.onDefinitionChange, storage: { store: pins.store, initial: pins.initial } } } : {}),
    });
    await gateway.ready();
    if (wantHttp) {
      http = await serveHttp(gateway, {
        port: port ?? gw.http.port,
        host: options.host ?? gw.http.host,
        path: gw.http.path,
        ...(gw.auth ? { auth: gw.auth } : {}),
        ...(gw.allowedHosts ? { allowedHosts: gw.allowedHosts } : {}),
        ...(gw.allowedOrigins ? { allowedOrigins: gw.allowedOrigins } : {}),
        ...(gw.sessionIdleMs ? { sessionIdleMs: gw.sessionIdleMs } : {}),
        ...(gw.maxBodyBytes ? { maxBodyBytes: gw.maxBodyBytes } : {}),
        ...(gw.maxSessions ? { maxSessions: gw.maxSessions } : {}),
        ...pick(gw, ['maxSessionsPerClient', 'unusedSessionIdleMs', 'maxInFlightPerSession', 'maxBufferedBytesPerStream', 'maxConnections', 'maxConnectionsPerAddress', 'headersTimeoutMs', 'requestTimeoutMs']),
        ...(gw.sessionSecret ? { sessionSecrets: gw.sessionSecret } : {}),
        ...(gw.sessionMaxAgeMs ? { sessionMaxAgeMs: gw.sessionMaxAgeMs } : {}),
        ...(gw.drainMs !== undefined ? { drainMs: gw.drainMs } : {}),
        ...(sessionStore ? { sessionStore } : {}),
        dashboard: gw.dashboard,
      });
      const at = (path: string): string => new URL(path, http!.url).href;
      io.err(`switchboard gateway listening on ${http.url} (health: ${at('/healthz')}, ready: ${at('/readyz')}, metrics: ${at('/metrics')}, services: ${at('/services')}${gw.dashboard ? `, dashboard: ${at('/dashboard')}` : ''})`);
    }
    if (options.stdio) stdio = await serveStdio(gateway);
    watcher = watchConfig(file, router, logger, { part: gatewayReload(gw, http, gateway, dirname(file)) });
    const services = router.registry.size;
    const healthy = router.registry.all().filter((e) => e.health.status !== 'unhealthy').length;
    io.err(`serving ${services} upstream service${services === 1 ? '' : 's'} (${healthy} healthy); edits to ${file} apply live; Ctrl-C to stop`);
    const reason = await Promise.race([untilSignal(), ...(stdio && !http ? [stdio.closed.then(() => 'stdin closed')] : [])]);
    io.err(`stopping (${reason})${http ? `: calls in flight may finish (up to ${Math.round((gw.drainMs ?? 10_000) / 1000)} s), new ones get 503` : ''}`);
    return 0;
  } finally {
    watcher?.close();
    await stdio?.close().catch(() => undefined);
    await http?.close().catch(() => undefined);
    await gateway?.close().catch(() => undefined);
    await sessionStore?.close().catch(() => undefined);
    await router.close();
  }
}

/** The keys of `from` that are set, for options whose gateway-config and serveHttp names agree. */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}
