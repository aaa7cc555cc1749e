import { describe, expect, it } from "vitest";
import { allParams } from "../../compiler/elaborate/instance.js";
import { countParams } from "../../compiler/tools/params.js";
import { codesOf, compileOne } from "../helpers.js";
import { LIB } from "./lib.js";

describe("elaboration", () => {
  it("unrolls repeat stacks into indexed paths, binding the index", () => {
    const r = compileOne(`${LIB}
model M(depth: Int = 3) {
  layers = repeat depth as i Linear(8, 8, bias: i == depth - 1)
  input x: [B, 8]
  forward { output y = layers(x) }
}`);
    expect(r.diagnostics).toEqual([]);
    const paths = allParams(r.checked!.model.root).map((p) => p.path);
    expect(paths).toEqual(["layers.0.weight", "layers.1.weight", "layers.2.weight", "layers.2.bias"]);
  });

  it("applies a variant's arguments and overrides, and replaces submodules", () => {
    const src = `${LIB}
model Base(width: Int = 8) {
  enc = MLP(width, 4 * width)
  head = Linear(width, 2)
  input x: [B, width]
  forward { output y = head(enc(x)) }
}
model Wide = Base(width: 16) with { enc.hidden = 128 }
model Swapped = Base with { head = Linear(8, 3, bias: false) }`;
    const wide = compileOne(src, "Wide");
    expect(wide.diagnostics).toEqual([]);
    const enc = wide.checked!.model.root.children.get("enc")!;
    expect(enc.args.get("hidden")).toMatchObject({ k: "int" });
    expect(countParams(wide.checked!.model).total).toBe(16 * 128 + 128 + 128 * 16 + 16 + 16 * 2 + 2);
    const sw = compileOne(src, "Swapped");
    expect(sw.diagnostics).toEqual([]);
    expect(countParams(sw.checked!.model).components.find((c) => c.name === "head")!.params).toBe(24);
  });

  it("reports an override of a submodule that does not exist", () => {
    expect(codesOf(`${LIB}
model Base { enc = MLP(8, 32) }
model V = Base with { encoder.hidden = 64 }`)).toEqual(["MM3012"]);
  });

  it("accepts partially applied blocks as arguments", () => {
    const r = compileOne(`${LIB}
block Stack(width: Int, ffn: Block = MLP(hidden: 16)) {
  inner = ffn(width: width)
  forward(x: [B, width]) -> [B, width] { return inner(x) }
}
model M { s = Stack(8)  input x: [B, 8]  forward { output y = s(x) } }`);
    expect(r.diagnostics).toEqual([]);
    expect(countParams(r.checked!.model).total).toBe(8 * 16 + 16 + 16 * 8 + 8);
  });

  it("copies a submodule as an EMA teacher, counted apart from the total", () => {
    const r = compileOne(`${LIB}
model Distill {
  student = MLP(8, 32)
  teacher = ema(student, momentum: 0.995)
  input x: [B, 8]
  forward {
    let s = student(x)
    let t = stop_gradient(teacher(x))
    loss kd = mean((s - t) ** 2.0)
  }
}`);
    expect(r.diagnostics).toEqual([]);
    const rep = countParams(r.checked!.model);
    expect(rep.total).toBe(8 * 32 + 32 + 32 * 8 + 8);
    expect(rep.ema).toBe(rep.total);
    const t = allParams(r.checked!.model.root).find((p) => p.path === "teacher.fc1.weight")!;
    expect(t.ema).toEqual({ source: "student.fc1.weight", momentum: 0.995 });
  });

  it("counts trainable and frozen parameters per stage", () => {
    const r = compileOne(`${LIB}
model Staged {
  vision = MLP(8, 32)
  proj = Linear(8, 4)
  llm = MLP(4, 16)
  input x: [B, 8]
  forward { output y = llm(proj(vision(x))) }
  stage align { freeze: vision, llm }
  stage tune { freeze: vision  train: proj, llm }
}`);
    expect(r.diagnostics).toEqual([]);
    const rep = countParams(r.checked!.model);
    const sizes = { vision: 8 * 32 + 32 + 32 * 8 + 8, proj: 36, llm: 4 * 16 + 16 + 16 * 4 + 4 };
    expect(rep.stages.map((s) => [s.name, s.trainable])).toEqual([["align", sizes.proj], ["tune", sizes.proj + sizes.llm]]);
    expect(rep.trainable).toBe(sizes.proj + sizes.llm);
    expect(rep.frozen).toBe(sizes.vision);
  });

  it("routes a top-k mixture of experts through its gate", () => {
    const r = compileOne(`${LIB}
experts MoE(width: Int = 8, n: Int = 4, k: Int = 2) {
  gate = Linear(width, n, bias: false)
  experts = repeat n MLP(width, 16)
  route topk(k, gate: gate)
}
model M { moe = MoE()  input x: [B, T, 8]  forward { output y = moe(x) } }`);
    expect(r.diagnostics).toEqual([]);
    const g = r.checked!.graph!;
    expect(g.nodes.filter((n) => n.op === "topk")).toHaveLength(1);
    const out = g.values[g.outputs[0]!.value]!;
    expect(out.type.shape.map(String)).toEqual(["B", "T", "8"]);
  });

  it("reports a recursive block and a zero repeat count", () => {
    expect(codesOf(`block A { b = B() }
block B { a = A() }
model M { a = A() }`)).toContain("MM3006");
    expect(codesOf(`${LIB}
model M { layers = repeat 0 Linear(2, 2) }`)).toEqual(["MM3007"]);
  });

  it("reports several independent shape errors in one run", () => {
    const codes = codesOf(`${LIB}
model M {
  a = Linear(8, 4)
  input x: [B, 16]
  forward {
    output y = a(x)
    output z = x @ x
  }
}`);
    expect(codes).toEqual(["MM4001", "MM4002"]);
  });
});
