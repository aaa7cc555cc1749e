// The shape of the emitted ONNX model: names, doc strings, value_info, dim_params,
// metadata, opset-dependent lowerings, and the lowering table's coverage.
import { compileToOnnx, lowerToOnnx } from "../../../compiler/driver/compile.js";
import { DECOMPOSABLE } from "../../../compiler/ir/passes/decompose.js";
import { describe, expect, it } from "vitest";
import { MAX_OPSET } from "../../../compiler/backends/onnx/index.js";
import { LOWERINGS } from "../../../compiler/backends/onnx/lower/index.js";
import type { ModelProto } from "../../../compiler/backends/onnx/proto.js";
import { opNames } from "../../../compiler/ops/index.js";
import { compileFile } from "./helpers.js";

const clip = compileFile("examples/clip.mm").get("CLIP")!;
const zoo = compileFile("test/backends/onnx/zoo.mm").get("OpZoo")!;

const dims = (m: ModelProto, name: string, where: "input" | "output" | "valueInfo"): (string | number)[] => {
  const vi = m.graph![where]!.find((v) => v.name === name)!;
  return vi.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
};

describe("the ONNX lowering table", () => {
  it("lowers every op of the op table, or the IR decomposes it first", () => {
    expect([...new Set([...LOWERINGS.keys(), ...DECOMPOSABLE])].sort()).toEqual(opNames());
  });
});

describe("the emitted model", () => {
  const { model } = compileToOnnx(clip.checked, clip.sources);
  const g = model.graph!;

  it("stamps opset 17, IR version 8 and the producer", () => {
    expect(model.opsetImport).toEqual([{ domain: "", version: 17 }]);
    expect(model.irVersion).toBe(8);
    expect(model.producerName).toBe("mm");
    expect(g.name).toBe("CLIP");
  });

  it("declares symbolic dims as dim_param, data inputs first, then parameters (weights none)", () => {
    expect(dims(model, "pixels", "input")).toEqual(["B", 3, 224, 224]);
    expect(dims(model, "tokens", "input")).toEqual(["B", 77]);
    expect(dims(model, "logits_per_image", "output")).toEqual(["B", "B"]);
    expect(g.input!.slice(0, 2).map((i) => i.name)).toEqual(["pixels", "tokens"]);
    expect(dims(model, "vision.transformer.resblocks.0.attn.in_proj_weight", "input")).toEqual([2304, 768]);
    expect(g.initializer!.some((t) => t.name!.includes("resblocks"))).toBe(false);
  });

  it("gives every intermediate value a value_info, and nothing else one", () => {
    const produced = g.node!.flatMap((n) => n.output!);
    const outputs = new Set(g.output!.map((o) => o.name));
    expect(g.valueInfo!.map((v) => v.name).sort()).toEqual(produced.filter((n) => !outputs.has(n)).sort());
  });

  it("names nodes by instance path and op, and points them at the source line", () => {
    const attn = g.node!.filter((n) => /^vision\.transformer\.resblocks\.3\.attn\/attention_\d+\//.test(n.name!));
    expect(attn.length).toBeGreaterThan(5);
    expect(new Set(attn.map((n) => n.docString))).toEqual(new Set(["examples/clip.mm:50"]));
    const ln = g.node!.find((n) => /^vision\.ln_pre\/layer_norm_\d+$/.test(n.name!))!;
    expect(ln.opType).toBe("LayerNormalization");
    expect(ln.output).toEqual([ln.name]);
  });

  it("writes metadata: model, version, task, weights, outputs, per-stage parameter lists", () => {
    const meta = Object.fromEntries(model.metadataProps!.map((p) => [p.key, p.value]));
    expect(model.metadataProps!.map((p) => p.key)).toEqual([...model.metadataProps!.map((p) => p.key!)].sort());
    expect(meta["mm.model"]).toBe("CLIP");
    expect(meta["mm.task"]).toBe("");
    expect(meta["mm.weights"]).toBe("none");
    expect(JSON.parse(meta["mm.outputs"]!)).toContainEqual({ name: "loss_itc", kind: "loss" });
    const [stage] = JSON.parse(meta["mm.stages"]!) as { name: string; trainable: string[]; frozen: string[] }[];
    expect(stage!.name).toBe("pretrain");
    expect(stage!.trainable).toContain("logit_scale");
    expect(stage!.frozen).toEqual([]);
  });

  it("compiles a task to its own outputs and inputs", () => {
    const { model: m } = compileToOnnx(clip.checked, clip.sources, { task: "pretrain" });
    expect(m.graph!.name).toBe("CLIP.pretrain");
    expect(m.graph!.output!.map((o) => o.name)).toEqual(["loss_itc"]);
    expect(Object.fromEntries(m.metadataProps!.map((p) => [p.key, p.value]))["mm.task"]).toBe("pretrain");
  });

  it("writes expression dims as dim_param text", () => {
    const { model: m } = compileToOnnx(zoo.checked, zoo.sources);
    expect(dims(m, "o_reshape2", "output")).toEqual(["4*B", 8]);
  });
});

describe("opsets", () => {
  const types = (opset: number): Set<string> => new Set(lowerToOnnx(zoo.checked, zoo.sources, { opset }).model.graph!.node!.map((n) => n.opType!));

  it("decomposes attention, rms_norm and gelu at 17 and uses the fused ops at 23", () => {
    const at17 = types(17), at23 = types(23);
    for (const op of ["Attention", "RMSNormalization", "Gelu"]) {
      expect([op, at17.has(op)]).toEqual([op, false]);
      expect([op, at23.has(op)]).toEqual([op, true]);
    }
    expect(at17.has("LayerNormalization") && at23.has("LayerNormalization")).toBe(true);
    expect(lowerToOnnx(zoo.checked, zoo.sources, { opset: 23 }).model.irVersion).toBe(11);
  });

  it("rejects opsets it cannot target", () => {
    expect(() => lowerToOnnx(zoo.checked, zoo.sources, { opset: 16 })).toThrow(/opset 16/);
    expect(() => lowerToOnnx(zoo.checked, zoo.sources, { opset: MAX_OPSET + 1 })).toThrow(/not supported/);
  });
});
