// The fuzzer (fuzz/, `npm run fuzz`) on a fixed seed and a fixed number of programs: no
// internal compiler error, stack trace, hang or out-of-memory death on any of them. The
// count, not a time, bounds the run: about 12 s in a clean CI run on 2 cores, where the
// suite's six minutes are the tighter budget (`npm run fuzz` is for long runs). A failure
// prints the program, its replay command and what happened.
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { runCampaign, type Found } from "../../fuzz/campaign.js";
import { compact } from "../../fuzz/program.js";
import { Runner } from "../../fuzz/runner.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SEED = 20_240_618;
const PROGRAMS = 400;

/** fuzz/worker.ts as one ES module (worker threads do not run TypeScript), under test/.tmp
 *  so that the compiler still finds the package root and its stdlib from it. */
function bundleWorker(): string {
  const dir = join(ROOT, "test/.tmp");
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `fuzz-worker-${process.pid}.mjs`);
  buildSync({
    entryPoints: [join(ROOT, "fuzz/worker.ts")], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning",
    external: ["onnxruntime-node", "webgpu", "ts-morph", "vscode-languageserver", "vscode-languageserver-textdocument"],
    banner: { js: "import { createRequire as __mmRequire } from 'node:module'; const require = __mmRequire(import.meta.url);" },
  });
  return outfile;
}

function describeFound(f: Found): string {
  const files = Object.entries(f.program.files).map(([name, text]) => `--- ${name}\n${compact(text, 3000)}`).join("\n");
  return `program ${f.index} of seed ${f.seed} (replay: npm run fuzz -- --seed ${f.seed} --from ${f.index} --count 1)\n` +
    `mm ${f.failure.command}: ${f.failure.class}: ${f.failure.message}\n${files}\n--- output\n${f.failure.output.slice(0, 2000)}`;
}

describe("fuzz", () => {
  it(`runs ${PROGRAMS} generated and mutated programs of seed ${SEED} without an internal error, trace, hang or OOM`, async () => {
    const workerFile = bundleWorker();
    const runner = new Runner({ workerFile });
    try {
      const report = await runCampaign({ runner, root: ROOT, seed: SEED, count: PROGRAMS });
      expect(report.programs).toBe(PROGRAMS);
      expect(report.failures.map(describeFound)).toEqual([]);
      // The run reaches past `mm check`: some programs are valid and get compiled.
      expect(report.exits.compile?.["0"] ?? 0).toBeGreaterThan(0);
    } finally {
      await runner.close();
      rmSync(workerFile, { force: true });
    }
  }, 120_000);
});
