// Scalar literals next to tensors take a dtype that keeps their value: a number beside a bool
// mask is not a bool (`where(keep, labels, -100)` once made -100 a bool `true`, silently).
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { randomInputs } from "../../../compiler/tools/inputs.js";
import { compileOne } from "../../helpers.js";
import { runOrt } from "../webgpu/harness.js";

describe("scalar operands beside a bool mask", () => {
  it("keep their value and take the other operand's dtype", async () => {
    const r = compileOne(`model M {
  input keep: [B, 6] bool
  input labels: [B, 6] int64
  input x: [B, 6]
  forward {
    output ids = where(keep, labels, -100)
    output vals = where(keep, 2.5, x)
  }
}`);
    const onnx = compileToOnnx(r.checked!, r.sources, {});
    const inputs = randomInputs(onnx.ir, new Map([["B", 3]]), 5);
    const get = (n: string): Float64Array => inputs.find((i) => i.name === n)!.values;
    const keep = get("keep"), labels = get("labels"), x = get("x");
    expect([...keep].some((k) => k === 0), "the inputs hold a false").toBe(true);
    const out = await runOrt(onnx.bytes, inputs);
    expect([...out.get("ids")!.data]).toEqual([...keep].map((k, i) => (k ? labels[i]! : -100)));
    expect([...out.get("vals")!.data]).toEqual([...keep].map((k, i) => (k ? 2.5 : x[i]!)));
  });
});
