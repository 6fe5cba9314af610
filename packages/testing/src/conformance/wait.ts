// Polling with a deadline: conformance suites wait for outcomes (an event, a closed socket) and never
// assert how long they took; the deadline only turns a hang into a failure that says what was missing.
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Let pending timers, I/O callbacks and microtasks run, so late events get their chance to show. */
export async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
