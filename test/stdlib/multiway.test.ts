// Multiway transformers in the stdlib (stdlib/experts/multiway.mm, stdlib/models/vlmo.mm,
// stdlib/models/beit3.mm): exact parameter counts against the published figures, checkpoint
// paths and shapes of the official code (microsoft/unilm vlmo, torchscale BEiT3), the
// pretraining stages, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { compilerFor } from "./compiled.js";
import { allParams } from "../../compiler/elaborate/instance.js";
import { countParams } from "../../compiler/tools/params.js";
import { matchesPublished, parsePublished } from "../../compiler/tools/published.js";

/** Compiles each model once. */
const compiled = compilerFor(["stdlib/models/vlmo.mm", "stdlib/models/beit3.mm"]);

const shapes = (name: string): Map<string, string> =>
  new Map(allParams(compiled(name).result.checked!.model.root).map((p) => [p.path, p.shape.map(String).join("x")]));

const total = (name: string): number => countParams(compiled(name).result.checked!.model).total;

// name, computed total (equal to the official modules' count), published figure
const FULL: readonly (readonly [string, number, string])[] = [
  ["VLMo_Base", 175_430_496, "175M"],
  ["VLMo_Large", 561_544_448, "562M"],
  ["BEiT3_Base", 222_167_041, "222M"],
  ["BEiT3_Large", 674_799_617, "~674M"],
  ["BEiT3_Base_Pretrain", 276_438_528, "276M"],
  ["BEiT3_Large_Pretrain", 746_637_312, "~746M"],
];

describe("multiway models at published sizes", () => {
  for (const [name, count, published] of FULL) {
    it(`${name}: ${count.toLocaleString("en-US")} parameters (published ${published})`, () => {
      const { ref, result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(total(name)).toBe(count);
      const pub = parsePublished(ref.decl.doc);
      if (pub === undefined || pub === "none") throw new Error(`${name} has no published figure`);
      expect(pub.text).toBe(published);
      expect(matchesPublished(count, pub)).toBe(true);
    });
  }

  it("BEiT-3 large: the README's figures truncate the official counts", () => {
    expect(Math.floor(total("BEiT3_Large") / 1e6)).toBe(674);
    expect(Math.floor(total("BEiT3_Large_Pretrain") / 1e6)).toBe(746);
  });

  it("VLMo with its pretraining heads: the official VLMo module, plus BEiT's mask token and MIM head", () => {
    for (const [name, official, width] of [["VLMo_Base_Pretrain", 202_445_470, 768], ["VLMo_Large_Pretrain", 599_127_102, 1024]] as const) {
      const { ref, result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(parsePublished(ref.decl.doc)).toBe("none");
      expect(total(name)).toBe(official + width + (width * 8192 + 8192));
    }
  });
});

describe("VLMo checkpoint layout", () => {
  it("names the shared attention, layer scale and routed experts as the official code (mlp_vl -> mlp.vl)", () => {
    const s = shapes("VLMo_Base");
    expect(s.get("transformer.patch_embed.proj.weight")).toBe("768x3x16x16");
    expect(s.get("transformer.cls_token")).toBe("1x1x768");
    expect(s.get("transformer.blocks.0.attn.qkv.weight")).toBe("2304x768");
    expect(s.has("transformer.blocks.0.attn.qkv.bias")).toBe(false);
    expect(s.get("transformer.blocks.0.attn.q_bias")).toBe("768");
    expect(s.get("transformer.blocks.0.attn.v_bias")).toBe("768");
    expect(s.get("transformer.blocks.0.gamma_1")).toBe("768");
    expect(s.get("transformer.blocks.0.mlp.imag.fc1.weight")).toBe("3072x768");
    expect(s.get("transformer.blocks.0.norm2.text.weight")).toBe("768");
    // VL-FFN in the top 2 of 12 layers only
    expect(s.has("transformer.blocks.9.mlp.vl.fc1.weight")).toBe(false);
    expect(s.get("transformer.blocks.10.mlp.vl.fc2.weight")).toBe("768x3072");
    expect(s.get("transformer.blocks.11.norm2.vl.bias")).toBe("768");
    // one relative position table for all layers: (27^2 + 3) + 2 * 196 + 2 rows, 12 heads x 12 layers
    expect(s.get("relative_position_bias_table")).toBe("1126x144");
    expect(s.get("text_embeddings.word_embeddings.weight")).toBe("30522x768");
    expect(s.get("text_embeddings.position_embeddings.weight")).toBe("40x768");
    expect(s.get("text_embeddings.LayerNorm.weight")).toBe("768");
    expect(s.get("token_type_embeddings.weight")).toBe("2x768");
    expect(s.size).toBe(276);
  });

  it("VLMo-Large has VL-FFN in the top 3 of 24 layers", () => {
    const s = shapes("VLMo_Large");
    expect(s.has("transformer.blocks.20.mlp.vl.fc1.weight")).toBe(false);
    expect(s.get("transformer.blocks.21.mlp.vl.fc1.weight")).toBe("4096x1024");
    expect(s.get("relative_position_bias_table")).toBe("1126x384");
  });

  it("the pretraining model has the official heads", () => {
    const s = shapes("VLMo_Base_Pretrain");
    expect(s.get("mlm_score.transform.dense.weight")).toBe("768x768");
    expect(s.get("mlm_score.transform.LayerNorm.weight")).toBe("768");
    expect(s.get("mlm_score.decoder.weight")).toBe("30522x768");
    expect(s.get("mlm_score.bias")).toBe("30522");
    expect(s.get("itm_score.fc.weight")).toBe("2x768");
    expect(s.get("itc_vl_image_proj.fc.weight")).toBe("768x768");
    expect(s.get("pooler.dense.weight")).toBe("768x768");
    expect(s.get("logit_vl_scale")).toBe("");
    expect(s.get("transformer.lm_head.weight")).toBe("8192x768");
    expect(s.get("transformer.mask_token")).toBe("1x1x768");
  });

  it("three stages: image-only (attention + V-FFN), text-only (L-FFN, attention frozen), image-text", () => {
    const r = countParams(compiled("VLMo_Base_Pretrain").result.checked!.model);
    const by = new Map(r.stages.map((s) => [s.name, s]));
    expect([...by.keys()]).toEqual(["image_only", "text_only", "image_text"]);
    // image_text trains exactly the official VLMo module's parameters
    expect(by.get("image_text")!.trainable).toBe(202_445_470);
    expect(by.get("image_text")!.tasks).toEqual(["itc", "itm", "mlm"]);
    const layer = 12;
    const ffn = 768 * 3072 * 2 + 3072 + 768;
    const norm = 2 * 768;
    // text-only: L-FFN and its norms, text and token-type embeddings, MLM head, relative position table
    expect(by.get("text_only")!.trainable).toBe(layer * (ffn + norm) + 23_474_688 + 1_536 + 24_063_546 + 162_144);
    expect(by.get("image_only")!.trains).toEqual(["transformer", "relative_position_bias_table"]);
  });
});

describe("BEiT-3 checkpoint layout", () => {
  it("names every multiway module A (image) / B (text) as torchscale", () => {
    const s = shapes("BEiT3_Base");
    expect(s.get("beit3.text_embed.weight")).toBe("64010x768");
    expect(s.get("beit3.vision_embed.proj.weight")).toBe("768x3x16x16");
    expect(s.get("beit3.vision_embed.mask_token")).toBe("1x1x768");
    expect(s.get("beit3.vision_embed.cls_token")).toBe("1x1x768");
    expect(s.get("beit3.encoder.embed_positions.A.weight")).toBe("199x768");
    expect(s.get("beit3.encoder.embed_positions.B.weight")).toBe("1024x768");
    expect(s.get("beit3.encoder.layers.0.self_attn.q_proj.A.weight")).toBe("768x768");
    expect(s.get("beit3.encoder.layers.0.self_attn.out_proj.B.bias")).toBe("768");
    expect(s.get("beit3.encoder.layers.0.self_attn.inner_attn_ln.B.weight")).toBe("768");
    expect(s.get("beit3.encoder.layers.11.ffn.A.fc1.weight")).toBe("3072x768");
    expect(s.get("beit3.encoder.layers.11.ffn.B.ffn_layernorm.weight")).toBe("3072");
    expect(s.get("beit3.encoder.layers.5.self_attn_layer_norm.A.weight")).toBe("768");
    expect(s.get("beit3.encoder.layers.5.final_layer_norm.B.bias")).toBe("768");
    expect(s.get("beit3.encoder.layer_norm.A.weight")).toBe("768");
    expect(s.get("language_head.weight")).toBe("768x768");
    expect(s.get("vision_head.weight")).toBe("768x768");
    expect(s.get("logit_scale")).toBe("");
    expect(s.size).toBe(494);
  });

  it("the pretraining model adds bias-free text and visual-token heads", () => {
    const s = shapes("BEiT3_Base_Pretrain");
    expect(s.get("mlm_head.weight")).toBe("64010x768");
    expect(s.get("mim_head.weight")).toBe("8192x768");
    expect(s.has("mlm_head.bias")).toBe(false);
  });
});

describe("tiny variants", () => {
  const TINY = [
    "VLMo_Base_Tiny", "VLMo_Large_Tiny", "VLMo_Base_Pretrain_Tiny", "VLMo_Large_Pretrain_Tiny",
    "BEiT3_Base_Tiny", "BEiT3_Large_Tiny", "BEiT3_Base_Pretrain_Tiny", "BEiT3_Large_Pretrain_Tiny",
  ];
  for (const name of TINY) {
    it(`${name} checks without diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(result.checked).toBeDefined();
      expect(total(name)).toBeLessThan(2_000_000);
    });
  }
});
