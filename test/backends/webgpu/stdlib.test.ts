// Every tiny stdlib model, its symbolic dims one above their defaults, compiles to a WebGPU
// plan that runs on Dawn (SwiftShader without a GPU) and matches onnxruntime-node CPU on the
// same weights and inputs: float outputs within 1e-3 of max(1, max|ort|), int and bool
// outputs exactly. Each plan's memory report is checked too: the arena is at least the lower
// bound, at most the naive sum, and no two tensors alive at once share bytes.
//
// Where torch is installed, the models with a fidelity reference run in test/fidelity instead:
// their plans, with the reference's own checkpoint, must give the PyTorch reference's outputs
// to 1e-4 (and the same memory checks). Compiling a plan's shaders is most of a run's time on
// SwiftShader, so each plan is compiled once in the suite; the models here keep the shifted
// dims.
import { describe, expect, it } from "vitest";
import { irFromChecked } from "../../../compiler/driver/build-ir.js";
import { Session } from "../../../compiler/driver/session.js";
import { isUnpublished } from "../../../compiler/elaborate/model.js";
import { overlapping } from "../../../compiler/backends/webgpu/memory.js";
import { defaultBindings } from "../../../compiler/tools/inputs.js";
import { compareWithOrt, dawnOrSkip, describeFailures, shiftedBindings } from "./harness.js";
import { webGpuRoundTripModels } from "../../fidelity/cases.js";
import { spawnSync } from "node:child_process";

const session = new Session();
const program = session.stdlib();
const tiny = session.models(program).filter((m) => m.name.endsWith("_Tiny") && !isUnpublished(m.decl));
const torch = spawnSync("/usr/bin/python3", ["-c", "import torch"]).status === 0;
const elsewhere = torch ? webGpuRoundTripModels() : new Set<string>();

describe("every tiny stdlib model on WebGPU matches onnxruntime CPU", () => {
  it("finds the tiny models", () => {
    expect(tiny.length).toBeGreaterThan(40);
  });

  it("leaves to test/fidelity only models it runs there", () => {
    expect([...elsewhere].filter((m) => !tiny.some((t) => t.name === m))).toEqual([]);
  });

  for (const ref of tiny.filter((t) => !elsewhere.has(t.name))) {
    it(`${ref.name}`, async () => {
      if (!(await dawnOrSkip(`the WebGPU run of ${ref.name}`))) return;
      const r = session.compile(ref, program);
      expect(r.checked).toBeDefined();
      // One above the defaults: test/backends/differential.test.ts compares these bindings'
      // symbolic and constant ONNX files, so both backends are checked where a dim is not its default.
      const bind = shiftedBindings(defaultBindings(irFromChecked(r.checked!)));
      const c = await compareWithOrt(r.checked!, r.sources, { bind, seed: 1 });
      expect(c.outputs.length).toBeGreaterThan(0);
      expect(c.outputs.filter((o) => !o.ok), describeFailures(c)).toEqual([]);
      const { memory } = c.webgpu.plan;
      expect(memory.peak).toBeGreaterThanOrEqual(memory.lowerBound);
      expect(memory.peak).toBeLessThanOrEqual(memory.naive);
      expect(overlapping(c.webgpu.lifetimes, c.webgpu.placement.offsets)).toEqual([]);
    }, 300_000);
  }
});
