// Encoder-decoder captioners (BLIP, CoCa) and many-modality encoders (ImageBind,
// Meta-Transformer) of the stdlib: exact parameter counts of the full-size models, the
// published figures (of the whole model, or of the components the figure counts),
// checkpoint paths, parameter sharing, stages, and tiny variants that check cleanly.
import { describe, expect, it } from "vitest";
import { checkpointShapes, compilerFor, expectPublishedSize } from "./compiled.js";
import { allParams, allTensors } from "../../compiler/elaborate/instance.js";
import { countParams, paramCount } from "../../compiler/tools/params.js";
import { matchesPublished, parsePublished, type Published } from "../../compiler/tools/published.js";

const FILES = ["stdlib/models/blip.mm", "stdlib/models/coca.mm", "stdlib/models/coca_openclip.mm", "stdlib/models/imagebind.mm",
  "stdlib/models/meta_transformer.mm"];
/** Compiles each model once. */
const compiled = compilerFor(FILES);


/** Parameters (not EMA copies) under any of the path prefixes, minus those under `except`. */
function sumUnder(name: string, prefixes: readonly string[], except: readonly string[] = []): number {
  const under = (path: string, ps: readonly string[]): boolean => ps.some((p) => path === p || path.startsWith(`${p}.`));
  return allParams(compiled(name).result.checked!.model.root)
    .filter((p) => !p.ema && under(p.path, prefixes) && !under(p.path, except))
    .reduce((a, p) => a + paramCount(p), 0);
}

function figure(text: string): Published {
  const p = parsePublished(`published: ${text}`);
  if (p === undefined || p === "none") throw new Error(`bad figure ${text}`);
  return p;
}

/** Parameter shapes under the names of the model's released checkpoints (its default layout). */
function shapes(name: string): Map<string, string> {
  return checkpointShapes(compiled, name);
}

// name, computed total, published figure of the doc line (`none` where it counts a part)
const FULL: readonly (readonly [string, number, string])[] = [
  ["BLIP_ViT_B", 252_733_759, "224M of vision_model + text_encoder + vision_proj + text_proj + itm_head"],
  ["BLIP_ViT_L", 475_118_143, "446M of vision_model + text_encoder + vision_proj + text_proj + itm_head"],
  ["CoCa_Base", 387_771_649, "383M of visual.conv1 + visual.positional_embedding + visual.ln_pre + visual.transformer + visual.ln_post + text + text_decoder"],
  ["CoCa", 2_208_298_113, "none"],
  ["CoCa_ViT_B_32", 253_560_065, "253.56M"], // OpenCLIP's docs/model_profile.csv: its count_params
  ["CoCa_ViT_L_14", 638_450_177, "638.45M"],
  ["ImageBind_Huge", 1_200_781_057, "~1.2B"],
  ["MetaTransformer_B16", 135_336_422, "85M of encoder"], // BatchNorm statistics and the time-series positions are buffers, not parameters
  ["MetaTransformer_L14", 368_760_550, "302M of encoder"],
];

describe("captioners and many-modality encoders at published sizes", () => {
  for (const [name, total, published] of FULL) {
    it(`${name}: ${total.toLocaleString("en-US")} parameters (published ${published})`, () => {
      expectPublishedSize(compiled, name, total, published);
    });
  }
});

describe("figures that count a part of the model", () => {
  const retrieval = ["vision_model", "text_encoder", "vision_proj", "text_proj", "itm_head"];

  it("BLIP ViT-B: the retrieval model (ViT, text encoder, projections, ITM head) is 224M", () => {
    const n = sumUnder("BLIP_ViT_B", retrieval);
    expect(n).toBe(223_744_258);
    expect(matchesPublished(n, figure("224M"))).toBe(true);
    // The decoder's own parameters: 12 self-attention layers and the LM head (bias, transform).
    expect(sumUnder("BLIP_ViT_B", ["text_decoder"])).toBe(28_989_500);
    expect(countParams(compiled("BLIP_ViT_B").result.checked!.model).ema).toBe(223_742_720);
  });

  it("BLIP ViT-L: the retrieval model is 446M", () => {
    const n = sumUnder("BLIP_ViT_L", retrieval);
    expect(n).toBe(446_128_642);
    expect(matchesPublished(n, figure("446M"))).toBe(true);
  });

  // CoCa paper, Table 1: the image encoder is the ViT without the attentional poolers; the text
  // decoder is both decoders, with the 64k token embedding and the untied output projection.
  const poolers = ["visual.attn_pool", "visual.attn_pool_contrastive"];

  it("CoCa-Base: 86M image encoder + 297M text decoder = 383M, the poolers apart", () => {
    const image = sumUnder("CoCa_Base", ["visual"], poolers);
    const text = sumUnder("CoCa_Base", ["text", "text_decoder"]);
    expect(image).toBe(86_000_640);
    expect(text).toBe(296_842_752);
    expect(matchesPublished(image, figure("86M"))).toBe(true);
    expect(matchesPublished(text, figure("297M"))).toBe(true);
    expect(matchesPublished(image + text, figure("383M"))).toBe(true);
    expect(sumUnder("CoCa_Base", poolers)).toBe(4_928_256);
    // The poolers are not in the figure: with them the model is 388M.
    expect(matchesPublished(image + text + 4_928_256, figure("383M"))).toBe(false);
    // 297M needs the output projection untied: tied to the token embedding it would be 248M.
    expect(matchesPublished(text - 64_000 * 768, figure("297M"))).toBe(false);
  });

  it("CoCa: 1B image encoder, but Table 1's decoder config counts 1.18B, not the paper's 1.1B", () => {
    const image = sumUnder("CoCa", ["visual"], poolers);
    const text = sumUnder("CoCa", ["text", "text_decoder"]);
    expect(image).toBe(1_011_741_696);
    expect(text).toBe(1_180_312_320);
    expect(matchesPublished(image, figure("1B"))).toBe(true);
    expect(matchesPublished(text, figure("1.1B"))).toBe(false);
    expect(matchesPublished(image + text, figure("2.1B"))).toBe(false);
    expect(matchesPublished(image + text, figure("2.19B"))).toBe(true);
    expect(sumUnder("CoCa", poolers)).toBe(16_244_096);
    // Only without the untied output projection (64,000 x 1408), the one Base's 297M needs,
    // would the decoder and the total be the paper's 1.1B and 2.1B.
    const projection = 64_000 * 1408;
    expect(sumUnder("CoCa", ["text_decoder.text_projection"])).toBe(projection);
    expect(matchesPublished(text - projection, figure("1.1B"))).toBe(true);
    expect(matchesPublished(image + text - projection, figure("2.1B"))).toBe(true);
  });

  it("Meta-Transformer: the shared encoder is 85M (B/16) and 302M (L/14)", () => {
    const b = sumUnder("MetaTransformer_B16", ["encoder"]);
    const l = sumUnder("MetaTransformer_L14", ["encoder"]);
    expect(b).toBe(85_054_464);
    expect(l).toBe(302_309_376);
    expect(matchesPublished(b, figure("85M"))).toBe(true);
    expect(matchesPublished(l, figure("302M"))).toBe(true);
  });
});

describe("structure", () => {
  it("BLIP's decoder owns only its self-attention and LM head; the rest is the encoder's", () => {
    const p = shapes("BLIP_ViT_B");
    expect(p.get("vision_model.embeddings.patch_embedding.weight")).toBe("768x3x16x16");
    expect(p.get("vision_model.embeddings.position_embedding")).toBe("1x577x768");
    expect(p.get("vision_model.encoder.layers.11.self_attn.qkv.weight")).toBe("2304x768");
    expect(p.get("text_encoder.embeddings.word_embeddings.weight")).toBe("30524x768");
    expect(p.get("text_encoder.encoder.layer.0.crossattention.self.key.weight")).toBe("768x768");
    expect(p.get("text_decoder.bert.encoder.layer.11.attention.self.query.weight")).toBe("768x768");
    expect(p.get("text_decoder.bert.encoder.layer.11.attention.output.LayerNorm.weight")).toBe("768");
    expect(p.get("text_decoder.cls.predictions.transform.dense.weight")).toBe("768x768");
    expect(p.get("text_decoder.cls.predictions.bias")).toBe("30524");
    const decoderPaths = [...p.keys()].filter((k) => k.startsWith("text_decoder."));
    expect(decoderPaths.filter((k) => !k.includes(".attention.") && !k.startsWith("text_decoder.cls."))).toEqual([]);
    expect(shapes("BLIP_ViT_L").get("text_encoder.encoder.layer.0.crossattention.self.key.weight")).toBe("768x1024");
  });

  it("CoCa has OpenCLIP's names and two attentional poolers", () => {
    const p = shapes("CoCa_Base");
    expect(p.get("visual.conv1.weight")).toBe("768x3x18x18");
    expect(p.get("visual.transformer.resblocks.0.attn.in_proj_weight")).toBe("2304x768");
    expect(p.get("visual.attn_pool.query")).toBe("256x768");
    expect(p.get("visual.attn_pool_contrastive.query")).toBe("1x768");
    expect(p.get("text.cls_emb")).toBe("768");
    expect(p.get("text.token_embedding.weight")).toBe("64000x768");
    expect(p.get("text_decoder.resblocks.11.cross_attn.in_proj_weight")).toBe("2304x768");
    expect(p.get("text_decoder.text_projection")).toBe("768x64000");
  });

  it("OpenCLIP's released CoCa has its state-dict names: one attentional pooler, separate cross_attn blocks", () => {
    const p = shapes("CoCa_ViT_B_32");
    expect(p.get("visual.conv1.weight")).toBe("768x3x32x32");
    expect(p.get("visual.class_embedding")).toBe("768");
    expect(p.get("visual.positional_embedding")).toBe("50x768");
    expect(p.get("visual.transformer.resblocks.11.attn.in_proj_weight")).toBe("2304x768");
    // the pooler: 256 queries of embed_dim 512, keys and values of the ViT's 768
    expect(p.get("visual.attn_pool.query")).toBe("256x512");
    expect(p.get("visual.attn_pool.attn.q_proj_weight")).toBe("512x512");
    expect(p.get("visual.attn_pool.attn.k_proj_weight")).toBe("512x768");
    expect(p.get("visual.attn_pool.attn.v_proj_weight")).toBe("512x768");
    expect(p.get("visual.attn_pool.ln_k.weight")).toBe("768");
    expect(p.has("visual.attn_pool.attn.in_proj_weight")).toBe(false);
    expect(p.has("visual.attn_pool_contrastive.query")).toBe(false);
    expect(p.get("visual.ln_post.weight")).toBe("512");
    expect(p.get("visual.proj")).toBe("512x512");
    expect(p.get("text.token_embedding.weight")).toBe("49408x512");
    expect(p.get("text.positional_embedding")).toBe("77x512");
    expect(p.get("text.cls_emb")).toBe("512");
    expect(p.get("text.text_projection")).toBe("512x512");
    expect(p.get("text_decoder.resblocks.11.attn.in_proj_weight")).toBe("1536x512");
    expect(p.has("text_decoder.resblocks.0.ln_1_kv.weight")).toBe(false);
    expect(p.get("text_decoder.cross_attn.0.ln_1_kv.weight")).toBe("512");
    expect(p.get("text_decoder.cross_attn.11.attn.in_proj_weight")).toBe("1536x512");
    expect(p.get("text_decoder.cross_attn.11.mlp.c_fc.weight")).toBe("2048x512");
    expect(p.get("text_decoder.text_projection")).toBe("512x49408");
    expect(p.get("logit_scale")).toBe("");
    expect(p.has("logit_bias")).toBe(false);
    // model_profile.csv's tower figures: visual 89.16M, text 63.43M
    expect(sumUnder("CoCa_ViT_B_32", ["visual"])).toBe(89_164_032);
    expect(sumUnder("CoCa_ViT_B_32", ["text"])).toBe(63_428_608);
    const l = shapes("CoCa_ViT_L_14");
    expect(l.get("visual.conv1.weight")).toBe("1024x3x14x14");
    expect(l.get("visual.positional_embedding")).toBe("257x1024");
    expect(l.get("visual.attn_pool.query")).toBe("256x768");
    expect(l.get("visual.attn_pool.attn.k_proj_weight")).toBe("768x1024");
    expect(l.get("visual.transformer.resblocks.23.mlp.c_fc.weight")).toBe("4096x1024");
    expect(l.get("text_decoder.cross_attn.11.ln_1_kv.weight")).toBe("768");
    expect(l.get("text_decoder.text_projection")).toBe("768x49408");
    // visual 306.72M, text 123.65M
    expect(sumUnder("CoCa_ViT_L_14", ["visual"])).toBe(306_724_864);
    expect(sumUnder("CoCa_ViT_L_14", ["text"])).toBe(123_651_072);
  });

  it("ImageBind has the official names and freezes image and text", () => {
    const p = shapes("ImageBind_Huge");
    expect(p.get("modality_preprocessors.vision.rgbt_stem.proj.1.weight")).toBe("1280x3x2x14x14");
    expect(p.get("modality_preprocessors.vision.pos_embedding_helper.pos_embed")).toBe("1x257x1280");
    expect(p.get("modality_preprocessors.audio.pos_embedding_helper.pos_embed")).toBe("1x229x768");
    expect(p.get("modality_preprocessors.depth.depth_stem.proj.weight")).toBe("384x1x16x16");
    expect(p.get("modality_preprocessors.imu.imu_stem.proj.weight")).toBe("512x48");
    expect(p.get("modality_trunks.vision.pre_transformer_layer.0.weight")).toBe("1280");
    expect(p.get("modality_trunks.audio.blocks.11.attn.bias_k")).toBe("1x1x768");
    expect(p.get("modality_trunks.text.blocks.23.mlp.fc1.weight")).toBe("4096x1024");
    expect(p.get("modality_heads.imu.3.weight")).toBe("1024x512");
    expect(p.get("modality_heads.text.proj.1.weight")).toBe("1024x1024");
    expect(p.get("modality_postprocessors.text.1.log_logit_scale")).toBe("");
    const stage = countParams(compiled("ImageBind_Huge").result.checked!.model).stages[0]!;
    expect(stage.trainable).toBe(213_918_976);
    expect(stage.frozen).toBe(986_862_081);
  });

  it("Meta-Transformer keeps the encoder frozen and trains tokenizers and heads", () => {
    const p = shapes("MetaTransformer_B16");
    expect(p.get("encoder.11.attn.qkv.weight")).toBe("2304x768");
    expect(p.get("encoder.0.mlp.fc2.weight")).toBe("768x3072");
    expect(p.get("image_tokenizer.embed.proj.weight")).toBe("768x3x16x16");
    expect(p.get("time_series_tokenizer.embed.value_embedding.tokenConv.weight")).toBe("768x1x3");
    const stage = countParams(compiled("MetaTransformer_B16").result.checked!.model).stages[0]!;
    expect(p.get("time_series_tokenizer.embed.temporal_embedding.month_embed.emb.weight")).toBe("13x768");
    expect(p.get("point_tokenizer.embed.first_conv.3.weight")).toBe("256x128x1");
    expect(p.get("point_tokenizer.pos_embed.2.weight")).toBe("768x128");
    expect(p.has("video_tokenizer.pos_embed")).toBe(false); // VideoMAE's fixed table, computed
    const pe = allTensors(compiled("MetaTransformer_B16").result.checked!.model.root)
      .find((t) => t.path === "time_series_tokenizer.embed.position_embedding.pe")!;
    expect([pe.buffer, pe.shape.map(String).join("x")]).toEqual([true, "1x5000x768"]);
    // the encoder and the time-series tokenizer's fixed temporal tables, 76 x 768 (BatchNorm
    // statistics and the position table are buffers: never trained, not counted)
    expect(stage.frozen).toBe(85_054_464 + 76 * 768);
  });
});

describe("tiny variants", () => {
  const TINY = ["BLIP_ViT_B_Tiny", "BLIP_ViT_L_Tiny", "CoCa_Base_Tiny", "CoCa_Tiny", "CoCa_ViT_B_32_Tiny",
    "CoCa_ViT_L_14_Tiny", "ImageBind_Huge_Tiny", "MetaTransformer_B16_Tiny", "MetaTransformer_L14_Tiny"];
  for (const name of TINY) {
    it(`${name} checks without diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(result.checked).toBeDefined();
    });
  }
});
