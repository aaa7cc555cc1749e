// Single-stream and ALBEF-style fusion in the stdlib (stdlib/models/vilt.mm, albef.mm, tcl.mm):
// exact parameter counts against the published figures, checkpoint paths, the EMA momentum
// copies, the training structure, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { checkpointShapes, compilerFor } from "./compiled.js";
import { allBuffers, allParams } from "../../compiler/elaborate/instance.js";
import { countParams, type ComponentCount } from "../../compiler/tools/params.js";
import { matchesPublished, parsePublished } from "../../compiler/tools/published.js";

/** Compiles each model once. */
const compiled = compilerFor(["stdlib/models/vilt.mm", "stdlib/models/albef.mm", "stdlib/models/tcl.mm"]);

/** Parameter shapes under the names of the model's released checkpoints (its default layout). */
const shapes = (name: string): Map<string, string> => checkpointShapes(compiled, name);

const reports = new Map<string, ReturnType<typeof countParams>>();

/** Parameters under a dotted component path (depth-first through the count tree). */
function under(name: string, path: string): number {
  let report = reports.get(name);
  if (!report) {
    report = countParams(compiled(name).result.checked!.model, 8);
    reports.set(name, report);
  }
  const find = (cs: readonly ComponentCount[]): number | undefined => {
    for (const c of cs) {
      if (c.path === path) return c.params;
      const hit = c.children && find(c.children);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  const n = find(report.components);
  if (n === undefined) throw new Error(`${name} has no component ${path}`);
  return n;
}

const ALBEF_ONLINE = 209_937_725;

describe("ALBEF and TCL at published sizes", () => {
  it("ALBEF: 209,937,725 online parameters (published about 210M)", () => {
    const { ref, result } = compiled("ALBEF");
    expect(result.diagnostics).toEqual([]);
    const report = countParams(result.checked!.model);
    expect(report.total).toBe(ALBEF_ONLINE);
    const pub = parsePublished(ref.decl.doc);
    if (pub === undefined || pub === "none") throw new Error("ALBEF has no published figure");
    expect(pub.text).toBe("~210M");
    expect(matchesPublished(report.total, pub)).toBe(true);
    // Also at the figure's printed precision (209.94M rounds to 210M).
    expect(Math.round(report.total / 1e6)).toBe(210);
  });

  it("ALBEF splits as the official code: ViT-B/16 at 256, BERT-base with 6 cross-attention layers and MLM head", () => {
    expect(under("ALBEF", "visual_encoder")).toBe(85_844_736);
    expect(under("ALBEF", "text_encoder")).toBe(123_697_722);
    expect(under("ALBEF", "vision_proj")).toBe(768 * 256 + 256);
    expect(under("ALBEF", "itm_head")).toBe(768 * 2 + 2);
  });

  it("ALBEF's momentum copies are EMA (0.995) of everything but temp and itm_head", () => {
    const report = countParams(compiled("ALBEF").result.checked!.model);
    expect(report.ema).toBe(ALBEF_ONLINE - 1 - (768 * 2 + 2));
    const m = allParams(compiled("ALBEF").result.checked!.model.root).find((p) => p.path === "text_encoder_m.bert.encoder.layer.6.crossattention.self.key.weight")!;
    expect(m.ema).toEqual({ source: "text_encoder.bert.encoder.layer.6.crossattention.self.key.weight", momentum: 0.995 });
  });

  it("TCL: ALBEF's architecture, 209,937,725 online parameters (no published figure)", () => {
    const { ref, result } = compiled("TCL");
    expect(result.diagnostics).toEqual([]);
    expect(countParams(result.checked!.model).total).toBe(ALBEF_ONLINE);
    expect(parsePublished(ref.decl.doc)).toBe("none");
  });
});

describe("ViLT at its published size", () => {
  it("ViLT_B32: the transformer (layers, patch projection, final LayerNorm) is 87,416,064 = 87.4M", () => {
    const { ref, result } = compiled("ViLT_B32");
    expect(result.diagnostics).toEqual([]);
    expect(countParams(result.checked!.model).total).toBe(135_660_092);
    const transformer = under("ViLT_B32", "vilt.encoder") + under("ViLT_B32", "vilt.embeddings.patch_embeddings") + under("ViLT_B32", "vilt.layernorm");
    expect(transformer).toBe(87_416_064);
    expect(Math.abs(transformer - 87.4e6)).toBeLessThanOrEqual(0.05e6);
    // The doc line scopes the figure to those paths, so the stdlib table checks it too.
    const pub = parsePublished(ref.decl.doc);
    expect(pub).toMatchObject({ text: "87.4M of vilt.encoder + vilt.embeddings.patch_embeddings + vilt.layernorm" });
    expect(ref.decl.doc).toContain("87,416,064");
  });
});

describe("checkpoint paths", () => {
  it("ALBEF: timm ViT and xbert BertForMaskedLM names, cross-attention from layer 6", () => {
    const s = shapes("ALBEF");
    expect(s.get("visual_encoder.patch_embed.proj.weight")).toBe("768x3x16x16");
    expect(s.get("visual_encoder.pos_embed")).toBe("1x257x768");
    expect(s.get("visual_encoder.blocks.11.attn.qkv.weight")).toBe("2304x768");
    expect(s.get("visual_encoder.norm.weight")).toBe("768");
    expect(s.get("text_encoder.bert.embeddings.word_embeddings.weight")).toBe("30522x768");
    expect(s.get("text_encoder.bert.embeddings.LayerNorm.weight")).toBe("768");
    expect(s.get("text_encoder.bert.encoder.layer.0.attention.self.query.weight")).toBe("768x768");
    expect(s.has("text_encoder.bert.encoder.layer.5.crossattention.self.query.weight")).toBe(false);
    expect(s.get("text_encoder.bert.encoder.layer.6.crossattention.self.key.weight")).toBe("768x768");
    expect(s.get("text_encoder.bert.encoder.layer.11.crossattention.output.LayerNorm.bias")).toBe("768");
    expect(s.get("text_encoder.bert.encoder.layer.11.output.dense.weight")).toBe("768x3072");
    expect(s.get("text_encoder.cls.predictions.transform.dense.weight")).toBe("768x768");
    expect(s.get("text_encoder.cls.predictions.bias")).toBe("30522");
    expect(s.has("text_encoder.cls.predictions.decoder.weight")).toBe(false);
    expect(s.has("text_encoder.bert.pooler.dense.weight")).toBe(false);
    expect(s.get("temp")).toBe("");
    expect(s.get("visual_encoder_m.blocks.0.mlp.fc1.weight")).toBe("3072x768");
  });

  it("ViLT: Hugging Face ViltModel names", () => {
    const s = shapes("ViLT_B32");
    expect(s.get("vilt.embeddings.text_embeddings.word_embeddings.weight")).toBe("30522x768");
    expect(s.get("vilt.embeddings.text_embeddings.position_embeddings.weight")).toBe("40x768");
    expect(s.get("vilt.embeddings.patch_embeddings.projection.weight")).toBe("768x3x32x32");
    expect(s.get("vilt.embeddings.position_embeddings")).toBe("1x145x768");
    expect(s.get("vilt.embeddings.token_type_embeddings.weight")).toBe("2x768");
    expect(s.get("vilt.encoder.layer.11.attention.attention.query.weight")).toBe("768x768");
    expect(s.get("vilt.encoder.layer.11.attention.output.dense.weight")).toBe("768x768");
    expect(s.get("vilt.encoder.layer.0.intermediate.dense.weight")).toBe("3072x768");
    expect(s.get("vilt.encoder.layer.0.layernorm_before.weight")).toBe("768");
    expect(s.get("vilt.layernorm.weight")).toBe("768");
    expect(s.get("vilt.pooler.dense.weight")).toBe("768x768");
    expect(s.get("mlm_score.decoder.weight")).toBe("30522x768");
    expect(s.get("mlm_score.bias")).toBe("30522");
    expect(s.get("itm_score.fc.weight")).toBe("2x768");
  });
});

describe("training structure", () => {
  it("ALBEF and TCL pretrain with ITA (TCL: CMA + IMC + LMI), ITM and MLM; queues are buffers", () => {
    for (const name of ["ALBEF", "TCL"]) {
      const m = compiled(name).result.checked!.model;
      expect(m.tasks.find((t) => t.name === "pretrain")!.losses).toEqual(["ita", "itm", "mlm"]);
      expect(m.inputs.map((i) => i.name)).not.toContain("image_queue");
      const buffers = new Map(allBuffers(m.root).map((b) => [b.path, `${b.shape.map(String).join("x")} ${b.dtype}`]));
      expect(buffers.get("image_queue")).toBe("256x65536 float32");
      expect(buffers.get("text_queue")).toBe("256x65536 float32");
      expect(buffers.get("queue_ptr")).toBe("1 int64");
    }
  });
  it("ViLT pretrains with ITM, WPA and MLM", () => {
    const m = compiled("ViLT_B32").result.checked!.model;
    expect(m.tasks.find((t) => t.name === "pretrain")!.losses).toEqual(["itm", "wpa", "mlm"]);
  });
});

describe("tiny variants", () => {
  for (const name of ["ViLT_B32_Tiny", "ALBEF_Tiny", "TCL_Tiny"]) {
    it(`${name} compiles with no diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(countParams(result.checked!.model).total).toBeLessThan(1_000_000);
    });
  }
});
