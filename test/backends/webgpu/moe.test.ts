// The top-k mixture-of-experts example on WebGPU: every kernel of its plans binds at most
// WebGPU's default 8 storage buffers (the eight experts' weighted sum used to ride one
// matmul's epilogue and bind 11), and the plans run on a device with default limits and
// match onnxruntime CPU, for the generation outputs and for the two training losses.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Session } from "../../../compiler/driver/session.js";
import { compareWithOrt, dawnOrSkip, describeFailures } from "./harness.js";

const session = new Session();
const program = session.load([resolve("examples/moe.mm")]);
const ref = session.models(program).find((m) => m.name === "TinyMoEVLM")!;
const bind = new Map([["B", 3]]);

describe("examples/moe.mm on WebGPU with default limits", () => {
  for (const task of ["generate", "pretrain"]) {
    it(`task ${task}`, async () => {
      if (!(await dawnOrSkip(`the WebGPU run of TinyMoEVLM (${task})`))) return;
      const r = session.compile(ref, program);
      expect(r.diagnostics).toEqual([]);
      const c = await compareWithOrt(r.checked!, r.sources, { bind, seed: 3, task });
      const bindings = c.webgpu.plan.kernels.map((k) => (k.wgsl.match(/var<storage/g) ?? []).length);
      expect(Math.max(...bindings)).toBeLessThanOrEqual(8);
      expect(c.outputs.map((o) => o.name).sort()).toEqual(task === "generate" ? ["logits"] : ["loss_balance", "loss_lm"]);
      expect(c.outputs.filter((o) => !o.ok), describeFailures(c)).toEqual([]);
    }, 300_000);
  }
});
