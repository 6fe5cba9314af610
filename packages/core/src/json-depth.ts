// How deep a JSON text nests, checked on the text before anything walks the value. JSON.parse takes
// any depth, but JSON.stringify (and every recursive walk after it) runs out of stack a few thousand
// levels down: a peer's message nested 100,000 deep parsed fine and then could not be passed on, so
// its call hung, or its failure was blamed on the wrong side. Messages are refused past a depth no
// real MCP message comes near (tool schemas and results nest tens of levels, not hundreds).
import type { SwitchboardError } from './errors.js';
import { linkError } from './link-faults.js';
import { failedAnswer } from './pending-requests.js';
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';

/** The deepest nesting of arrays and objects a message may have (serde_json's default is 128). */
export const MAX_JSON_DEPTH = 512;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when `text` (JSON) nests arrays and objects more than `limit` levels deep. */
export function exceedsJsonDepth(text: string, limit = MAX_JSON_DEPTH): boolean {
  // Each level takes at least one character: most messages are too short to be checked at all.
  if (text.length <= limit) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: brackets inside it are text.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The failure of a call whose answer nested past MAX_JSON_DEPTH: the upstream's protocol fault. */
export function tooDeepAnswerError(peer: string): SwitchboardError {
  return linkError('protocol', 'maybe', `${peer} answered with JSON nested deeper than ${MAX_JSON_DEPTH} levels; the answer was refused`);
}

/**
 * True when a parsed value nests arrays and objects more than `limit` levels deep: for a transport
 * that only sees messages already parsed (the SDK's legacy SSE client). Walks without recursion, and
 * stops at the first branch too deep.
 */
export function valueExceedsJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * What a transport delivers for an upstream's message that nests past MAX_JSON_DEPTH: for an answer,
 * a failed answer to the call it answers (the call fails at once, as the upstream's protocol fault);
 * for a request or notification, nothing (`undefined`: report it and drop it).
 */
export function tooDeepAnswer(value: unknown, peer: string): JsonRpcMessage | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  const isAnswer = value !== null && typeof value === 'object' && !('method' in value) && (typeof id === 'string' || typeof id === 'number');
  if (!isAnswer) return undefined;
  return failedAnswer(id as JsonRpcId, tooDeepAnswerError(peer)) as JsonRpcMessage;
}

/** The error a transport reports for an upstream message it dropped for its depth. */
export function tooDeepError(peer: string): Error {
  return new SyntaxError(`${peer} sent JSON nested deeper than ${MAX_JSON_DEPTH} levels; the message was dropped`);
}
