// CLIP in the stdlib (stdlib/models/clip.mm): exact parameter counts of the five published
// models against their figures, Hugging Face checkpoint paths and shapes, the variants'
// argument-only differences, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { compilerFor } from "./compiled.js";
import { allParams } from "../../compiler/elaborate/instance.js";
import { formatValue } from "../../compiler/elaborate/values.js";
import { countParams } from "../../compiler/tools/params.js";
import { matchesPublished, parsePublished } from "../../compiler/tools/published.js";

/** Compiles each model once. */
const compiled = compilerFor(["stdlib/models/clip.mm"]);

const shapes = (name: string): Map<string, string> =>
  new Map(allParams(compiled(name).result.checked!.model.root).map((p) => [p.path, p.shape.map(String).join("x")]));

// name, computed total, published figure (OpenAI's model card and notebook)
const FULL: readonly (readonly [string, number, string])[] = [
  ["CLIP_ViT_B32", 151_277_313, "151.28M"],
  ["CLIP_ViT_B16", 149_620_737, "149.62M"],
  ["CLIP_ViT_L14", 427_616_513, "427.62M"],
  ["CLIP_ViT_L14_336", 427_944_193, "427.94M"],
  ["CLIP_RN50", 102_007_137, "102.01M"],
];

describe("CLIP at published sizes", () => {
  for (const [name, total, published] of FULL) {
    it(`${name}: ${total.toLocaleString("en-US")} parameters (published ${published})`, () => {
      const { ref, result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      const count = countParams(result.checked!.model).total;
      expect(count).toBe(total);
      const pub = parsePublished(ref.decl.doc);
      if (pub === undefined || pub === "none") throw new Error(`${name} has no published figure`);
      expect(pub.text).toBe(published);
      expect(matchesPublished(count, pub)).toBe(true);
    });
  }

  it("CLIP_ViT_B32 splits as OpenAI's: 87,456,000 image tower, 63,165,952 text tower", () => {
    const c = countParams(compiled("CLIP_ViT_B32").result.checked!.model).components;
    const by = new Map(c.map((x) => [x.name, x.params]));
    expect(by.get("vision_model")).toBe(87_456_000);
    expect(by.get("text_model")).toBe(63_165_952);
    expect(by.get("visual_projection")).toBe(768 * 512);
    expect(by.get("text_projection")).toBe(512 * 512);
    expect(by.get("logit_scale")).toBe(1);
  });
});

describe("Hugging Face CLIPModel paths", () => {
  it("CLIP_ViT_B32 names its tensors as CLIPModel's state dict does", () => {
    const s = shapes("CLIP_ViT_B32");
    expect(s.get("vision_model.embeddings.class_embedding")).toBe("768");
    expect(s.get("vision_model.embeddings.patch_embedding.weight")).toBe("768x3x32x32");
    expect(s.has("vision_model.embeddings.patch_embedding.bias")).toBe(false);
    expect(s.get("vision_model.embeddings.position_embedding.weight")).toBe("50x768");
    expect(s.get("vision_model.pre_layrnorm.weight")).toBe("768");
    expect(s.get("vision_model.encoder.layers.11.self_attn.q_proj.weight")).toBe("768x768");
    expect(s.get("vision_model.encoder.layers.11.mlp.fc1.weight")).toBe("3072x768");
    expect(s.get("vision_model.post_layernorm.bias")).toBe("768");
    expect(s.get("text_model.embeddings.token_embedding.weight")).toBe("49408x512");
    expect(s.get("text_model.embeddings.position_embedding.weight")).toBe("77x512");
    expect(s.get("text_model.encoder.layers.0.layer_norm1.weight")).toBe("512");
    expect(s.get("text_model.final_layer_norm.weight")).toBe("512");
    expect(s.get("visual_projection.weight")).toBe("512x768");
    expect(s.has("visual_projection.bias")).toBe(false);
    expect(s.get("text_projection.weight")).toBe("512x512");
    expect(s.get("logit_scale")).toBe("");
  });

  it("CLIP_ViT_L14_336 has 577 positions and a 768-d space", () => {
    const s = shapes("CLIP_ViT_L14_336");
    expect(s.get("vision_model.embeddings.position_embedding.weight")).toBe("577x1024");
    expect(s.get("vision_model.encoder.layers.23.self_attn.k_proj.weight")).toBe("1024x1024");
    expect(s.get("text_model.encoder.layers.11.mlp.fc2.weight")).toBe("768x3072");
    expect(s.get("visual_projection.weight")).toBe("768x1024");
  });

  it("CLIP_RN50 keeps OpenAI's ModifiedResNet names inside vision_model, with no visual_projection", () => {
    const s = shapes("CLIP_RN50");
    expect(s.get("vision_model.conv1.weight")).toBe("32x3x3x3");
    expect(s.get("vision_model.layer1.0.downsample.0.weight")).toBe("256x64x1x1");
    expect(s.get("vision_model.layer4.2.conv3.weight")).toBe("2048x512x1x1");
    expect(s.has("vision_model.layer4.1.downsample.0.weight")).toBe(false);
    expect(s.get("vision_model.attnpool.positional_embedding")).toBe("50x2048");
    expect(s.get("vision_model.attnpool.c_proj.weight")).toBe("1024x2048");
    expect(s.get("text_projection.weight")).toBe("1024x512");
    expect([...s.keys()].some((k) => k.startsWith("visual_projection"))).toBe(false);
  });
});

describe("variants differ from CLIP_ViT_B32 only in arguments", () => {
  it("CLIP_ViT_L14 changes the image patch, width, depth and heads, the text width and heads, the space", () => {
    const changed: string[] = [];
    for (const tower of ["vision_model", "text_model"]) {
      const b = compiled("CLIP_ViT_B32").result.checked!.model.root.children.get(tower)!;
      const l = compiled("CLIP_ViT_L14").result.checked!.model.root.children.get(tower)!;
      for (const [a, v] of b.args) if (formatValue(v) !== formatValue(l.args.get(a)!)) changed.push(`${tower}.${a}`);
    }
    // `hidden` defaults to 4 * width and follows it.
    expect(changed.sort()).toEqual([
      "text_model.heads", "text_model.hidden", "text_model.width",
      "vision_model.depth", "vision_model.heads", "vision_model.hidden", "vision_model.patch", "vision_model.width",
    ]);
  });
});

describe("tiny CLIP variants", () => {
  for (const name of ["CLIP_ViT_B32_Tiny", "CLIP_ViT_B16_Tiny", "CLIP_ViT_L14_Tiny", "CLIP_ViT_L14_336_Tiny", "CLIP_RN50_Tiny"]) {
    it(`${name} compiles with no diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics).toEqual([]);
      expect(countParams(result.checked!.model).total).toBeLessThan(1_000_000);
    });
  }
});
