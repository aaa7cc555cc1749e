// Transcendental ops where WGSL's builtins are not accurate enough: WGSL bounds sin and cos
// only to 2^-11 absolute inside [-pi, pi] and not at all outside, and SwiftShader's drift by
// about 1e-4 at the hundreds of radians rotary position embeddings reach, which showed as
// LLaMA-family logits 1e-4 of their scale off the PyTorch references. The kernels reduce the
// angle themselves (kernels/map-elementwise.ts, mm_sincos); here they must agree with
// onnxruntime's (libm's) sin and cos to 2e-6 at angles up to 500 radians.
import { describe, expect, it } from "vitest";
import { compareWithOrt, compileProgram, dawnOrSkip, describeFailures } from "./harness.js";

const PROGRAM = `
model Angles {
  input x: [B, 64]
  forward {
    output sn = sin(x * 500.0)
    output cs = cos(x * 500.0)
    output sn_near = sin(x * 3.0)
    output cs_near = cos(x * 3.0)
    output rope = cos(arange(256) * 1.7)
  }
}`;

const run = await dawnOrSkip("the WebGPU precision tests");
describe.skipIf(!run)("sin and cos on WebGPU", () => {
  it("agree with libm to 2e-6 at any angle a model computes", async () => {
    const [, c] = [...compileProgram(PROGRAM)][0]!;
    const r = await compareWithOrt(c.checked, c.sources, { bind: new Map([["B", 4]]), seed: 1, inputSeed: 5, tol: 2e-6 });
    expect(r.outputs.map((o) => o.name).sort()).toEqual(["cs", "cs_near", "rope", "sn", "sn_near"]);
    expect(describeFailures(r)).toBe("");
  });
});
