// The shared transport suite over a real Streamable HTTP fixture on 127.0.0.1.
import { runTransportConformance, startHttpTestServer } from '@switchboard/testing';
import httpTransportPlugin, { HttpTransport } from '../src/index.js';

runTransportConformance({
  name: 'http',
  create: () => new HttpTransport(),
  startServer: () => startHttpTestServer('conformance-http'),
  plugin: httpTransportPlugin(),
});
