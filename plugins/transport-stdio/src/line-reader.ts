// Splits a byte stream into newline-terminated lines with a bound on each line, enforced while
// reading: a peer that writes without a newline cannot make this hold more than `maxLineBytes`
// (plus a small head and tail kept for the report). The SDK's reader and node's readline both
// grow one buffer until the newline comes, which took the gateway down on a 600 MB line.

const LF = 10;
const CR = 13;
/** How much of an oversized line is kept by default to say what it was (its start and end). */
const KEEP_BYTES = 512;

export interface OversizedLine {
  /** Bytes in the whole line, newline excluded. */
  readonly size: number;
  /** Its first bytes and its last bytes, for a report or to find the message's id. */
  readonly head: string;
  readonly tail: string;
}

export interface LineReaderOptions {
  readonly maxLineBytes: number;
  /** How many bytes of an oversized line's start and end to keep (default 512). */
  readonly keepBytes?: number;
  readonly onLine: (line: string) => void;
  /** Once, when a line first goes over the limit, with its first bytes (the rest of it is being dropped). */
  readonly onOverflow?: (head: string, bytesSoFar: number) => void;
  /** When an oversized line has ended: what was dropped. */
  readonly onOversized: (line: OversizedLine) => void;
}

export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** In an oversized line: counting it, keeping only its head and tail. */
  private dropping = false;
  private head = '';
  private tail: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(private readonly options: LineReaderOptions) {
    this.keep = options.keepBytes ?? KEEP_BYTES;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      this.take(chunk.subarray(start, end));
      if (lf === -1) return;
      this.endLine();
      start = lf + 1;
    }
  }

  /** Drop whatever partial line is held (the stream ended). */
  clear(): void {
    this.chunks = [];
    this.size = 0;
    this.dropping = false;
    this.head = '';
    this.tail = Buffer.alloc(0);
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.dropping) {
      this.keepTail(part);
      return;
    }
    if (this.size <= this.options.maxLineBytes) {
      this.chunks.push(part);
      return;
    }
    // Over the limit: keep the head, let the rest go, and say so now rather than at the newline.
    const held = Buffer.concat([...this.chunks, part]);
    this.head = held.toString('utf8', 0, Math.min(this.keep, held.length));
    this.tail = Buffer.from(held.subarray(Math.max(0, held.length - this.keep)));
    this.chunks = [];
    this.dropping = true;
    this.options.onOverflow?.(this.head, this.size);
  }

  private keepTail(part: Buffer): void {
    if (part.length >= this.keep) {
      this.tail = Buffer.from(part.subarray(part.length - this.keep));
    } else {
      const joined = Buffer.concat([this.tail, part]);
      this.tail = joined.subarray(Math.max(0, joined.length - this.keep));
    }
  }

  private endLine(): void {
    if (this.dropping) {
      const tail = this.tail.toString('utf8');
      const report: OversizedLine = { size: this.size, head: this.head, tail: tail.endsWith('\r') ? tail.slice(0, -1) : tail };
      this.clear();
      this.options.onOversized(report);
      return;
    }
    let line = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
    this.chunks = [];
    this.size = 0;
    this.options.onLine(line);
  }
}
