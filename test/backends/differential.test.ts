// Symbolic against constant: every tiny stdlib model and every example, compiled once with
// its symbolic dims (B, T, P) and once with each dim given a value *before* checking, so all
// shape arithmetic and every op argument folds to a constant. Both ONNX files get the same
// weights (by path and seed) and the same inputs, at two bindings, and must agree to 1e-5.
// An argument lost between the checker and a backend (a slice start `P + n` read as 0) shows
// here, where no shape check can see it. The WebGPU plan of every tiny model runs at the
// second binding (every symbol one above its default) in test/backends/webgpu/stdlib.test.ts,
// against onnxruntime.
import { compileToOnnx } from "../../compiler/driver/compile.js";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Session, type ModelRef } from "../../compiler/driver/session.js";
import type { Program } from "../../compiler/resolve/loader.js";
import { isUnpublished } from "../../compiler/elaborate/model.js";
import { irFromChecked } from "../../compiler/driver/build-ir.js";
import { countParams } from "../../compiler/tools/params.js";
import { defaultBindings, randomInputs, type RandomInput } from "../../compiler/tools/inputs.js";
import { runOrt, shiftedBindings } from "./webgpu/harness.js";

const session = new Session();
const std = session.stdlib();
const EXAMPLES = ["clip.mm", "cross_attention.mm", "early_fusion.mm", "modality_experts.mm"].map((f) => resolve("examples", f));
const examples = session.load(EXAMPLES);
// The examples' full-size models (examples/clip.mm's CLIP and CLIP_L14: 151M and 428M
// parameters) would take minutes of random weights and onnxruntime on this machine's two
// cores; their structure is the stdlib's CLIP_ViT_B32 and CLIP_ViT_L14, whose tiny variants
// are compared above. Every other example model runs.
const SMALL = 20_000_000;
const cases: { ref: ModelRef; program: Program }[] = [
  ...session.models(std).filter((m) => m.name.endsWith("_Tiny") && !isUnpublished(m.decl)).map((ref) => ({ ref, program: std })),
  ...session.models(examples).filter((ref) => {
    const c = session.compile(ref, examples, { checkOnly: true }).checked;
    return c === undefined || countParams(c.model).total < SMALL; // one that does not check fails below
  }).map((ref) => ({ ref, program: examples })),
];

type Outputs = Map<string, { dims: readonly number[]; data: Float64Array }>;

/** Outputs that differ by more than tol * max(1, max|reference|), or in shape. */
function mismatches(want: Outputs, got: Outputs, tol: number): string[] {
  const bad: string[] = [];
  for (const [name, w] of want) {
    const g = got.get(name);
    if (!g || g.data.length !== w.data.length || g.dims.join() !== w.dims.join()) {
      bad.push(`${name}: missing or misshapen`);
      continue;
    }
    let diff = 0, scale = 1;
    for (let i = 0; i < w.data.length; i++) {
      const a = Number(g.data[i]), b = w.data[i]!;
      if (Number.isNaN(a) || Number.isNaN(b)) {
        if (Number.isNaN(a) !== Number.isNaN(b)) diff = Infinity;
        continue;
      }
      scale = Math.max(scale, Math.abs(b));
      diff = Math.max(diff, Math.abs(a - b));
    }
    if (!(diff <= tol * scale)) bad.push(`${name}: max|d| ${diff.toExponential(2)} (scale ${scale.toExponential(2)})`);
  }
  return bad;
}


describe("symbolic and constant compiles compute the same numbers", () => {
  it("covers every tiny model and every example", () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  for (const { ref, program } of cases) {
    it(ref.name, async () => {
      const sym = session.compile(ref, program);
      expect(sym.checked?.graph, `${ref.name} checks`).toBeDefined();
      const symOnnx = compileToOnnx(sym.checked!, sym.sources, { weights: { random: 1 } });
      const first = defaultBindings(irFromChecked(sym.checked!));
      const bindings = first.size ? [first, shiftedBindings(first)] : [first];
      for (const bind of bindings) {
        const label = `${ref.name} at ${[...bind].map(([s, v]) => `${s}=${v}`).join(",") || "constant shapes"}`;
        const inputs: RandomInput[] = randomInputs(symOnnx.ir, bind, 5);
        const c = session.compile(ref, program, { bind });
        expect(c.checked?.graph, `${label}: the constant compile checks`).toBeDefined();
        const constOnnx = compileToOnnx(c.checked!, c.sources, { weights: { random: 1 } });
        const want = await runOrt(constOnnx.bytes, inputs);
        expect(mismatches(want, await runOrt(symOnnx.bytes, inputs), 1e-5), label).toEqual([]);
      }
    }, 300_000);
  }
});
