// Writes made in one turn of the event loop, sent in one system call. A stream corked until the
// loop's check phase hands everything written meanwhile to the OS as one writev: under load, the
// requests (or answers) of every message read in this turn, instead of a write each.
/** A stream that can be corked (node's Writable, a socket, a pipe, process.stdout). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/** Cork `stream` until the end of this turn, unless it already is. Call before each write. */
export function batchThisTurn(stream: Corkable): void {
  if (corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  setImmediate(() => flushBatch(stream));
}

/** Send what this turn has written now (before the stream is closed or the process ends). */
export function flushBatch(stream: Corkable): void {
  if (!corked.delete(stream)) return;
  stream.uncork();
}
