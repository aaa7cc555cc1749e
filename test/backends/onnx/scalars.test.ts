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

describe("runtime dims as scalars", () => {
  it("are read from the inputs' shapes when the graph runs, in the dtype of the tensor beside them", async () => {
    const r = compileOne(`model M {
  input x: [B, N, 4]
  input ids: [B, N] int64
  forward {
    output mean_n = sum(x, axes: [1]) / N
    output shifted = ids + (N * 2 + B)
  }
}`);
    expect(r.diagnostics).toEqual([]);
    const onnx = compileToOnnx(r.checked!, r.sources, {});
    // One file, two sizes: the values come from the shapes fed, not from compile time.
    for (const [B, N] of [[2, 5], [3, 7]] as const) {
      const inputs = randomInputs(onnx.ir, new Map([["B", B], ["N", N]]), 3);
      const x = inputs.find((i) => i.name === "x")!.values;
      const ids = inputs.find((i) => i.name === "ids")!.values;
      const out = await runOrt(onnx.bytes, inputs);
      const want: number[] = [];
      for (let b = 0; b < B; b++) {
        for (let c = 0; c < 4; c++) {
          let s = 0;
          for (let n = 0; n < N; n++) s += x[(b * N + n) * 4 + c]!;
          want.push(s / N);
        }
      }
      const got = [...out.get("mean_n")!.data];
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
      expect([...out.get("shifted")!.data]).toEqual([...ids].map((v) => v + N * 2 + B));
    }
  });
});
