// CLIP prompt learning (MaPLe, PromptSRC) and the downstream systems of survey §4 (TextAsImages,
// CDUL, DAC, AVAD, RumorShortVideo): exact parameter counts against the published figures
// (trainable counts for the prompt learners), the frozen/trainable split of their stages,
// checkpoint paths, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { Session, type CompileResult, type ModelRef } from "../../compiler/driver/session.js";
import { allParams } from "../../compiler/elaborate/instance.js";
import { countParams, type ParamReport } from "../../compiler/tools/params.js";
import { matchesPublished, parsePublished } from "../../compiler/tools/published.js";

const FILES = [
  "stdlib/models/maple.mm",
  "stdlib/models/promptsrc.mm",
  "stdlib/models/textasimages.mm",
  "stdlib/models/cdul.mm",
  "stdlib/models/dac.mm",
  "stdlib/models/avad.mm",
  "stdlib/models/rumor_short_video.mm",
  "stdlib/models/clip.mm",
];

const session = new Session();
const program = session.load(FILES);
const cache = new Map<string, { ref: ModelRef; result: CompileResult; report: ParamReport }>();

/** Compiles (and counts) each model once. */
function compiled(name: string): { ref: ModelRef; result: CompileResult; report: ParamReport } {
  let hit = cache.get(name);
  if (!hit) {
    const { ref } = session.findModel(name, program);
    if (!ref) throw new Error(`no model ${name}`);
    const result = session.compile(ref, program);
    if (!result.checked) throw new Error(`${name} did not check: ${result.diagnostics.map((d) => d.message).join("; ")}`);
    hit = { ref, result, report: countParams(result.checked.model) };
    cache.set(name, hit);
  }
  return hit;
}

const errors = (r: CompileResult): string[] => r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);

const shapes = (name: string): Map<string, string> =>
  new Map(allParams(compiled(name).result.checked!.model.root).map((p) => [p.path, p.shape.map(String).join("x")]));

const CLIP_B16 = 149_620_737;
const CLIP_RN50 = 102_007_137;

// name, computed total, computed trainable, published figure (`none` where there is none)
const FULL: readonly (readonly [string, number, number, string])[] = [
  ["MaPLe", CLIP_B16 + 3_555_072, 3_555_072, "~3.55M trainable"],
  ["PromptSRC", CLIP_B16 + 46_080, 46_080, "46K trainable"],
  ["TextAsImages", CLIP_RN50 + 16_387, 16_387, "none"],
  ["CDUL", 646_807_317, 23_549_012, "none"],
  ["DAC", 150_395_393, 774_656, "none"],
  ["AVAD", 42_402_367, 42_402_367, "none"],
  ["RumorShortVideo", 177_932_352, 177_932_352, "none"],
];

describe("prompt learning and downstream systems at published sizes", () => {
  for (const [name, total, trainable, published] of FULL) {
    it(`${name}: ${total.toLocaleString("en-US")} parameters, ${trainable.toLocaleString("en-US")} trained (published ${published})`, () => {
      const { ref, result, report } = compiled(name);
      expect(errors(result)).toEqual([]);
      expect(report.total).toBe(total);
      expect(report.trainable).toBe(trainable);
      const pub = parsePublished(ref.decl.doc);
      if (published === "none") {
        expect(pub).toBe("none");
        return;
      }
      if (pub === undefined || pub === "none") throw new Error(`${name} has no published figure`);
      expect(pub.text).toBe(published);
      expect(pub.of).toBe("trainable");
      expect(matchesPublished(report.trainable, pub)).toBe(true);
    });
  }

  it("MaPLe's 3,555,072 learnable parameters print as 3.55M truncated (the paper's figure), 3.56M rounded", () => {
    const learnable = compiled("MaPLe").report.trainable;
    expect(Math.floor(learnable / 1e4) / 100).toBe(3.55);
    expect(Math.round(learnable / 1e4) / 100).toBe(3.56);
  });

  it("PromptSRC's 46,080 learnable parameters round to 46K", () => {
    expect(Math.round(compiled("PromptSRC").report.trainable / 1e3)).toBe(46);
  });
});

describe("frozen CLIP and trained prompts", () => {
  it("MaPLe and PromptSRC freeze exactly CLIP ViT-B/16", () => {
    expect(compiled("CLIP_ViT_B16").report.total).toBe(CLIP_B16);
    for (const name of ["MaPLe", "PromptSRC"]) {
      const { report } = compiled(name);
      expect(report.stages.map((s) => s.name)).toEqual(["prompt_tuning"]);
      expect(report.stages[0]!.frozen).toBe(CLIP_B16);
      expect(report.frozen).toBe(CLIP_B16);
    }
  });

  it("TextAsImages freezes CLIP RN50 and trains only its prompt learner", () => {
    expect(compiled("CLIP_RN50").report.total).toBe(CLIP_RN50);
    const { report } = compiled("TextAsImages");
    expect(report.frozen).toBe(CLIP_RN50);
    expect(report.stages[0]!.trains).toEqual(["prompt_learner"]);
  });

  it("CDUL freezes CLIP RN50x64 (623,258,305) and trains the classifier", () => {
    const { report } = compiled("CDUL");
    expect(report.frozen).toBe(623_258_305);
    expect(report.stages[0]!.trains).toEqual(["classifier"]);
  });

  it("DAC trains the adapter and the text residual in two stages, never CLIP", () => {
    const { report } = compiled("DAC");
    expect(report.stages.map((s) => [s.name, s.trainable])).toEqual([
      ["intra_modal_alignment", 512 * 512 + 512],
      ["inter_modal_alignment", 1000 * 512],
    ]);
    expect(report.frozen).toBe(CLIP_B16);
  });

  it("AVAD trains the sync model, then the two autoregressive models", () => {
    const { report } = compiled("AVAD");
    const ar = 2 * 827_423;
    expect(report.stages.map((s) => [s.name, s.trainable])).toEqual([
      ["sync_other_videos", 42_402_367 - ar],
      ["sync_shifted_audio", 42_402_367 - ar],
      ["anomaly_model", ar],
    ]);
  });
});

describe("checkpoint paths", () => {
  it("MaPLe has the official prompt learner over HF's CLIP", () => {
    const p = shapes("MaPLe");
    expect(p.get("prompt_learner.ctx")).toBe("2x512");
    expect(p.get("prompt_learner.proj.weight")).toBe("768x512");
    expect(p.get("prompt_learner.proj.bias")).toBe("768");
    expect(p.get("prompt_learner.compound_prompts_text")).toBe("8x2x512");
    expect(p.get("prompt_learner.compound_prompt_projections.7.weight")).toBe("768x512");
    expect(p.has("prompt_learner.compound_prompt_projections.8.weight")).toBe(false);
    expect(p.get("vision_model.encoder.layers.11.self_attn.q_proj.weight")).toBe("768x768");
    expect(p.get("text_model.embeddings.token_embedding.weight")).toBe("49408x512");
    expect([...p.keys()].some((k) => k.includes("VPT"))).toBe(false);
  });

  it("PromptSRC's prompts: ctx, the image tower's VPT, VPT_shallow in layers 1-8 of both towers", () => {
    const p = shapes("PromptSRC");
    expect(p.get("prompt_learner.ctx")).toBe("4x512");
    expect(p.get("vision_model.VPT")).toBe("4x768");
    for (let i = 0; i < 12; i++) {
      const has = i >= 1 && i <= 8;
      expect(p.get(`vision_model.encoder.layers.${i}.VPT_shallow`)).toBe(has ? "4x768" : undefined);
      expect(p.get(`text_model.encoder.layers.${i}.VPT_shallow`)).toBe(has ? "4x512" : undefined);
    }
    expect(p.has("text_model.VPT")).toBe(false);
  });

  it("TextAsImages has TaI-DPT's double prompt learner", () => {
    const p = shapes("TextAsImages");
    expect(p.get("prompt_learner.ctx")).toBe("16x512");
    expect(p.get("prompt_learner.ctx_double")).toBe("16x512");
    expect(p.get("prompt_learner.temperature")).toBe("");
    expect(p.get("vision_model.attnpool.c_proj.weight")).toBe("1024x2048");
  });

  it("AVAD has the official module names", () => {
    const p = shapes("AVAD");
    expect(p.get("vis_enc.conv1.weight")).toBe("64x3x1x7x7");
    expect(p.get("vis_enc.layer2.0.conv1.weight")).toBe("128x64x1x3x3");
    expect(p.get("vis_enc.layer3.0.conv1.weight")).toBe("256x128x3x3x3");
    expect(p.get("vis_enc.layer4.0.downsample.0.weight")).toBe("512x256x1x1x1");
    expect(p.get("aud_enc.conv6.weight")).toBe("512x256x4x3");
    expect(p.get("transformer.pos_embedding")).toBe("1x512x1x14x14");
    expect(p.get("transformer.transformer.layers.2.0.fn.to_qkv.weight")).toBe("1536x512");
    expect(p.get("transformer.transformer.layers.2.0.fn.to_out.0.weight")).toBe("512x512");
    expect(p.get("transformer.transformer.layers.2.1.fn.net.3.weight")).toBe("512x512");
    expect(p.get("transformer.mlp_head.1.weight")).toBe("1x512");
    expect(p.get("dist_regressive_model.pos_embedding")).toBe("1x49x256");
    expect(p.get("dist_regressive_model.decoder1.docoder.compress_fn.conv.weight")).toBe("256x16x1");
    expect(p.get("avfeature_regressive_model.decoder2.norm.a_2")).toBe("256");
  });

  it("RumorShortVideo's BERT attends to the TSN segments in every layer", () => {
    const p = shapes("RumorShortVideo");
    expect(p.get("backbone.layer4.2.conv3.weight")).toBe("2048x512x1x1");
    expect(p.get("bert.embeddings.word_embeddings.weight")).toBe("21128x768");
    expect(p.get("bert.encoder.layer.0.crossattention.self.key.weight")).toBe("768x2048");
    expect(p.get("bert.encoder.layer.11.crossattention.self.key.weight")).toBe("768x2048");
    expect(p.get("projection.weight")).toBe("256x768");
  });
});

describe("tiny variants", () => {
  for (const name of ["MaPLe_Tiny", "PromptSRC_Tiny", "TextAsImages_Tiny", "CDUL_Tiny", "DAC_Tiny", "AVAD_Tiny", "RumorShortVideo_Tiny"]) {
    it(`${name} checks without diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(result.checked).toBeDefined();
    });
  }
});
