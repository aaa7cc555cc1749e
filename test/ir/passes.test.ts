// The IR passes and the verifier, on hand-built graphs and on small programs.
import { describe, expect, it } from "vitest";
import type { Span } from "../../compiler/ast/ast.js";
import { Dim } from "../../compiler/base/dims.js";
import type { DType } from "../../compiler/base/tensor.js";
import { irFromChecked } from "../../compiler/driver/build-ir.js";
import { IrError, formatIr, valueMap, type IrGraph, type IrNode, type IrValue } from "../../compiler/ir/ir.js";
import { cse, deadValues, foldConstants, runPasses } from "../../compiler/ir/passes/index.js";
import { verifyIr } from "../../compiler/ir/verify.js";
import { compileOne } from "../helpers.js";

const span: Span = { file: "t.mm", start: 0, end: 0 };

/** A tiny builder for hand-made graphs. */
function graph(build: (b: Builder) => void): IrGraph {
  const b = new Builder();
  build(b);
  return { name: "G", values: b.values, nodes: b.nodes, inputs: b.inputs, params: [], outputs: b.outputs };
}

class Builder {
  values: IrValue[] = [];
  nodes: IrNode[] = [];
  inputs: { name: string; value: number }[] = [];
  outputs: { name: string; value: number; kind: "output" | "loss" }[] = [];
  private v(name: string, shape: number[], dtype: DType, source: IrValue["source"]): number {
    const id = this.values.length;
    this.values.push({ id, name, span, source, type: { shape: shape.map((d) => Dim.const(d)), dtype } });
    return id;
  }
  input(name: string, shape: number[] = [2]): number {
    const id = this.v(name, shape, "float32", { kind: "input", name });
    this.inputs.push({ name, value: id });
    return id;
  }
  const(value: number, dtype: DType = "float32"): number {
    return this.v(`c${this.values.length}`, [], dtype, { kind: "constant", value });
  }
  node(op: string, inputs: number[], shape: number[] = [2], attrs: IrNode["attrs"] = {}, dtype: DType = "float32", name?: string): number {
    const id = this.nodes.length;
    const out = this.v(name ?? `${op}_${id}`, shape, dtype, { kind: "node", node: id, index: 0 });
    this.nodes.push({ id, op, inputs, outputs: [out], attrs, scope: "", span });
    return out;
  }
  output(name: string, value: number, kind: "output" | "loss" = "output"): void {
    this.outputs.push({ name, value, kind });
  }
}

describe("dead-values", () => {
  it("removes nodes, inputs and constants no output needs", () => {
    const g = graph((b) => {
      const x = b.input("x"), y = b.input("y");
      const c = b.const(3);
      b.node("mul", [y, c]);
      b.output("out", b.node("neg", [x], [2], {}, "float32", "out"));
    });
    const d = deadValues(g);
    verifyIr(d);
    expect(formatIr(d)).toBe(["input x: [2] float32", "out: [2] float32 = neg(x) {}", "output out = out"].join("\n"));
  });
});

describe("cse", () => {
  it("merges equal nodes and equal constants, keeping output nodes", () => {
    const g = graph((b) => {
      const x = b.input("x");
      const a = b.node("mul", [x, b.const(2)]);
      const c = b.node("mul", [x, b.const(2)]);
      const s = b.node("add", [a, c]);
      b.output("s", b.node("identity", [s], [2], {}, "float32", "s"));
    });
    const out = runPasses(g, ["cse", "dead-values"]);
    expect(out.nodes.map((n) => n.op)).toEqual(["mul", "add", "identity"]);
    const add = out.nodes[1]!;
    expect(add.inputs[0]).toBe(add.inputs[1]);
  });

  it("does not merge nodes whose attributes or output types differ, nor dropouts", () => {
    const g = graph((b) => {
      const x = b.input("x", [2, 3]);
      const s1 = b.node("sum", [x], [2], { axes: [1], keepdim: false });
      const s2 = b.node("sum", [x], [3], { axes: [0], keepdim: false });
      const d1 = b.node("dropout", [x], [2, 3], { p: 0.1 });
      const d2 = b.node("dropout", [x], [2, 3], { p: 0.1 });
      b.output("a", s1); b.output("b", s2); b.output("c", d1); b.output("d", d2);
    });
    const renamed = { ...g, values: g.values.map((v) => ({ ...v, name: ({ 1: "a", 2: "b", 3: "c", 4: "d" } as Record<number, string>)[v.id] ?? v.name })) };
    expect(cse(renamed).nodes).toHaveLength(4);
  });
});

describe("fold-constants", () => {
  it("folds scalar arithmetic, unary functions and casts of constants", () => {
    const g = graph((b) => {
      const x = b.input("x");
      const q = b.node("div", [b.const(2), b.const(2)], []);
      const e = b.node("exp", [q], []);
      const i = b.node("cast", [b.const(2.7)], [], { dtype: "int64" }, "int64");
      const f = b.node("cast", [i], [], { dtype: "float32" });
      const m = b.node("mul", [x, e]);
      b.output("y", b.node("add", [m, f], [2], {}, "float32", "y"));
    });
    const out = runPasses(g, ["fold-constants", "dead-values"]);
    expect(out.nodes.map((n) => n.op)).toEqual(["mul", "add"]);
    const vm = valueMap(out);
    const consts = out.values.filter((v) => v.source.kind === "constant").map((v) => (v.source as { value: number }).value);
    expect(consts).toEqual([Math.fround(Math.E), 2]);
    expect(vm.get(out.nodes[1]!.inputs[1]!)!.type.dtype).toBe("float32");
  });

  it("leaves non-finite results, tensors and graph outputs to the runtime", () => {
    const g = graph((b) => {
      const l = b.node("log", [b.const(0)], []);
      b.output("l", b.node("identity", [l], [], {}, "float32", "l"));
      b.output("k", b.node("neg", [b.const(1)], [], {}, "float32", "k"));
    });
    expect(foldConstants(g).nodes.map((n) => n.op)).toEqual(["log", "identity", "neg"]);
  });

  it("folds what a program leaves (casts of literals), then merges equal constants", () => {
    const { checked } = compileOne(`model M {
      input x: [B, 4]
      forward {
        output y = sqrt(cast(4.0, float32)) * x + x * 2.0 + x * 2.0
      }
    }`);
    const out = runPasses(irFromChecked(checked!));
    expect(out.nodes.map((n) => n.op)).toEqual(["mul", "mul", "add", "add"]);
    expect(out.values.filter((v) => v.source.kind === "constant")).toHaveLength(1);
  });
});

describe("the verifier", () => {
  const ok = graph((b) => {
    const x = b.input("x");
    b.output("y", b.node("neg", [x], [2], {}, "float32", "y"));
  });
  const broken = (f: (g: { values: IrValue[]; nodes: IrNode[]; outputs: IrGraph["outputs"][number][] }) => void): IrGraph => {
    const g = { values: ok.values.map((v) => ({ ...v })), nodes: ok.nodes.map((n) => ({ ...n })), outputs: ok.outputs.map((o) => ({ ...o })) };
    f(g);
    return { ...ok, ...g };
  };

  it("accepts a well-formed graph", () => expect(() => verifyIr(ok)).not.toThrow());
  it("rejects a read of a missing value", () => {
    expect(() => verifyIr(broken((g) => { g.nodes[0] = { ...g.nodes[0]!, inputs: [9] }; }))).toThrow(/missing value 9/);
  });
  it("rejects an arity the op does not have", () => {
    expect(() => verifyIr(broken((g) => { g.nodes[0] = { ...g.nodes[0]!, inputs: [0, 0] }; }))).toThrow(/expected 1/);
  });
  it("rejects unknown ops, duplicate names and outputs without their names", () => {
    expect(() => verifyIr(broken((g) => { g.nodes[0] = { ...g.nodes[0]!, op: "frobnicate" }; }))).toThrow(IrError);
    expect(() => verifyIr(broken((g) => { g.values[1] = { ...g.values[1]!, name: "x" }; }))).toThrow(/two values are named 'x'/);
    expect(() => verifyIr(broken((g) => { g.outputs[0] = { ...g.outputs[0]!, name: "z" }; }))).toThrow(/carries its name/);
  });
  it("rejects a use before definition", () => {
    const g = graph((b) => {
      const x = b.input("x");
      const a = b.node("neg", [x]);
      b.output("y", b.node("neg", [a], [2], {}, "float32", "y"));
    });
    expect(() => verifyIr({ ...g, nodes: [...g.nodes].reverse() })).toThrow(/before it is defined/);
  });
  it("names the pass that broke the graph", () => {
    expect(() => runPasses(ok, ["nope"])).toThrow(/unknown pass 'nope'/);
  });
});
