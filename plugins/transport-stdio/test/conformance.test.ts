// The shared transport suite over the fixture server spawned as a real child process (built dist:
// run `pnpm build` first).
import { runTransportConformance, stdioFixtureEntry, testDescriptor } from '@switchboard/testing';
import stdioTransportPlugin, { StdioTransport } from '../src/index.js';

runTransportConformance({
  name: 'stdio',
  create: () => new StdioTransport(),
  // The process belongs to the client transport: closing the client ends it, so there is nothing else to close.
  startServer: async () => ({ descriptor: testDescriptor(stdioFixtureEntry('conformance-stdio', ['echo', 'whoami'])), close: async () => undefined }),
  // A stdio server cannot be "closed" from outside; a command that does not exist is its dead endpoint.
  deadDescriptor: async () => testDescriptor({ name: 'conformance-stdio-missing', command: '/nonexistent/switchboard-conformance-server' }),
  plugin: stdioTransportPlugin(),
});
