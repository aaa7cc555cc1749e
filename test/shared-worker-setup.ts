// Runs before each test file of the "shared" project (vitest.config.ts), whose files run one
// after another in a worker process that lives for the whole suite. V8 lets the heap grow
// to several hundred MiB of garbage before it collects (the live set between files is about
// 80 MiB), which the worker then keeps resident beside Chromium in the other worker. A full
// collection after a file that left the heap large brings it back; after most files it is
// small and nothing runs.
import { afterAll } from "vitest";

const LARGE = 160 * 2 ** 20;

afterAll(() => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc && process.memoryUsage().heapUsed > LARGE) gc();
});
