import { Server, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import http from 'node:http';
import { z } from 'zod';
const factory = () => {
  const s = new Server({ name: 'tasky', version: '1' }, { capabilities: { tools: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } } });
  s.setRequestHandler('tools/list', () => ({ tools: [{ name: 'slow', inputSchema: { type: 'object' } }] }));
  s.setRequestHandler('tools/call', (req, ctx) => {
    console.error('server saw caps', JSON.stringify(ctx.mcpReq._meta?.['io.modelcontextprotocol/clientCapabilities']));
    return { resultType: 'task', taskId: 't-1', status: 'working', createdAt: new Date().toISOString(), lastUpdatedAt: new Date().toISOString(), ttlMs: 60000, pollIntervalMs: 10 };
  });
  s.setRequestHandler('tasks/get', { params: z.object({ taskId: z.string() }).passthrough() }, (req) => ({ taskId: req.params.taskId, status: 'completed', createdAt: 'x', lastUpdatedAt: 'y', ttlMs: null, result: { content: [{ type: 'text', text: 'done' }] } }));
  return s;
};
const handler = createMcpHandler(factory, { legacy: 'reject' });
const srv = http.createServer(toNodeHandler(handler));
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${srv.address().port}/mcp`;
const c = new Client({ name: 'c', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } });
await c.connect(new StreamableHTTPClientTransport(new URL(url)));
console.log('server caps', JSON.stringify(c.getServerCapabilities()));
try { console.log('call', JSON.stringify(await c.callTool({ name: 'slow' }))); } catch (e) { console.log('call err', e.message); }
try { console.log('get', JSON.stringify(await c.request({ method: 'tasks/get', params: { taskId: 't-1' } }, z.object({}).passthrough()))); } catch (e) { console.log('get err', e.message); }
// raw
const raw = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'slow' }, body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow', _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } }, 'io.modelcontextprotocol/clientInfo': { name: 'r', version: '1' } } } }) });
console.log('raw', raw.status, await raw.text());
await c.close(); srv.close(); await handler.close();
