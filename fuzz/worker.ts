// The fuzzer's worker thread: runs `mm` commands in-process through the real CLI entry
// (makeCli's dispatch, every command, the same exit codes and error reporting as
// bin/mm.js), with stdout and stderr captured. The runner (runner.ts) gives it a heap
// limit, a stack like the main thread's, and terminates it when a command runs too long.
import { parentPort } from "node:worker_threads";
import { setFlagsFromString } from "node:v8";

export interface Job {
  readonly id: number;
  readonly argv: readonly string[];
}

export interface Reply {
  readonly id: number;
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

/** Captured output is cut here: a flood of diagnostics must not flood the fuzzer. */
const CAP = 256 * 1024;

const port = parentPort;
if (!port) throw new Error("fuzz/worker.ts runs as a worker thread");
// bin/mm.js's V8 flags (code-cache.js), set before the compiler's code is loaded.
setFlagsFromString("--interrupt-budget=1000000");
const { runCliAsync } = await import("../compiler/cli/main.js");

port.on("message", (job: Job) => {
  let out = "";
  let err = "";
  const io = {
    out: (s: string) => { if (out.length < CAP) out += s.slice(0, CAP - out.length); },
    err: (s: string) => { if (err.length < CAP) err += s.slice(0, CAP - err.length); },
    color: false,
  };
  const t0 = performance.now();
  void runCliAsync(job.argv, io).then((code) => {
    const reply: Reply = { id: job.id, code, out, err, ms: performance.now() - t0 };
    port.postMessage(reply);
  });
});
port.postMessage("ready");
