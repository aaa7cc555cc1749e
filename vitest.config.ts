import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";
import { processAlive } from "./compiler/base/atomic.js";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Dawn (the `webgpu` package) needs a Vulkan driver; on machines without a GPU, Debian's
// chromium ships SwiftShader. The Vulkan loader reads this variable at load time, in the
// workers, so it is set here in the main process before they start.
const SWIFTSHADER = "/usr/lib/chromium/vk_swiftshader_icd.json";
if (existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
// The IR verifier after every pass, not only at the ends of a pipeline (ir/passes/index.ts).
process.env.MM_VERIFY_EACH ??= "1";
// This run, for the workers: test/heavy-lock.ts names its lock for it.
process.env.MM_TEST_RUN = String(process.pid);

// One temporary folder for the run (test/global-setup.ts removes it at the end): the tests
// write thousands of temp projects and outputs, and a folder per run keeps none of them.
// Folders of runs whose process is gone (killed, crashed) go first.
if (!process.env.MM_SUITE_TMP) {
  const base = tmpdir();
  for (const d of readdirSync(base)) {
    const pid = d.startsWith("mm-suite-") ? Number(d.slice("mm-suite-".length)) : NaN;
    if (Number.isInteger(pid) && !processAlive(pid)) rmSync(join(base, d), { recursive: true, force: true });
  }
  process.env.MM_SUITE_TMP = join(base, `mm-suite-${process.pid}`);
  mkdirSync(process.env.MM_SUITE_TMP, { recursive: true });
  process.env.TMPDIR = process.env.MM_SUITE_TMP;
}

// The test files that take longest (scripts/suite-times.mjs), longest first. Two workers take
// files from one queue; vitest orders it by the durations of the last run in this checkout,
// or, in a clean clone (CI), by file size, which put the fidelity tier's 80 s last. These go
// first, so nothing long starts near the end; the rest follow in vitest's own order.
const SLOW_FIRST = [
  "test/fidelity/fidelity-1.test.ts",
  "test/fidelity/fidelity-2.test.ts",
  "test/backends/onnx/stdlib.test.ts",
  "test/backends/onnx/cli.test.ts",
  "test/backends/differential.test.ts",
  "test/tools/graph.test.ts",
  "test/fuzz/fuzz.test.ts",
  "test/backends/onnx/functions.test.ts",
  "test/backends/webgpu/typescript.test.ts",
  "test/checkpoint/checkpoint.test.ts",
  "test/backends/webgpu/ops-gemm-tiled.test.ts",
  "test/backends/webgpu/browser.test.ts",
  "test/tools/fmt.test.ts",
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: the rest keep vitest's order
  }
}

// Most test files share their worker's process (`isolate: false`): each worker runs them one
// after another with the compiler, onnxruntime and Dawn imported once, where a fresh process
// per file spent more time importing than testing (about a third of the suite's CPU time).
// These get a process of their own, whose memory goes back when they end: they hold much
// (every stdlib model compiled, the full-size CLIP), start Chromium or PyTorch, or measure
// the process's memory.
const ISOLATED = [
  "test/fidelity/**/*.test.ts", "test/checkpoint/checkpoint.test.ts",
  "test/backends/onnx/stdlib.test.ts", "test/backends/onnx/cli.test.ts", "test/backends/onnx/functions.test.ts",
  "test/backends/differential.test.ts", "test/tools/fmt.test.ts", "test/fuzz/fuzz.test.ts", "test/base/ring-writer.test.ts",
  "test/backends/webgpu/browser.test.ts", "test/playground/playground.test.ts", "test/tools/graph.test.ts", "test/tools/html-pages.test.ts",
  "test/driver/memory.test.ts", "test/driver/watch-caches.test.ts",
];

// What both projects set (not `extends: true`, which would also give them the root's
// maxWorkers, and a --maxWorkers on the command line would no longer reach them).
const common = { testTimeout: 60_000, pool: "forks" } as const;

export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: "isolated", include: ISOLATED } },
      { test: { ...common, name: "shared", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...ISOLATED], isolate: false, execArgv: ["--expose-gc"], setupFiles: ["test/shared-worker-setup.ts"] } },
    ],
    // Two workers, also on a two-core machine (vitest's default there is one: cores - 1): the
    // suite's time is CPU time, and one worker left a core idle while it waited on a child
    // process or ran single-threaded code. VITEST_MAX_WORKERS or --maxWorkers overrides it.
    maxWorkers: 2,
    globalSetup: ["test/global-setup.ts"],
    sequence: { sequencer: SlowFirst },
    // MM_SUITE_JSON=FILE: also vitest's JSON report, for scripts/suite-times.mjs.
    reporters: process.env.MM_SUITE_JSON ? ["default", ["json", { outputFile: process.env.MM_SUITE_JSON }]] : ["default"],
  },
});
