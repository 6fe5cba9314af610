// A byte-level bound on the events of an SSE body, for the legacy HTTP+SSE transport whose parser
// (the SDK's, through eventsource) buffers an event of any size. It counts the bytes since the last
// event boundary (an empty line: LF LF, CR CR, or CR LF CR LF) without decoding anything, and fails
// the stream once one event is over the limit.
import { linkError } from '@switchboard/core';

const LF = 10;
const CR = 13;

export function eventSizeGuard(limit: number, onTooLarge: (size: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let run = 0;
  // The last one or two line-end bytes seen, to spot an empty line across chunk boundaries.
  let prev = 0;
  let prev2 = 0;
  return new TransformStream({
    transform(chunk, controller) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        run++;
        if (b === LF || b === CR) {
          // LF after LF, CR after CR, or LF after CR LF CR ends the event.
          if ((b === LF && prev === LF) || (b === CR && prev === CR) || (b === LF && prev === CR && prev2 === LF)) run = 0;
        }
        prev2 = prev;
        prev = b;
      }
      if (run > limit) {
        onTooLarge(run);
        controller.error(linkError('too-large', 'maybe', `the upstream sent an SSE event of more than ${limit} bytes; raise the server entry's maxMessageBytes if this is expected`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}
