import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// Dawn (the `webgpu` package) needs a Vulkan driver; on machines without a GPU, Debian's
// chromium ships SwiftShader. The Vulkan loader reads this variable at load time, in the
// worker threads, so it is set here in the main process before they start.
const SWIFTSHADER = "/usr/lib/chromium/vk_swiftshader_icd.json";
if (existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
// The IR verifier after every pass, not only at the ends of a pipeline (ir/passes/index.ts).
process.env.MM_VERIFY_EACH ??= "1";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "threads",
    // MM_SUITE_JSON=FILE: also vitest's JSON report, for scripts/suite-times.mjs.
    reporters: process.env.MM_SUITE_JSON ? ["default", ["json", { outputFile: process.env.MM_SUITE_JSON }]] : ["default"],
  },
});
