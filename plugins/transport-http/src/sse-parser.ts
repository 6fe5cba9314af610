// Incremental Server-Sent Events parser (WHATWG "event stream interpretation"), fed decoded string
// chunks straight from a node response: no web streams, no per-event objects beyond the event.

export interface SseEvent {
  /** The `event:` field; undefined when absent or empty (meaning 'message'). */
  event: string | undefined;
  /** The `data:` lines, joined with \n. */
  data: string;
  /** The last event id seen on this stream so far (it carries over between events, per spec). */
  id: string | undefined;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

export interface SseLimits {
  /**
   * Largest event (its buffered line plus its data so far), in UTF-16 code units, which for the
   * ASCII that JSON mostly is equals bytes. Checked as data arrives, so an event that never ends
   * cannot grow past it.
   */
  readonly maxEventChars: number;
  /** Called once when an event goes over: the parser then ignores the rest of the stream. */
  readonly onTooLarge: (size: number) => void;
}

export class SseParser {
  /** The last `id:` seen; what a reconnect sends as Last-Event-ID. */
  lastEventId: string | undefined;
  private buffer = '';
  private data = '';
  private dataLines = 0;
  private eventType: string | undefined;
  private first = true;
  /** The previous chunk ended in CR: a LF opening this one belongs to that line break. */
  private skipLf = false;
  /** An event went over the limit: everything after it is dropped (the caller ends the stream). */
  private overLimit = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onRetry?: (ms: number) => void,
    private readonly limits?: SseLimits,
  ) {}

  push(chunk: string): void {
    if (this.overLimit) return;
    if (this.first) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.skipLf) {
      this.skipLf = false;
      if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
    }
    // No line end in this chunk: only buffer it (a large event arrives in many chunks).
    if (chunk.indexOf('\n') === -1 && chunk.indexOf('\r') === -1) {
      this.buffer += chunk;
      this.checkSize();
      return;
    }
    const text = this.buffer.length > 0 ? this.buffer + chunk : chunk;
    this.buffer = '';
    const length = text.length;
    let start = 0;
    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    while (start < length) {
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) break;
      this.line(text, start, end);
      if (this.overLimit) return;
      start = end + 1;
      if (text.charCodeAt(end) === CR) {
        if (start === length) this.skipLf = true;
        else if (text.charCodeAt(start) === LF) start++;
      }
    }
    if (start < length) {
      this.buffer = text.slice(start);
      this.checkSize();
    }
  }

  private checkSize(): void {
    const limits = this.limits;
    if (!limits) return;
    const size = this.buffer.length + this.data.length;
    if (size <= limits.maxEventChars) return;
    this.overLimit = true;
    this.buffer = '';
    this.data = '';
    this.dataLines = 0;
    limits.onTooLarge(size);
  }

  private line(text: string, start: number, end: number): void {
    if (start === end) return this.dispatch();
    const first = text.charCodeAt(start);
    if (first === COLON) return; // comment (keep-alive)
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    const field = text.slice(start, colon);
    let valueStart = colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++;
    const value = valueStart < end ? text.slice(valueStart, end) : '';
    switch (field) {
      case 'data':
        this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
        this.dataLines++;
        this.checkSize();
        break;
      case 'event':
        this.eventType = value || undefined;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.onRetry?.(Number(value));
        break;
      default: // unknown fields are ignored, per spec
    }
  }

  private dispatch(): void {
    if (this.dataLines > 0) this.onEvent({ event: this.eventType, data: this.data, id: this.lastEventId });
    this.data = '';
    this.dataLines = 0;
    this.eventType = undefined;
  }
}
