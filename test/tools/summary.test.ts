import { describe, expect, it } from "vitest";
import { summarize, type ComponentSummary, type Summary } from "../../compiler/tools/summary/summary.js";
import { compileOne, mm } from "../helpers.js";

const json = (...args: string[]): Summary => {
  const r = mm("summary", ...args, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Summary;
};
const by = (s: Summary): Record<string, ComponentSummary> => Object.fromEntries(s.components.map((c) => [c.name, c]));

describe("mm summary on CLIP ViT-B/32", () => {
  const s = json("CLIP_ViT_B32");

  it("has the published parameter count and the stable root fields", () => {
    expect(s.schema).toBe(1);
    expect(s.params.total).toBe(151_277_313);
    expect(s.params.trainable).toBe(151_277_313);
    expect(s.flops.total).toBeGreaterThan(2 * s.macs.total);
    expect(s.bindings).toEqual({ B: 1 });
    expect(s.memory.weights).toEqual({ float32: { params: 151_277_313, bytes: 4 * 151_277_313 } });
  });

  it("puts the image tower within 2% of open_clip's 4.41 GMACs at 224x224", () => {
    const c = by(s);
    const image = c.vision_model!.macs + c.visual_projection!.macs;
    expect(Math.abs(image / 4.41e9 - 1)).toBeLessThan(0.02);
    // the hand count: patch conv 49·768·3·32·32, 12 layers of qkv/out/MLP linears on 50 tokens,
    // q·kᵀ and ·v over 50×50 scores, and the 768→512 projection
    const layer = 50 * 768 * (3 * 768 + 768 + 2 * 3072) + 2 * 50 * 50 * 768;
    expect(image).toBe(49 * 768 * 3 * 32 * 32 + 12 * layer + 768 * 512);
  });

  it("shows output shapes at component boundaries", () => {
    expect(by(s).vision_model!.outputs).toContain("[1, 768]");
    expect(by(s).visual_projection!.outputs).toEqual(["[1, 512]"]);
  });

  it("scales with --input and folds with --depth", () => {
    const b4 = json("CLIP_ViT_B32", "--input", "B=4", "--depth", "2");
    expect(b4.bindings).toEqual({ B: 4 });
    // the towers scale with B; the contrastive logits (B×B) grow faster
    expect(by(b4).vision_model!.macs).toBe(4 * by(s).vision_model!.macs);
    expect(by(b4).text_model!.macs).toBe(4 * by(s).text_model!.macs);
    expect(b4.macs.total - 4 * s.macs.total).toBe((16 - 4) * 512);
    expect(by(b4).vision_model!.children!.map((k) => k.name)).toEqual(["embeddings", "pre_layrnorm", "encoder", "post_layernorm"]);
    expect(by(s).vision_model!.children).toBeUndefined();
  });

  it("prints a table and says how symbols are bound", () => {
    const r = mm("summary", "CLIP_ViT_B32");
    expect(r.code).toBe(0);
    expect(r.out).toContain("symbols not given with --input are 1");
    expect(r.out).toMatch(/total\s+151,277,313/);
    expect(r.out).toMatch(/vision_model\s+tower/);
  });

  it("rejects bad --input with a usage error", () => {
    expect(mm("summary", "CLIP_ViT_B32", "--input", "Q=3").code).toBe(2);
    expect(mm("summary", "CLIP_ViT_B32", "--input", "B=x").code).toBe(2);
    expect(mm("summary", "CLIP_ViT_B32", "--depth", "0").code).toBe(2);
  });
});

describe("per-op counts", () => {
  const r = compileOne(`
block Net(c: Int = 4, w: Int = 8, heads: Int = 2) {
  param cw: [w, c / 2, 3, 3]
  param lw: [w, w]
  param lb: [w]
  forward(x: [B, c, 6, 6]) -> [B, T, w] {
    let y = flatten(conv2d(x, cw, groups: 2), start: 2).T
    let z = linear(y, lw, lb)
    let a = attention(z, z, z, heads: heads)
    return layer_norm(softmax(a) + a)
  }
}
model M { net = Net()  input x: [B, 4, 6, 6]  forward { output y = net(x) } }`);

  it("counts conv, linear and attention MACs and per-element FLOPs", () => {
    expect(r.diagnostics).toEqual([]);
    const s = summarize(r.checked!.model, r.checked!.graph!, new Map([["B", 2]]));
    const B = 2, T = 16, w = 8;
    const conv = B * w * T * (4 / 2) * 9;
    const lin = B * T * w * w;
    const attn = 2 * B * T * T * w;
    expect(s.macs.total).toBe(conv + lin + attn);
    const scores = B * 2 * T * T;
    const el = B * T * w;
    expect(s.flops.total).toBe(2 * (conv + lin + attn) + el /* linear bias */ + scores * 6 + 5 * el /* softmax */ + el /* add */ + 7 * el /* layer_norm */);
    expect(s.components[0]!.outputs).toEqual(["[2, 16, 8]"]);
  });
});

describe("mm summary on the top-2-of-8 MoE example: active beside dense", () => {
  const s = json("examples/moe.mm", "--input", "B=2");
  // By hand: an expert is SwiGLU(64, 128), three 64x128 linears without bias = 24,576 params
  // and 24,576 MACs a token; the gate is 64x8 = 512. A token uses the gate and 2 experts:
  // 512 + 2 * 24,576 = 49,664; densely all 8 run: 512 + 8 * 24,576 = 197,120.
  const expert = 3 * 64 * 128, gate = 64 * 8;
  it("counts active params: the 6 unchosen experts of each of the 2 layers are out", () => {
    expect(s.params.total).toBe(628_432);
    expect(s.sparse!.params.active).toBe(628_432 - 2 * 6 * expert);
  });
  it("reports each routed block per token, and the model's active MACs at the bindings", () => {
    const tokens = 2 * 32; // B = 2, 16 patches + 16 words
    expect(s.sparse!.blocks.map((b) => [b.path, b.k, b.experts, b.tokens])).toEqual([
      ["layers.0.block_sparse_moe", 2, 8, tokens], ["layers.1.block_sparse_moe", 2, 8, tokens],
    ]);
    for (const b of s.sparse!.blocks) {
      expect(b.perToken.macs).toBe(gate + 2 * expert);
      expect(b.dense.macs / b.tokens).toBe(gate + 8 * expert);
    }
    expect(s.macs.total - s.sparse!.macs.active).toBe(2 * 6 * expert * tokens);
    const layers = by(s).layers!;
    expect(layers.macs - layers.active!.macs).toBe(2 * 6 * expert * tokens);
  });
  it("says so in the text", () => {
    const out = mm("summary", "examples/moe.mm").out;
    expect(out).toContain("active MACs");
    expect(out).toMatch(/layers\.0\.block_sparse_moe \(SparseMoE\): top-2 of 8, 32 tokens; per token 49\.66 K MACs/);
  });
});
