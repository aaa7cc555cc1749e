// One memory-heavy step at a time in a test run, and the flags that keep a Chromium small.
// A headless Chromium was five to ten processes and 0.4 to 1 GiB of summed RSS (leanChromium
// below makes it one); four test files start one (the playground, the HTML
// pages, WebGPU in a browser, the diagrams' PNG), and two at once put the suite's peak at
// 3.1 GB. A full-size model in onnxruntime (CLIP's 600 MB of weights: the ONNX CLI and
// --functions tests) holds 0.9 GiB, which its process keeps until it ends.
// Each file holds this lock from before the step starts until after it ends (a file whose
// process stays large, until the file ends), so these steps run one after another while
// other files go on in the other worker.
//
// The lock is a directory named for the run's main vitest process, whose pid vitest.config.ts
// puts in MM_TEST_RUN for its workers (forked processes; this process's own pid outside
// vitest): mkdir is atomic, and a lock left by a run that died belongs to a pid no longer alive.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive } from "../compiler/base/atomic.js";

const PREFIX = "mm-heavy-lock-";
const RUN = Number(process.env.MM_TEST_RUN ?? process.pid);
const LOCK = join(tmpdir(), `${PREFIX}${RUN}`);


/** Waits until no other test file of this run holds a Chromium; returns the release. */
export async function heavyLock(): Promise<() => void> {
  for (const d of readdirSync(tmpdir())) {
    const pid = d.startsWith(PREFIX) ? Number(d.slice(PREFIX.length)) : NaN;
    if (Number.isInteger(pid) && pid !== RUN && !processAlive(pid)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  }
  for (;;) {
    try {
      mkdirSync(LOCK);
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Chromium flags for the tests: one process (--single-process, and no zygotes) where a
 *  headless Chromium was five to ten, each resident with its own view of the shared binary.
 *  Every test page works so, WebGPU on SwiftShader included (browser.test.ts checks the
 *  adapter and the checksum against Dawn in Node). Summed RSS of the test files alone:
 *  diagrams 1.60 -> 1.01 GiB, WebGPU in a browser and the playground 1.69 -> 0.85.
 *  `features` join the one --enable-features flag (Chromium reads only the last of several). */
export function leanChromium(features: readonly string[] = []): string[] {
  return ["--single-process", "--no-zygote", `--enable-features=${["NetworkServiceInProcess2", ...features].join(",")}`];
}
