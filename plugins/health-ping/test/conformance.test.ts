// The shared health-checker suite against a real Streamable HTTP fixture on 127.0.0.1.
import { runHealthCheckerConformance, startHttpTestServer } from '@switchboard/testing';
import pingHealthPlugin, { PingHealthChecker } from '../src/index.js';

runHealthCheckerConformance({
  name: 'ping',
  create: () => new PingHealthChecker(),
  startServer: () => startHttpTestServer('conformance-ping'),
  plugin: pingHealthPlugin(),
});
