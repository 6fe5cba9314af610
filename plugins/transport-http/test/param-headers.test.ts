// The SDK client's SEP-2243 `Mcp-Param-*` headers reach the upstream; nothing else it passes in the
// send options can replace a header the transport sets.
import { describe, expect, it } from 'vitest';
import { applyParamHeaders } from '../src/modern-headers.js';

describe('applyParamHeaders', () => {
  it('takes Mcp-Param-* headers (any case) and nothing else', () => {
    const headers: Record<string, string | number | string[] | undefined> = { 'content-type': 'application/json', 'mcp-method': 'tools/call' };
    applyParamHeaders(headers, { 'Mcp-Param-Region': 'us-west1', 'MCP-PARAM-TENANT': '=?base64?SGk=?=', 'Content-Type': 'text/plain', 'Mcp-Method': 'tools/list', 'Mcp-Param-': 'x' });
    expect(headers).toEqual({ 'content-type': 'application/json', 'mcp-method': 'tools/call', 'mcp-param-region': 'us-west1', 'mcp-param-tenant': '=?base64?SGk=?=' });
    applyParamHeaders(headers, undefined);
    expect(Object.keys(headers)).toHaveLength(4);
  });
});
