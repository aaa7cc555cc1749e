// Op arguments sized at run time (a slice bound `P + 1` where P is an input's dim) reach
// both backends as values: onnxruntime and the WebGPU plan return exactly the entries the
// Python expression names, at two bindings, computed here from the inputs themselves.
import { compileToOnnx, compileToWebGpu } from "../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { randomInputs, type RandomInput } from "../../compiler/tools/inputs.js";
import { compileProgram, dawnOrSkip, runOrt, runPlan } from "./webgpu/harness.js";

const PROGRAM = `
model RuntimeSlices {
  input prefix: [B, P] int64
  input x: [B, P + L + 3, 2]
  input mid: [B, L]
  forward {
    output tail = x[:, P:]
    output window = x[:, P:P + L]
    output stepped = x[:, P + 1:P + L + 3:2]
    output last = x[:, -L:]
    output before = x[:, 0:P + 1]
    output at = x[:, P + 1]
    output positions = cast(arange(P + L), float32)
  }
}
`;

const D = 2;
type Expect = (x: Float64Array, b: number, p: number, l: number) => { shape: number[]; data: number[] };

/** x[:, rows, :] for a list of row indices, from x [b, p + l + 3, 2]. */
function rows(x: Float64Array, b: number, n: number, picks: readonly number[], keepAxis = true): { shape: number[]; data: number[] } {
  const data: number[] = [];
  for (let i = 0; i < b; i++) for (const r of picks) for (let d = 0; d < D; d++) data.push(x[(i * n + r) * D + d]!);
  return { shape: keepAxis ? [b, picks.length, D] : [b, D], data };
}
const range = (a: number, e: number, step = 1): number[] => Array.from({ length: Math.max(0, Math.ceil((e - a) / step)) }, (_, i) => a + i * step);

const EXPECTED: Readonly<Record<string, Expect>> = {
  tail: (x, b, p, l) => rows(x, b, p + l + 3, range(p, p + l + 3)),
  window: (x, b, p, l) => rows(x, b, p + l + 3, range(p, p + l)),
  stepped: (x, b, p, l) => rows(x, b, p + l + 3, range(p + 1, p + l + 3, 2)),
  last: (x, b, p, l) => rows(x, b, p + l + 3, range(p + 3, p + l + 3)),
  before: (x, b, p, l) => rows(x, b, p + l + 3, range(0, p + 1)),
  at: (x, b, p, l) => rows(x, b, p + l + 3, [p + 1], false),
  positions: (_x, _b, p, l) => ({ shape: [p + l], data: range(0, p + l) }),
};

const model = compileProgram(PROGRAM).get("RuntimeSlices")!;
const BINDINGS: readonly Record<string, number>[] = [{ B: 2, P: 3, L: 4 }, { B: 1, P: 6, L: 2 }];

function expected(inputs: readonly RandomInput[], bind: Record<string, number>): Map<string, { shape: number[]; data: number[] }> {
  const x = inputs.find((i) => i.name === "x")!.values;
  return new Map(Object.entries(EXPECTED).map(([k, f]) => [k, f(x, bind.B!, bind.P!, bind.L!)]));
}

describe("runtime-sized op arguments", () => {
  for (const bind of BINDINGS) {
    const label = Object.entries(bind).map(([k, v]) => `${k}=${v}`).join(",");
    it(`onnxruntime returns the named entries (${label})`, async () => {
      const onnx = compileToOnnx(model.checked, model.sources, {});
      const inputs = randomInputs(onnx.ir, new Map(Object.entries(bind)), 3);
      const got = await runOrt(onnx.bytes, inputs);
      for (const [name, want] of expected(inputs, bind)) {
        const g = got.get(name)!;
        expect([name, [...g.dims]]).toEqual([name, want.shape]);
        expect([name, [...g.data]]).toEqual([name, want.data]);
      }
    });
    it(`the WebGPU plan returns the named entries (${label})`, async () => {
      if (!(await dawnOrSkip("the runtime-sized argument plan"))) return;
      const plan = compileToWebGpu(model.checked, { bind: new Map(Object.entries(bind)), weights: { random: 0 } });
      const inputs = randomInputs(plan.ir, new Map(Object.entries(bind)), 3);
      const got = await runPlan(plan, inputs);
      for (const [name, want] of expected(inputs, bind)) expect([name, Array.from(got[name]!.data, Number)]).toEqual([name, want.data]);
    });
  }
});
