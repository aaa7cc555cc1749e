// The BLIP-2 family in the stdlib (frozen encoders + Q-Former + frozen LLMs): BLIP-2 with OPT
// and Flan-T5 and its stage-1 model, InstructBLIP, MiniGPT-4, VisualGLM and MiniGPT-5.
// Exact parameter counts of the full-size models against their published figures, trainable
// counts per stage, checkpoint paths, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { checkpointShapes, compilerFor } from "./compiled.js";
import { countParams } from "../../compiler/tools/params.js";
import { countUnder } from "../../compiler/tools/stdlib-table.js";
import { matchesPublished, parsePublished, type Published } from "../../compiler/tools/published.js";

const FILES = ["blip2", "instructblip", "minigpt4", "minigpt5", "visualglm"].map((f) => `stdlib/models/${f}.mm`);
/** Compiles each model once. */
const compiled = compilerFor(FILES);

const counts = (name: string) => countParams(compiled(name).result.checked!.model);
/** A published figure written as in a `## published:` line. */
function figure(text: string): Published {
  const p = parsePublished(`published: ${text}`);
  if (p === undefined || p === "none") throw new Error(`not a figure: ${text}`);
  return p;
}
/** Parameter shapes under the names of the model's released checkpoints (its default layout). */
const shapes = (name: string): Map<string, string> => checkpointShapes(compiled, name);

// name, computed total, computed trainable (any stage), published figure
const FULL: readonly (readonly [string, number, number, string])[] = [
  ["BLIP2_OPT_2_7B", 3_744_679_936, 107_130_880, "3.74B"],
  ["BLIP2_FlanT5_XL", 3_942_446_592, 106_737_152, "3.94B"],
  ["InstructBLIP_Vicuna7B", 7_913_210_624, 188_834_560, "~7.9B"],
  ["MiniGPT4_Vicuna7B", 7_832_679_936, 3_149_824, "3.1M trainable"],
  ["VisualGLM_6B", 7_802_193_408, 108_312_064, "7.8B"],
  ["MiniGPT5", 7_959_847_424, 127_167_488, "~123M of fc + llm_to_t2i_mapping + t2i_decoder_prompt"],
];

describe("the BLIP-2 family at published sizes", () => {
  for (const [name, total, trainable, published] of FULL) {
    it(`${name}: ${total.toLocaleString("en-US")} parameters (published ${published})`, () => {
      const { ref, result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      const c = counts(name);
      expect(c.total).toBe(total);
      expect(c.trainable).toBe(trainable);
      const pub = parsePublished(ref.decl.doc);
      if (pub === undefined || pub === "none") throw new Error(`${name} has no published figure`);
      expect(pub.text).toBe(published);
      const model = compiled(name).result.checked!.model;
      const count = pub.of === "trainable" ? c.trainable : pub.of === "total" ? c.total : countUnder(model, pub.of.paths);
      expect(matchesPublished(count, pub)).toBe(true);
    });
  }

  it("BLIP2_Stage1 has no published figure and 1,172,654,910 parameters", () => {
    const { ref, result } = compiled("BLIP2_Stage1");
    expect(result.diagnostics).toEqual([]);
    expect(parsePublished(ref.decl.doc)).toBe("none");
    expect(counts("BLIP2_Stage1").total).toBe(1_172_654_910);
  });

  it("the shared parts: EVA ViT-g (39 blocks) 985,952,256, Q-Former 105,137,664 + 32 x 768 queries", () => {
    const by = new Map(counts("BLIP2_OPT_2_7B").components.map((x) => [x.name, x.params]));
    expect(by.get("vision_model")).toBe(985_952_256);
    expect(by.get("qformer")).toBe(105_137_664);
    expect(by.get("query_tokens")).toBe(32 * 768);
    expect(by.get("language_model")).toBe(2_651_596_800); // OPT-2.7B, head tied
    expect(by.get("language_projection")).toBe(768 * 2560 + 2560);
    const t5 = new Map(counts("BLIP2_FlanT5_XL").components.map((x) => [x.name, x.params]));
    expect(t5.get("language_model")).toBe(2_849_757_184); // Flan-T5-XL
  });

  it("MiniGPT4_Vicuna7B is about 7.8B and trains one linear layer of 3.1M in both stages", () => {
    const c = counts("MiniGPT4_Vicuna7B");
    expect(matchesPublished(c.total, figure("about 7.8B"))).toBe(true);
    for (const s of c.stages) {
      expect(s.trainable).toBe(768 * 4096 + 4096);
      expect(s.trains).toEqual(["llama_proj"]);
    }
    expect(c.stages.map((s) => s.name)).toEqual(["pretrain", "finetune"]);
  });

  it("MiniGPT5's mapper (fc + llm_to_t2i_mapping + t2i_decoder_prompt) is 122,899,456: about 123M", () => {
    const by = new Map(counts("MiniGPT5").components.map((x) => [x.name, x.params]));
    const mapper = by.get("fc")! + by.get("llm_to_t2i_mapping")! + by.get("t2i_decoder_prompt")!;
    expect(mapper).toBe(122_899_456);
    expect(countUnder(compiled("MiniGPT5").result.checked!.model, ["fc", "llm_to_t2i_mapping", "t2i_decoder_prompt"])).toBe(mapper);
    expect(matchesPublished(mapper, figure("123M"))).toBe(true);
    const stages = new Map(counts("MiniGPT5").stages.map((s) => [s.name, s.trainable]));
    expect(stages.get("unimodal_alignment")).toBe(mapper + 2 * 9 * 4096);
    expect(stages.get("multimodal_learning")).toBe(117_575_680 + 2 * 9 * 4096 + 32 * 2 * 2 * 8 * 4096);
  });

  it("VisualGLM_6B matches SAT's count of the released model (7,802,193,408)", () => {
    const by = new Map(counts("VisualGLM_6B").components.map((x) => [x.name, x.params]));
    expect(by.get("transformer")).toBe(6_173_286_400); // ChatGLM-6B's "6.2B"
    expect(by.get("lm_head")).toBe(130_528 * 4096);
  });

  it("stage 2 of BLIP-2 freezes the ViT and the LLM", () => {
    const [s] = counts("BLIP2_OPT_2_7B").stages;
    expect(s!.name).toBe("stage2");
    expect([...s!.trains].sort()).toEqual(["language_projection", "qformer", "query_tokens"]);
    expect(s!.frozen).toBe(985_952_256 + 2_651_596_800);
  });
});

describe("checkpoint paths", () => {
  it("BLIP2_OPT_2_7B names its tensors as Blip2ForConditionalGeneration's state dict does", () => {
    const s = shapes("BLIP2_OPT_2_7B");
    expect(s.get("vision_model.embeddings.class_embedding")).toBe("1x1x1408");
    expect(s.get("vision_model.embeddings.patch_embedding.weight")).toBe("1408x3x14x14");
    expect(s.get("vision_model.embeddings.position_embedding")).toBe("1x257x1408");
    expect(s.get("vision_model.encoder.layers.38.self_attn.qkv.weight")).toBe("4224x1408");
    expect(s.get("vision_model.encoder.layers.38.self_attn.qkv.bias")).toBe("4224");
    expect(s.get("vision_model.encoder.layers.38.mlp.fc1.weight")).toBe("6144x1408");
    expect(s.has("vision_model.encoder.layers.39.mlp.fc1.weight")).toBe(false);
    expect(s.get("vision_model.post_layernorm.weight")).toBe("1408");
    expect(s.get("query_tokens")).toBe("1x32x768");
    expect(s.get("qformer.layernorm.weight")).toBe("768");
    expect(s.get("qformer.encoder.layer.0.attention.attention.query.weight")).toBe("768x768");
    expect(s.get("qformer.encoder.layer.0.crossattention.attention.key.weight")).toBe("768x1408");
    expect(s.get("qformer.encoder.layer.10.crossattention.output.LayerNorm.bias")).toBe("768");
    expect(s.has("qformer.encoder.layer.11.crossattention.attention.key.weight")).toBe(false);
    expect(s.get("qformer.encoder.layer.11.intermediate_query.dense.weight")).toBe("3072x768");
    expect(s.get("qformer.encoder.layer.11.output_query.LayerNorm.weight")).toBe("768");
    expect(s.has("qformer.encoder.layer.0.intermediate.dense.weight")).toBe(false);
    expect(s.get("language_projection.weight")).toBe("2560x768");
    expect(s.get("language_model.model.decoder.embed_tokens.weight")).toBe("50272x2560");
    expect(s.get("language_model.model.decoder.embed_positions.weight")).toBe("2050x2560");
    expect(s.get("language_model.model.decoder.layers.31.self_attn.out_proj.bias")).toBe("2560");
    expect(s.get("language_model.model.decoder.layers.31.fc1.weight")).toBe("10240x2560");
    expect(s.get("language_model.model.decoder.final_layer_norm.weight")).toBe("2560");
    expect(s.has("language_model.lm_head.weight")).toBe(false); // tied to embed_tokens
  });

  it("BLIP2_FlanT5_XL keeps T5's block/layer paths and one relative-bias table per stack", () => {
    const s = shapes("BLIP2_FlanT5_XL");
    expect(s.get("language_model.shared.weight")).toBe("32128x2048");
    expect(s.get("language_model.encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight")).toBe("32x32");
    expect(s.has("language_model.encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight")).toBe(false);
    expect(s.get("language_model.encoder.block.23.layer.1.DenseReluDense.wi_0.weight")).toBe("5120x2048");
    expect(s.get("language_model.decoder.block.23.layer.1.EncDecAttention.k.weight")).toBe("2048x2048");
    expect(s.get("language_model.decoder.block.23.layer.2.DenseReluDense.wo.weight")).toBe("2048x5120");
    expect(s.get("language_model.decoder.final_layer_norm.weight")).toBe("2048");
    expect(s.get("language_model.lm_head.weight")).toBe("32128x2048");
    expect(s.get("language_projection.weight")).toBe("2048x768");
  });

  it("BLIP2_Stage1 has the text side: embeddings, text FFN, projections, ITM and ITG heads", () => {
    const s = shapes("BLIP2_Stage1");
    expect(s.get("embeddings.word_embeddings.weight")).toBe("30523x768");
    expect(s.get("embeddings.position_embeddings.weight")).toBe("512x768");
    expect(s.get("qformer.encoder.layer.0.intermediate.dense.weight")).toBe("3072x768");
    expect(s.get("qformer.encoder.layer.0.output.LayerNorm.weight")).toBe("768");
    expect(s.get("vision_projection.weight")).toBe("256x768");
    expect(s.get("text_projection.weight")).toBe("256x768");
    expect(s.get("itm_head.weight")).toBe("2x768");
    expect(s.get("cls.predictions.transform.dense.weight")).toBe("768x768");
    expect(s.get("cls.predictions.bias")).toBe("30523");
    expect(s.get("temp")).toBe("");
  });

  it("InstructBLIP_Vicuna7B's Q-Former embeds the instruction; Vicuna has 32001 tokens", () => {
    const s = shapes("InstructBLIP_Vicuna7B");
    expect(s.get("qformer.embeddings.word_embeddings.weight")).toBe("30523x768");
    expect(s.get("qformer.embeddings.layernorm.weight")).toBe("768");
    expect(s.get("qformer.encoder.layer.5.output.dense.weight")).toBe("768x3072");
    expect(s.get("language_model.model.embed_tokens.weight")).toBe("32001x4096");
    expect(s.get("language_model.model.layers.31.self_attn.o_proj.weight")).toBe("4096x4096");
    expect(s.get("language_model.model.layers.31.mlp.gate_proj.weight")).toBe("11008x4096");
    expect(s.get("language_model.model.norm.weight")).toBe("4096");
    expect(s.get("language_model.lm_head.weight")).toBe("32001x4096");
    expect(s.get("language_projection.weight")).toBe("4096x768");
  });

  it("MiniGPT5 names the mapper as the official checkpoint and LoRA as PEFT", () => {
    const s = shapes("MiniGPT5");
    expect(s.get("fc.0.weight")).toBe("1024x4096");
    expect(s.has("fc.1.weight")).toBe(false);
    expect(s.get("fc.2.weight")).toBe("1024x1024");
    expect(s.get("llm_to_t2i_mapping.encoder.layers.3.self_attn.in_proj_weight")).toBe("3072x1024");
    expect(s.get("llm_to_t2i_mapping.decoder.layers.3.multihead_attn.out_proj.weight")).toBe("1024x1024");
    expect(s.get("llm_to_t2i_mapping.decoder.layers.3.norm3.weight")).toBe("1024");
    expect(s.get("llm_to_t2i_mapping.decoder.norm.weight")).toBe("1024");
    expect(s.get("t2i_decoder_prompt")).toBe("1x77x1024");
    expect(s.get("llama_model.model.layers.0.self_attn.q_proj.lora_A.weight")).toBe("8x4096");
    expect(s.get("llama_model.model.layers.0.self_attn.v_proj.lora_B.weight")).toBe("4096x8");
    expect(s.has("llama_model.model.layers.0.self_attn.k_proj.lora_A.weight")).toBe(false);
    // The 9 new rows are the official table's last rows (`default layout official`).
    expect(s.has("img_token_embeddings")).toBe(false);
    expect(s.get("llama_model.model.embed_tokens.weight")).toBe("32009x4096");
  });

  it("VisualGLM_6B keeps THUDM's (SAT) names", () => {
    const s = shapes("VisualGLM_6B");
    expect(s.get("image_encoder.vit.mixins.patch_embedding.proj.weight")).toBe("1408x3x14x14");
    expect(s.get("image_encoder.vit.mixins.cls.ln_vision.weight")).toBe("1408");
    expect(s.get("image_encoder.vit.transformer.word_embeddings.weight")).toBe("1x1408");
    expect(s.get("image_encoder.vit.transformer.position_embeddings.weight")).toBe("257x1408");
    expect(s.get("image_encoder.vit.transformer.layers.38.attention.query_key_value.weight")).toBe("4224x1408");
    expect(s.get("image_encoder.qformer.transformer.word_embeddings.weight")).toBe("32x768");
    expect(s.get("image_encoder.qformer.transformer.layers.10.cross_attention.key_value.weight")).toBe("1536x1408");
    expect(s.has("image_encoder.qformer.transformer.layers.11.cross_attention.key_value.weight")).toBe(false);
    expect(s.get("image_encoder.qformer.transformer.final_layernorm.weight")).toBe("768");
    expect(s.get("image_encoder.glm_proj.weight")).toBe("4096x768");
    expect(s.get("transformer.word_embeddings.weight")).toBe("130528x4096");
    expect(s.get("transformer.layers.27.attention.query_key_value.weight")).toBe("12288x4096");
    expect(s.get("transformer.layers.27.mlp.dense_h_to_4h.weight")).toBe("16384x4096");
    expect(s.get("lm_head.weight")).toBe("130528x4096");
  });
});

describe("tiny variants", () => {
  const TINY = ["BLIP2_Stage1_Tiny", "BLIP2_OPT_2_7B_Tiny", "BLIP2_FlanT5_XL_Tiny", "InstructBLIP_Vicuna7B_Tiny",
    "MiniGPT4_Vicuna7B_Tiny", "VisualGLM_6B_Tiny", "MiniGPT5_Tiny"];
  for (const name of TINY) {
    it(`${name} compiles with no diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(counts(name).total).toBeLessThan(1_500_000);
    });
  }
});
