// The tiny models, compiled with random weights, run in onnxruntime-node (CPU): every
// output has the checker's shape with B bound, and holds no NaN or Inf. The opset 23
// lowering (Attention, RMSNormalization, Gelu) agrees with the opset 17 decomposition.
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { valueMap } from "../../../compiler/ir/ir.js";
import { compileFile, concrete, randomFeeds, runOnnx, type Compiled } from "./helpers.js";

const MODELS: readonly [string, string][] = [
  ["examples/early_fusion.mm", "TinySingleStream"],
  ["examples/cross_attention.mm", "TinyAlbef"],
  ["examples/modality_experts.mm", "TinyMultiway"],
  ["test/backends/onnx/tiny_clip.mm", "TinyCLIP"],
  ["test/backends/onnx/zoo.mm", "OpZoo"],
  ["test/backends/onnx/zoo.mm", "Doubled"],
];

async function runModel(c: Compiled, opset: number, batch: number) {
  const out = compileToOnnx(c.checked, c.sources, { opset, weights: { random: 1 } });
  const bind = new Map([["B", batch], ["T", batch + 1]]);
  const { feeds } = randomFeeds(out.ir, bind);
  const ran = await runOnnx(out.bytes, feeds);
  return { out, ran, bind };
}

describe("onnxruntime runs the tiny models", () => {
  for (const [file, name] of MODELS) {
    it(`${name} (${file}): shapes match the checker's, values are finite, opset 23 agrees with 17`, async () => {
      const c = compileFile(file).get(name)!;
      const { out, ran, bind } = await runModel(c, 17, 2);
      const vm = valueMap(out.ir);
      expect(ran.size).toBe(out.ir.outputs.length);
      for (const o of out.ir.outputs) {
        const r = ran.get(o.name)!;
        expect([o.name, [...r.dims]]).toEqual([o.name, concrete(vm.get(o.value)!.type.shape, bind)]);
        const bad = r.data.findIndex((x) => !Number.isFinite(x));
        expect([o.name, bad]).toEqual([o.name, -1]);
      }
      const at23 = await runModel(c, 23, 2);
      for (const [k, r] of ran) {
        const s = at23.ran.get(k)!;
        expect([...s.dims]).toEqual([...r.dims]);
        const worst = r.data.reduce((m, x, i) => Math.max(m, Math.abs(x - s.data[i]!) / (1 + Math.abs(x))), 0);
        expect([k, worst < 1e-4]).toEqual([k, true]);
      }
    });
  }

  it("OpZoo agrees at the opsets between: 18 (reduce axes as inputs), 20 (Gelu), 21", async () => {
    const c = compileFile("test/backends/onnx/zoo.mm").get("OpZoo")!;
    const base = (await runModel(c, 17, 2)).ran;
    for (const opset of [18, 20, 21]) {
      const { ran } = await runModel(c, opset, 2);
      for (const [k, r] of base) {
        const s = ran.get(k)!;
        const worst = r.data.reduce((m, x, i) => Math.max(m, Math.abs(x - s.data[i]!) / (1 + Math.abs(x))), 0);
        expect([opset, k, worst < 1e-4]).toEqual([opset, k, true]);
      }
    }
  });

  it("builds symbolic shapes at run time: the same model runs with B = 3", async () => {
    const c = compileFile("test/backends/onnx/zoo.mm").get("OpZoo")!;
    const { out, ran, bind } = await runModel(c, 17, 3);
    const vm = valueMap(out.ir);
    for (const o of out.ir.outputs) expect([o.name, [...ran.get(o.name)!.dims]]).toEqual([o.name, concrete(vm.get(o.value)!.type.shape, bind)]);
  });
});
