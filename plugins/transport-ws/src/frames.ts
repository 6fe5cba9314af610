// The wire format both ends share: one JSON-RPC message per WebSocket text frame. Decoding never
// throws, because a bad frame must be reported (onerror) without tearing the connection down.
import type { RawData } from 'ws';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/core';
import { encodeMessage, exceedsJsonDepth, tooDeepAnswer, tooDeepError, type JsonRpcMessage as JSONRPCMessage } from '@switchboard/core';

/** The WebSocket subprotocol MCP uses (the same one the SDK's browser transport asks for). */
export const MCP_SUBPROTOCOL = 'mcp';

/** Decode one frame into a JSON-RPC message, or an Error that says what was wrong with it. */
export function decodeFrame(data: RawData, isBinary: boolean, peer: string): JSONRPCMessage | Error {
  if (isBinary) return new Error(`ignored a binary websocket frame from ${peer}: MCP over WebSocket uses JSON text frames`);
  const text = rawToString(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return new Error(`ignored a websocket frame from ${peer} that is not valid JSON: ${(error as Error).message} (${preview(text)})`);
  }
  // An answer nested past what anything can pass on fails its call now; anything else is dropped.
  if (exceedsJsonDepth(text)) return tooDeepAnswer(json, peer) ?? tooDeepError(peer);
  const parsed = JSONRPCMessageSchema.safeParse(json);
  if (!parsed.success) {
    return new Error(`ignored a websocket frame from ${peer} that is not a JSON-RPC 2.0 message (${preview(text)})`);
  }
  return parsed.data;
}

export function encodeFrame(message: JSONRPCMessage): string {
  return encodeMessage(message);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

// Enough of the frame to recognise it in a log, never a whole (possibly huge or secret) payload.
function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 80)}…` : oneLine);
}
