// Building the IR from a checked model: selections (tasks, default), names, params.
import { describe, expect, it } from "vitest";
import { irFromChecked, SelectionError } from "../../compiler/driver/build-ir.js";
import { valueMap } from "../../compiler/ir/ir.js";
import { runPasses } from "../../compiler/ir/passes/index.js";
import { verifyIr } from "../../compiler/ir/verify.js";
import { compileOne } from "../helpers.js";

const PROGRAM = `
model M {
  param w: [4, 4] init normal(std: 0.1)
  param unused_by_task: [4] init zeros
  input x: [B, 4]
  input labels: [B] int64
  input extra: [B, 4]
  forward {
    let h = x @ w
    output y = h
    output same = h
    output raw = x
    output biased = h + unused_by_task
    loss ce = cross_entropy(h, labels)
    loss other = sum(extra)
  }
  task infer { outputs: y  inputs: x, extra }
  task train { losses: ce }
}
`;

const checked = compileOne(PROGRAM).checked!;

describe("irFromChecked", () => {
  it("selects every output and loss by default; losses are named loss_<name>", () => {
    const g = irFromChecked(checked);
    verifyIr(g);
    expect(g.outputs.map((o) => [o.name, o.kind])).toEqual([
      ["y", "output"], ["same", "output"], ["raw", "output"], ["biased", "output"], ["loss_ce", "loss"], ["loss_other", "loss"],
    ]);
    expect(g.name).toBe("M");
    expect(g.task).toBeUndefined();
  });

  it("gives each output its own value: a second output of a value, or an input, goes through identity", () => {
    const g = irFromChecked(checked);
    const vm = valueMap(g);
    for (const o of g.outputs) expect(vm.get(o.value)!.name).toBe(o.name);
    const byName = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [vm.get(o)!.name, n] as const)));
    expect(byName.get("same")!.op).toBe("identity");
    expect(byName.get("raw")!.op).toBe("identity");
    expect(byName.get("y")!.op).toBe("matmul");
  });

  it("carries parameter metadata from the elaborated model", () => {
    const g = irFromChecked(checked);
    const w = g.params.find((p) => p.path === "w")!;
    expect(w.init?.name).toBe("normal");
    expect(w.shape.map((d) => d.toString())).toEqual(["4", "4"]);
    expect(w.dtype).toBe("float32");
  });

  it("compiles a task to the subgraph it needs: labels only when a loss uses them", () => {
    const train = runPasses(irFromChecked(checked, { task: "train" }), ["dead-values"]);
    expect(train.task).toBe("train");
    expect(train.outputs.map((o) => o.name)).toEqual(["loss_ce"]);
    expect(train.inputs.map((i) => i.name)).toEqual(["x", "labels"]);
    expect(train.params.map((p) => p.path)).toEqual(["w"]);
  });

  it("keeps the inputs a task names even when its outputs do not read them", () => {
    const infer = runPasses(irFromChecked(checked, { task: "infer" }), ["dead-values"]);
    expect(infer.inputs.map((i) => [i.name, i.pinned ?? false])).toEqual([["x", true], ["extra", true]]);
  });

  it("selects outputs and losses by name without a task", () => {
    const g = runPasses(irFromChecked(checked, { outputs: ["biased"], losses: [] }), ["dead-values"]);
    expect(g.outputs.map((o) => o.name)).toEqual(["biased"]);
    expect(g.params.map((p) => p.path)).toEqual(["w", "unused_by_task"]);
  });

  it("reports unknown tasks, outputs and losses as selection errors", () => {
    expect(() => irFromChecked(checked, { task: "nope" })).toThrow(SelectionError);
    expect(() => irFromChecked(checked, { task: "nope" })).toThrow(/tasks: infer, train/);
    expect(() => irFromChecked(checked, { outputs: ["zz"] })).toThrow(/no output 'zz'/);
    expect(() => irFromChecked(checked, { outputs: [], losses: [] })).toThrow(/nothing to compile/);
  });
});
