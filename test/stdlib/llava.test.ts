// LLaVA, CogVLM and Video-LLaMA in the stdlib (stdlib/models/llava.mm, cogvlm.mm,
// video_llama.mm; stdlib/towers/eva2_clip.mm; stdlib/experts/visual_expert.mm): exact
// parameter counts of the full-size models against their published figures, trainable
// counts per stage, checkpoint paths, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { checkpointShapes, compilerFor } from "./compiled.js";
import { allParams } from "../../compiler/elaborate/instance.js";
import { countParams } from "../../compiler/tools/params.js";
import { countUnder } from "../../compiler/tools/stdlib-table.js";
import { matchesPublished, parsePublished } from "../../compiler/tools/published.js";

const FILES = ["llava", "cogvlm", "video_llama"].map((f) => `stdlib/models/${f}.mm`);
/** Compiles each model once. */
const compiled = compilerFor(FILES);

const counts = new Map<string, ReturnType<typeof countParams>>();
function count(name: string): ReturnType<typeof countParams> {
  let c = counts.get(name);
  if (!c) {
    c = countParams(compiled(name).result.checked!.model);
    counts.set(name, c);
  }
  return c;
}
/** Parameter shapes under the names of the model's released checkpoints (its default layout). */
const shapes = (name: string): Map<string, string> => checkpointShapes(compiled, name);
const stage = (name: string, s: string) => {
  const hit = count(name).stages.find((x) => x.name === s);
  if (!hit) throw new Error(`${name} has no stage ${s}`);
  return hit;
};

// name, computed total, computed trainable (any stage), published figure (undefined: none)
const FULL: readonly (readonly [string, number, number, string | undefined])[] = [
  ["LLaVA_1_5_7B", 7_063_427_072, 6_759_919_616, "7.06B"],
  ["LLaVA_1_5_13B", 13_351_494_656, 13_047_987_200, "13.35B"],
  ["LLaVA_13B", 13_324_322_816, 13_021_143_040, undefined],
  ["CogVLM_17B", 17_639_685_376, 10_901_269_760, "~17B"],
  ["VideoLLaMA", 9_075_270_913, 44_959_744, undefined],
];

describe("LLaVA, CogVLM and Video-LLaMA at published sizes", () => {
  for (const [name, total, trainable, published] of FULL) {
    it(`${name}: ${total.toLocaleString("en-US")} parameters (published ${published ?? "none"})`, () => {
      const { ref, result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      const c = count(name);
      expect(c.total).toBe(total);
      expect(c.trainable).toBe(trainable);
      const pub = parsePublished(ref.decl.doc);
      if (published === undefined) {
        expect(pub).toBe("none");
        return;
      }
      if (pub === undefined || pub === "none") throw new Error(`${name} has no published figure`);
      expect(pub.text).toBe(published);
      const model = result.checked!.model;
      const n = pub.of === "trainable" ? c.trainable : pub.of === "total" ? c.total : countUnder(model, pub.of.paths);
      expect(matchesPublished(n, pub)).toBe(true);
    });
  }

  it("LLaVA-1.5 rounds at the printed precision: 7.06B and 13.35B", () => {
    expect(Math.round(count("LLaVA_1_5_7B").total / 1e7) / 100).toBe(7.06);
    expect(Math.round(count("LLaVA_1_5_13B").total / 1e7) / 100).toBe(13.35);
  });

  it("CogVLM-17B splits as 10.90B visual (ViT, adapter, experts) + 6.74B Vicuna-7B", () => {
    const model = compiled("CogVLM_17B").result.checked!.model;
    const vision = countUnder(model, ["model.vision"]);
    expect(vision).toBe(4_425_264_384);
    const experts = countUnder(model, [
      "model.layers.*.self_attn.vision_expert_query_key_value",
      "model.layers.*.self_attn.vision_expert_dense",
      "model.layers.*.mlp.vision_mlp",
    ]);
    expect(experts).toBe(32 * (4 * 4096 * 4096 + 3 * 4096 * 11008));
    expect(count("CogVLM_17B").total - vision - experts).toBe(6_738_415_616); // Vicuna-7B-v1.5
    // the ViT without the adapter: EVA2-CLIP-E's 63 layers, patch and position embeddings
    expect(countUnder(model, ["model.vision.patch_embedding", "model.vision.transformer"])).toBe(4_282_641_664);
  });
});

describe("training stages", () => {
  it("LLaVA-1.5 trains the projector in stage 1, projector + LLM in stage 2", () => {
    for (const [name, projector, llm] of [
      ["LLaVA_1_5_7B", 1024 * 4096 + 4096 + 4096 * 4096 + 4096, 6_738_939_904],
      ["LLaVA_1_5_13B", 1024 * 5120 + 5120 + 5120 * 5120 + 5120, 13_016_519_680],
    ] as const) {
      const pre = stage(name, "pretrain");
      expect(pre.trainable).toBe(projector);
      expect(pre.trains).toEqual(["multi_modal_projector"]);
      const ft = stage(name, "finetune");
      expect(ft.trainable).toBe(projector + llm);
      expect([...ft.trains].sort()).toEqual(["language_model", "multi_modal_projector"]);
      expect(ft.frozen).toBe(303_507_456); // the CLIP ViT-L/14-336 tower
    }
  });

  it("LLaVA v1 trains mm_projector (and, as the code does, embed_tokens) first, then all but the ViT", () => {
    expect(stage("LLaVA_13B", "pretrain").trainable).toBe(1024 * 5120 + 5120 + 32003 * 5120);
    expect(stage("LLaVA_13B", "finetune").frozen).toBe(303_179_776); // CLIP ViT-L/14 at 224
  });

  it("CogVLM pretraining trains the visual experts, the adapter and boi/eoi (about 6.5B)", () => {
    const pre = stage("CogVLM_17B", "pretrain");
    expect(pre.trainable).toBe(6_618_628_096);
    expect(stage("CogVLM_17B", "alignment").frozen).toBe(6_738_415_616); // the language model's own weights
  });

  it("Video-LLaMA trains one branch at a time; encoders, image Q-Former and LLM stay frozen", () => {
    for (const s of ["vision_pretrain", "vision_finetune"]) {
      expect([...stage("VideoLLaMA", s).trains].sort()).toEqual(["llama_proj", "video_Qformer", "video_frame_position_embedding", "video_query_tokens"]);
      expect(stage("VideoLLaMA", s).trainable).toBe(22_104_064);
    }
    for (const s of ["audio_pretrain", "audio_finetune"]) {
      expect([...stage("VideoLLaMA", s).trains].sort()).toEqual(["audio_Qformer", "audio_llama_proj", "audio_position_embedding", "audio_query_tokens"]);
      expect(stage("VideoLLaMA", s).trainable).toBe(22_855_680);
    }
    const by = new Map(count("VideoLLaMA").components.map((x) => [x.name, x.params]));
    expect(by.get("audio_encoder")).toBe(1_200_781_057); // the whole ImageBind-Huge
    expect(by.get("vision_model")).toBe(985_952_256);
    expect(by.get("llama_model")).toBe(6_738_415_616);
  });
});

describe("checkpoint paths", () => {
  it("LLaVA_1_5_7B names its tensors as LlavaForConditionalGeneration's state dict does", () => {
    const s = shapes("LLaVA_1_5_7B");
    expect(s.get("vision_tower.vision_model.embeddings.patch_embedding.weight")).toBe("1024x3x14x14");
    expect(s.get("vision_tower.vision_model.embeddings.position_embedding.weight")).toBe("577x1024");
    expect(s.get("vision_tower.vision_model.pre_layrnorm.weight")).toBe("1024");
    expect(s.get("vision_tower.vision_model.encoder.layers.23.mlp.fc2.weight")).toBe("1024x4096");
    expect(s.get("vision_tower.vision_model.post_layernorm.weight")).toBe("1024");
    expect(s.get("multi_modal_projector.linear_1.weight")).toBe("4096x1024");
    expect(s.get("multi_modal_projector.linear_2.bias")).toBe("4096");
    expect(s.get("language_model.model.embed_tokens.weight")).toBe("32064x4096");
    expect(s.get("language_model.model.layers.31.self_attn.o_proj.weight")).toBe("4096x4096");
    expect(s.get("language_model.model.layers.31.mlp.down_proj.weight")).toBe("4096x11008");
    expect(s.get("language_model.lm_head.weight")).toBe("32064x4096");
  });

  it("LLaVA_13B keeps the official code's names, a 224-pixel tower and a linear projector", () => {
    const s = shapes("LLaVA_13B");
    expect(s.get("model.embed_tokens.weight")).toBe("32003x5120");
    expect(s.get("model.layers.39.mlp.gate_proj.weight")).toBe("13824x5120");
    expect(s.get("model.norm.weight")).toBe("5120");
    expect(s.get("model.mm_projector.weight")).toBe("5120x1024");
    expect(s.get("model.vision_tower.vision_model.embeddings.position_embedding.weight")).toBe("257x1024");
    expect(s.get("lm_head.weight")).toBe("32003x5120");
  });

  it("CogVLM_17B names its tensors as THUDM/cogvlm-chat-hf does", () => {
    const s = shapes("CogVLM_17B");
    expect(s.get("model.embed_tokens.weight")).toBe("32000x4096");
    expect(s.get("model.layers.31.self_attn.vision_expert_query_key_value.weight")).toBe("12288x4096");
    expect(s.has("model.layers.31.self_attn.vision_expert_query_key_value.bias")).toBe(false);
    expect(s.get("model.layers.31.self_attn.vision_expert_dense.weight")).toBe("4096x4096");
    expect(s.get("model.layers.31.self_attn.language_expert_query_key_value.weight")).toBe("12288x4096");
    expect(s.get("model.layers.31.self_attn.language_expert_dense.weight")).toBe("4096x4096");
    expect(s.get("model.layers.31.mlp.vision_mlp.gate_proj.weight")).toBe("11008x4096");
    expect(s.get("model.layers.31.mlp.language_mlp.down_proj.weight")).toBe("4096x11008");
    expect(s.get("model.layers.31.input_layernorm.weight")).toBe("4096");
    expect(s.get("model.norm.weight")).toBe("4096");
    expect(s.get("lm_head.weight")).toBe("32000x4096");
    expect(s.get("model.vision.patch_embedding.proj.weight")).toBe("1792x3x14x14");
    expect(s.get("model.vision.patch_embedding.cls_embedding")).toBe("1x1792");
    expect(s.get("model.vision.patch_embedding.position_embedding.weight")).toBe("1226x1792");
    expect(s.get("model.vision.transformer.layers.62.attention.query_key_value.weight")).toBe("5376x1792");
    expect(s.get("model.vision.transformer.layers.62.attention.dense.bias")).toBe("1792");
    expect(s.get("model.vision.transformer.layers.62.mlp.fc1.weight")).toBe("15360x1792");
    expect(s.get("model.vision.transformer.layers.62.post_attention_layernorm.weight")).toBe("1792");
    expect(s.has("model.vision.transformer.layers.63.mlp.fc1.weight")).toBe(false);
    expect(s.get("model.vision.linear_proj.linear_proj.weight")).toBe("4096x1792");
    expect(s.get("model.vision.linear_proj.norm1.weight")).toBe("4096");
    expect(s.get("model.vision.linear_proj.gate_proj.weight")).toBe("11008x4096");
    expect(s.get("model.vision.linear_proj.dense_h_to_4h.weight")).toBe("11008x4096");
    expect(s.get("model.vision.linear_proj.dense_4h_to_h.weight")).toBe("4096x11008");
    expect(s.get("model.vision.boi")).toBe("1x1x4096");
    expect(s.get("model.vision.eoi")).toBe("1x1x4096");
  });

  it("VideoLLaMA keeps the official names for its own parts", () => {
    const s = shapes("VideoLLaMA");
    expect(s.get("vision_model.encoder.layers.38.self_attn.qkv.weight")).toBe("4224x1408");
    expect(s.get("query_tokens")).toBe("1x32x768");
    expect(s.get("qformer.encoder.layer.10.crossattention.attention.key.weight")).toBe("768x1408");
    expect(s.get("video_frame_position_embedding.weight")).toBe("32x768");
    expect(s.get("video_query_tokens")).toBe("1x32x768");
    expect(s.get("video_Qformer.layernorm.weight")).toBe("768");
    expect(s.get("video_Qformer.encoder.layer.1.crossattention.attention.key.weight")).toBe("768x768");
    expect(s.get("video_Qformer.encoder.layer.1.output_query.dense.weight")).toBe("768x3072");
    expect(s.has("video_Qformer.encoder.layer.1.intermediate.dense.weight")).toBe(false);
    expect(s.has("video_Qformer.encoder.layer.2.attention.attention.query.weight")).toBe(false);
    expect(s.get("llama_proj.weight")).toBe("4096x768");
    expect(s.get("audio_encoder.modality_trunks.audio.blocks.11.attn.in_proj_weight")).toBe("2304x768");
    expect(s.get("audio_encoder.modality_heads.audio.2.weight")).toBe("1024x768");
    expect(s.get("audio_query_tokens")).toBe("1x8x768");
    expect(s.get("audio_Qformer.encoder.layer.0.crossattention.attention.key.weight")).toBe("768x1024");
    expect(s.get("audio_Qformer.encoder.layer.1.crossattention.attention.value.weight")).toBe("768x1024");
    expect(s.get("audio_llama_proj.weight")).toBe("4096x768");
    expect(s.get("audio_position_embedding.weight")).toBe("8x1024");
    expect(s.get("llama_model.model.embed_tokens.weight")).toBe("32000x4096");
    expect(s.get("llama_model.lm_head.weight")).toBe("32000x4096");
  });
});

describe("tiny variants", () => {
  for (const name of ["LLaVA_1_5_7B_Tiny", "LLaVA_1_5_13B_Tiny", "LLaVA_13B_Tiny", "CogVLM_17B_Tiny", "VideoLLaMA_Tiny"]) {
    it(`${name} compiles with no diagnostics and small shapes`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      for (const p of allParams(result.checked!.model.root)) {
        for (const d of p.shape) expect(Number(d)).toBeLessThanOrEqual(1000);
      }
      expect(count(name).total).toBeLessThan(1_000_000);
    });
  }
});
