// Buffers, eval and train mode, and `sequential`: the state a checkpoint carries besides its
// parameters, and the nn.Sequential names it carries them under.
import { compileToOnnx } from "../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { weightBytes } from "../../compiler/ir/weights.js";
import { Session } from "../../compiler/driver/session.js";
import { allBuffers, allParams, allTensors } from "../../compiler/elaborate/instance.js";
import { irFromChecked, SelectionError } from "../../compiler/driver/build-ir.js";
import { countParams } from "../../compiler/tools/params.js";
import { codesOf, compileOne, mm, project } from "../helpers.js";
import { LIB } from "./lib.js";

const NORM = `${LIB}
block Norm(c: Int) {
  param weight: [c] init ones
  buffer running_mean: [c] init zeros
  buffer steps: [] int64 init zeros
  forward(x: [N, c]) -> [N, c] {
    if training {
      let m = mean(x, [0])
      update_buffer(running_mean, 0.9 * running_mean + 0.1 * m)
      update_buffer(steps, steps + 1)
      return (x - m) * weight
    }
    return (x - running_mean) * weight
  }
}
model M {
  norm = Norm(4)
  head = Linear(4, 2)
  input x: [B, 4]
  forward { output y = head(norm(x)) }
  stage s { train: norm }
}`;

describe("buffers", () => {
  it("are saved with the weights by path but are not parameters: not counted, never trained", () => {
    const r = compileOne(NORM);
    expect(r.diagnostics).toEqual([]);
    const root = r.checked!.model.root;
    expect(allBuffers(root).map((b) => b.path)).toEqual(["norm.running_mean", "norm.steps"]);
    expect(allParams(root).map((p) => p.path)).toEqual(["norm.weight", "head.weight", "head.bias"]);
    expect(allTensors(root).length).toBe(5);
    const c = countParams(r.checked!.model);
    expect([c.total, c.stages[0]!.trainable, c.buffers]).toEqual([4 + 10, 4, { tensors: 2, elements: 5 }]);
  });

  it("are listed apart by mm params", () => {
    const p = project({ "main.mm": NORM });
    const out = mm("params", p.path("main.mm"));
    expect(out.code).toBe(0);
    expect(out.out).toContain("buffers: 2 tensors, 5 values");
    expect(out.out).toMatch(/total\s+14/);
  });

  it("are graph inputs by path in eval mode, and the graph has no update outputs", () => {
    const r = compileOne(NORM);
    const onnx = compileToOnnx(r.checked!, r.sources, {});
    expect(onnx.ir.params.filter((p) => p.buffer).map((p) => p.path)).toEqual(["norm.running_mean"]);
    expect(onnx.ir.outputs.map((o) => o.name)).toEqual(["y"]);
    const meta = Object.fromEntries(onnx.model.metadataProps!.map((m) => [m.key, m.value]));
    expect(JSON.parse(meta["mm.buffers"]!)).toEqual(["norm.running_mean"]);
    expect(JSON.parse(meta["mm.params"]!)).not.toContain("norm.running_mean");
  });
});

describe("train mode", () => {
  it("sees `training` true and returns each updated buffer as `<path>.updated`", () => {
    const p = project({ "main.mm": NORM });
    const s = new Session();
    const program = s.load([p.path("main.mm")]);
    const ref = s.models(program)[0]!;
    const r = s.compile(ref, program, { training: true });
    expect(r.diagnostics).toEqual([]);
    const ir = irFromChecked(r.checked!);
    expect(ir.outputs.map((o) => o.name)).toEqual(["y", "norm.running_mean.updated", "norm.steps.updated"]);
  });

  it("rejects update_buffer of something that is not a buffer", () => {
    const r = compileOne(`model M {
  param w: [4]
  input x: [B, 4]
  forward { output y = update_buffer(w, mean(x, [0])) }
}`);
    expect(() => irFromChecked(r.checked!)).toThrow(SelectionError);
    expect(() => irFromChecked(r.checked!)).toThrow(/must be a buffer/);
  });

  it("is a usage error for a mode other than eval or train", () => {
    const p = project({ "main.mm": NORM });
    const out = mm("compile", p.path("main.mm"), "-o", p.path("m.onnx"), "--mode", "training");
    expect(out.code).toBe(2);
    expect(out.err).toContain("--mode takes eval or train");
  });
});

describe("the geometric initializer", () => {
  it("fills start * ratio ** i in flat order (rotary inverse frequencies)", () => {
    const r = compileOne(`model M {
  buffer inv_freq: [4] init geometric(ratio: 0.5, start: 2.0)
  input x: [B, 4]
  forward { output y = x * inv_freq }
}`);
    const p = compileToOnnx(r.checked!, r.sources, {}).ir.params[0]!;
    const b = weightBytes(p, { random: 0 });
    expect(Array.from(new Float32Array(b.buffer, b.byteOffset, 4))).toEqual([2, 1, 0.5, 0.25]);
  });
});

describe("the arange initializer", () => {
  it("fills start + step * i in flat order, as int64 (a position_ids buffer)", () => {
    const r = compileOne(`model M {
  buffer position_ids: [1, 4] int64 init arange(start: 2, step: 3)
  input x: [B, 4] int64
  forward { output y = x + position_ids }
}`);
    const p = compileToOnnx(r.checked!, r.sources, {}).ir.params[0]!;
    const b = weightBytes(p, { random: 0 });
    expect(Array.from(new BigInt64Array(b.buffer, b.byteOffset, 4))).toEqual([2n, 5n, 8n, 11n]);
  });
});

describe("the triu initializer", () => {
  it("fills value where column - row >= k in the last two dims (a causal mask buffer)", () => {
    const r = compileOne(`model M {
  buffer mask: [3, 3] init triu(value: -inf, k: 1)
  input x: [B, 3, 3]
  forward { output y = x + mask }
}`);
    const p = compileToOnnx(r.checked!, r.sources, {}).ir.params[0]!;
    const b = weightBytes(p, { random: 0 });
    const ninf = -Infinity;
    expect(Array.from(new Float32Array(b.buffer, b.byteOffset, 9))).toEqual([0, ninf, ninf, 0, 0, ninf, 0, 0, 0]);
  });
});

describe("EMA teachers", () => {
  it("start as exact copies of their students under --weights random", () => {
    const r = compileOne(`${LIB}
model M {
  student = Linear(4, 4)
  teacher = ema(student, momentum: 0.99)
  input x: [B, 4]
  forward { output a = student(x) output b = teacher(x) }
}`);
    const ps = compileToOnnx(r.checked!, r.sources, {}).ir.params;
    const w = (path: string): number[] => Array.from(weightBytes(ps.find((p) => p.path === path)!, { random: 3 }));
    expect(w("teacher.weight")).toEqual(w("student.weight"));
    expect(w("teacher.bias")).toEqual(w("student.bias"));
  });
});

describe("sequential", () => {
  const SEQ = `${LIB}
model M {
  proj = sequential(Linear(4, 8), MLP(8, 16), Linear(8, 2, bias: false))
  input x: [B, 4]
  forward { output y = proj(x) }
}`;

  it("names its layers by position, as nn.Sequential does, and applies them in order", () => {
    const r = compileOne(SEQ);
    expect(r.diagnostics).toEqual([]);
    expect(allParams(r.checked!.model.root).map((p) => p.path)).toEqual([
      "proj.0.weight", "proj.0.bias", "proj.1.fc1.weight", "proj.1.fc1.bias", "proj.1.fc2.weight", "proj.1.fc2.bias", "proj.2.weight",
    ]);
    const ir = irFromChecked(r.checked!);
    expect(ir.values.find((v) => v.id === ir.outputs[0]!.value)!.type.shape.map(String)).toEqual(["B", "2"]);
  });

  it("repeats as PyTorch's ModuleList of Sequentials (layers.N.0, layers.N.1), with the index bound", () => {
    const r = compileOne(`${LIB}
model M {
  layers = repeat 2 as i sequential(Linear(4, 4 + i), Linear(4 + i, 4))
  input x: [B, 4]
  forward { output y = layers(x) }
}`);
    expect(r.diagnostics).toEqual([]);
    expect(allParams(r.checked!.model.root).map((p) => `${p.path} [${p.shape.join(", ")}]`)).toEqual([
      "layers.0.0.weight [4, 4]", "layers.0.0.bias [4]", "layers.0.1.weight [4, 4]", "layers.0.1.bias [4]",
      "layers.1.0.weight [5, 4]", "layers.1.0.bias [5]", "layers.1.1.weight [4, 5]", "layers.1.1.bias [4]",
    ]);
  });

  it("reports a layer that is not a block call", () => {
    expect(codesOf(`${LIB}\nmodel M {\n  s = sequential(Linear(4, 4), 3)\n}`)).toEqual(["MM3018"]);
    expect(codesOf(`${LIB}\nmodel M {\n  s = sequential(Linear(4, 4), first: Linear(4, 4))\n}`)).toEqual(["MM3018"]);
    expect(codesOf(`${LIB}\nmodel M {\n  s = repeat 2 sequential(Linear(4, 4), 3)\n}`)).toEqual(["MM3018"]);
    expect(codesOf(`${LIB}\nmodel M {\n  s = sequential()\n}`)).toEqual(["MM3002"]);
  });
});
