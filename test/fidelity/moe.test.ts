// `route topk` against an independent reference: the top-2-of-8 SparseMoE of examples/moe.mm
// (test/cases/moe/moe_block.mm) runs in onnxruntime with seeded weights; moe_ref.py loads
// the same weights (the ONNX initializers, renamed to Mixtral's state-dict names, strictly)
// into a PyTorch MixtralSparseMoeBlock written from Hugging Face's modeling_mixtral.py,
// which dispatches sparsely (each expert on its tokens only), and compares the mixture, the
// router logits, the chosen experts and the balancing loss (load_balancing_loss_func) to
// 1e-4 of their scale. Its control, the block with top_k = 1, must fail. Needs torch and
// onnx in /usr/bin/python3: skips loudly without, fails under CI=true.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileToOnnx } from "../../compiler/driver/compile.js";
import { Session } from "../../compiler/driver/session.js";
import { randomInputs } from "../../compiler/tools/inputs.js";
import { runOrt } from "../backends/webgpu/harness.js";

const PYTHON = "/usr/bin/python3";

function torchOrSkip(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import torch, onnx"], { encoding: "utf8" });
  if (r.status === 0) return true;
  if (process.env.CI === "true") throw new Error(`python3-torch and python3-onnx are required under CI=true: ${r.stderr || r.error?.message}`);
  console.warn("SKIPPING the MoE fidelity test: /usr/bin/python3 cannot import torch and onnx");
  return false;
}

describe("route topk against PyTorch's MixtralSparseMoeBlock", () => {
  it("gives the same mixture, router logits, choices and balancing loss; its top-1 control differs", async () => {
    if (!torchOrSkip()) return;
    const session = new Session();
    const program = session.load([resolve("test/cases/moe/moe_block.mm")]);
    const ref = session.models(program).find((m) => m.name === "MoEBlock")!;
    const r = session.compile(ref, program);
    expect(r.diagnostics).toEqual([]);
    const onnx = compileToOnnx(r.checked!, r.sources, { weights: { random: 11 } });
    // B·T = 40 tokens, so every expert is chosen by some and idle for others.
    const inputs = randomInputs(onnx.ir, new Map([["B", 4], ["T", 10]]), 5);
    const out = await runOrt(onnx.bytes, inputs);
    const dir = mkdtempSync(join(tmpdir(), "mm-moe-"));
    try {
      writeFileSync(join(dir, "m.onnx"), onnx.bytes);
      const x = inputs.find((i) => i.name === "x")!;
      const outputs = Object.fromEntries([...out].map(([k, v]) => [k, [...v.data]]));
      writeFileSync(join(dir, "case.json"), JSON.stringify({
        width: 16, hidden: 24, experts: 8, k: 2, inputs: { x: { dims: x.dims, data: [...x.values] } }, outputs,
      }));
      // One torch thread, as in fidelity.ts: idle OpenMP threads spin on the other worker's core.
      const p = spawnSync(PYTHON, [resolve("test/fidelity/moe_ref.py"), join(dir, "m.onnx"), join(dir, "case.json")], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" } });
      expect(p.status, p.stderr).toBe(0);
      const res = JSON.parse(p.stdout.trim().split("\n").pop()!) as { ok: boolean; detail: string; control: string };
      expect(res.detail).toBe("");
      expect(res.ok).toBe(true);
      expect(res.control).toMatch(/^failed: .*y: max/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
