// `mm diff`: argument changes where they were made, parameter deltas, exit codes, and
// golden text and JSON for several pairs (a variant and its base, and unrelated models).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../compiler/cli/main.js";
import { Session } from "../../compiler/driver/session.js";
import { mm } from "../helpers.js";
import { matchGolden } from "../golden/golden.js";

interface DiffJson {
  identical: boolean;
  args: { path: string; arg: string; a: string; b: string }[];
  params: { a: number; b: number; delta: number };
  alignment: string;
  components: { name: string; match?: string; pathA?: string }[];
}

describe("mm diff", () => {
  it("lists exactly the argument changes between CLIP B/32 and L/14, and the parameter delta", () => {
    const r = mm("diff", "CLIP_ViT_B32", "CLIP_ViT_L14");
    expect(r.code).toBe(1);
    const block = r.out.split("\narguments\n")[1]!.split("\n\n")[0]!.trim().split("\n").map((l) => l.trim());
    expect(block).toEqual([
      "embed: 512 → 768", "vision_model.patch: 32 → 14", "vision_model.width: 768 → 1024", "vision_model.depth: 12 → 24",
      "vision_model.heads: 12 → 16", "text_model.width: 512 → 768", "text_model.heads: 8 → 12",
    ]);
    expect(r.out).toContain("parameters  151,277,313 → 427,616,513 (+276,339,200)");
    const j = JSON.parse(mm("diff", "CLIP_ViT_B32", "CLIP_ViT_L14", "--json").out) as DiffJson;
    expect(j.params).toEqual({ a: 151_277_313, b: 427_616_513, delta: 276_339_200 });
    expect(j.args.map((a) => `${a.path ? a.path + "." : ""}${a.arg}: ${a.a} → ${a.b}`)).toEqual(block);
    expect(j.alignment).toBe("path");
    // FLOP and memory deltas at batch 1: float32 weights grow by 4 bytes per added parameter.
    const k = j as unknown as { weightBytes: { delta: number }; flops: { a: number; b: number }; components: { name: string; flops?: { delta: number } }[] };
    expect(k.weightBytes.delta).toBe(276_339_200 * 4);
    expect(k.flops.b).toBeGreaterThan(k.flops.a * 5);
    expect(k.components.find((c) => c.name === "vision_model")!.flops!.delta).toBeGreaterThan(0);
    expect(r.out).toMatch(/FLOPs \(batch 1\) {2}14\.82 G → /);
  });

  it("takes FILE.mm#NAME and FILE.mm --model NAME", () => {
    const r = mm("diff", "examples/clip.mm#CLIP", "examples/clip.mm#CLIP_L14", "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as DiffJson;
    expect(j.args.map((a) => `${a.path}.${a.arg}`)).toEqual([".embed", "vision.patch", "vision.width", "vision.layers", "vision.heads", "text.width", "text.heads"]);
    expect(j.params.delta).toBe(276_339_200);
    expect(mm("diff", "examples/clip.mm", "examples/clip.mm", "--model", "CLIP").code).toBe(0);
  });

  it("exits 0 for identical models and 2 on errors", () => {
    const r = mm("diff", "CLIP_ViT_B32", "CLIP_ViT_B32");
    expect(r.code).toBe(0);
    expect(r.out).toContain("identical");
    expect(mm("diff", "CLIP_ViT_B32", "NoSuchModel").code).toBe(2);
    expect(mm("diff", "CLIP_ViT_B32").code).toBe(2);
    expect(mm("diff", "no/such/file.mm", "CLIP_ViT_B32").code).toBe(2);
  });

  it("colours only when the output is a terminal that allows it", () => {
    let out = "";
    runCli(["diff", "CLIP_ViT_B32", "CLIP_ViT_B16"], { out: (s) => (out += s), err: () => undefined, color: true }, new Session());
    expect(out).toContain("\x1b[");
    expect(mm("diff", "CLIP_ViT_B32", "CLIP_ViT_B16").out).not.toContain("\x1b[");
  });

  it("reports stages, frozen sets, tasks and losses that differ", () => {
    const r = mm("diff", "BLIP2_Stage1_Tiny", "BLIP2_OPT_2_7B_Tiny");
    expect(r.out).toMatch(/\nstages\n {2}~ stage1 → stage2: /);
    expect(r.out).toMatch(/\nfrozen\n {2}~ stage2: vision_model \(.*\) → vision_model, language_model/);
    expect(r.out).toContain("  + lm: loss");
  });

  it("reports buffers added, removed or reshaped, by path", () => {
    const dir = mkdtempSync(join(tmpdir(), "mm-diff-buffers-"));
    const src = (queue: number, ptr: boolean): string => `model M {
  buffer image_queue: [8, ${queue}] init normal(std: 1.0)
  ${ptr ? "buffer queue_ptr: [1] int64 init zeros" : ""}
  input x: [B, 8]
  forward { output y = x @ image_queue }
}
`;
    writeFileSync(join(dir, "a.mm"), src(16, true));
    writeFileSync(join(dir, "b.mm"), src(32, false));
    const r = mm("diff", join(dir, "a.mm"), join(dir, "b.mm"));
    expect(r.code).toBe(1);
    expect(r.out).toContain("\nbuffers\n  ~ image_queue: [8, 16] float32 → [8, 32] float32\n  - queue_ptr: [1] int64\n");
    expect((JSON.parse(mm("diff", join(dir, "a.mm"), join(dir, "b.mm"), "--json").out) as { model: { buffers: unknown[] } }).model.buffers).toHaveLength(2);
  });

  it("pairs by path, then renames of the same block; unrelated parts are removed and added", () => {
    const j = JSON.parse(mm("diff", "CLIP_ViT_B32", "ALBEF", "--json").out) as DiffJson;
    expect(j.alignment).toBe("path+declaration");
    // Different towers (CLIPVisionTransformer, ViTModel) in different places: not one part.
    expect(j.components.find((c) => c.name === "visual_encoder")).toMatchObject({ status: "added" });
    expect(j.components.find((c) => c.name === "vision_model")).toMatchObject({ status: "removed" });
    // The same block under a name with a shared start: a rename.
    expect(j.components.find((c) => c.name === "text_proj")).toMatchObject({ match: "declaration", pathA: "text_projection" });
    // Two losses of different blocks are never paired for being parameter-free alike.
    expect(j.components.find((c) => c.name === "ita_loss")).toMatchObject({ status: "added" });
  });

  it("names the math that changed: CLIP's softmax loss against SigLIP's sigmoid loss", () => {
    const f = "test/cases/diff/contrastive.mm";
    const j = JSON.parse(mm("diff", `${f}#CLIPLoss`, `${f}#SigLIPLoss`, "--json").out) as DiffJson & { a: { file: string } };
    expect(j.a.file).toBe(f);
    const c = j.components.find((x) => x.name === "criterion") as unknown as { blockA: string; block: string; forward: { calls: { removed: string[]; added: string[] } } };
    expect([c.blockA, c.block]).toEqual(["SoftmaxContrastive", "SigmoidContrastive"]);
    expect(c.forward.calls.removed).toEqual(["cross_entropy"]);
    expect(c.forward.calls.added).toContain("softplus");
  });

  it("writes a self-contained HTML page", () => {
    const out = join(mkdtempSync(join(tmpdir(), "mm-diff-")), "d.html");
    expect(mm("diff", "CLIP_ViT_B32", "CLIP_ViT_B16", "--html", out).code).toBe(1);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/src=|href=/); // one inline script, nothing fetched (diff-html.test.ts)
    expect(html).toContain("vision_model.patch: <del>32</del> → <ins>16</ins>");
  });
});

const PAIRS: [string, string][] = [
  ["CLIP_ViT_B32", "CLIP_ViT_L14"],
  ["CLIP_ViT_B32", "CLIP_ViT_B16"],
  ["CLIP_ViT_L14", "CLIP_ViT_L14_336"],
  ["CLIP_ViT_B32_Tiny", "CLIP_RN50_Tiny"],
  ["CLIP_ViT_B32", "ALBEF"],
  ["ALBEF", "TCL"],
  ["BLIP2_Stage1_Tiny", "BLIP2_OPT_2_7B_Tiny"],
  ["BLIP2_OPT_2_7B_Tiny", "InstructBLIP_Vicuna7B_Tiny"],
  // Two families that share no declarations: nothing is paired that is not the same block.
  ["VLMo_Base_Pretrain_Tiny", "BEiT3_Base_Tiny"],
  // CLIP's softmax loss swapped for SigLIP's sigmoid loss: a change of math, op by op.
  ["test/cases/diff/contrastive.mm#CLIPLoss", "test/cases/diff/contrastive.mm#SigLIPLoss"],
];
const goldenName = (spec: string): string => spec.replace(/.*#/, "");

describe("mm diff (golden)", () => {
  for (const [a, b] of PAIRS) {
    it(`${a} ${b}`, () => {
      const t = mm("diff", a, b);
      const name = `${goldenName(a)}.${goldenName(b)}`;
      matchGolden(`test/golden/diff/${name}.txt`, `exit: ${t.code}\n${t.err}${t.out}`);
      const j = mm("diff", a, b, "--json");
      matchGolden(`test/golden/diff/${name}.json`, j.out);
    });
  }
});

describe("mm diff of sparse experts", () => {
  it("reports active parameters and FLOPs beside the dense ones (top-2 → top-1 of 8)", () => {
    mkdirSync("test/.tmp", { recursive: true });
    writeFileSync("test/.tmp/moe-top1.mm", 'import "../../examples/moe.mm"\nmodel MoE_Top1 = TinyMoEVLM(k: 1)\n');
    const r = mm("diff", "examples/moe.mm#TinyMoEVLM", "test/.tmp/moe-top1.mm#MoE_Top1", "--json");
    expect(r.code).toBe(1); // they differ
    const d = JSON.parse(r.out) as { params: { delta: number }; active: { params: { a: number; delta: number }; flops: { delta: number } } };
    // One expert fewer per token in each of 2 layers: 2 * SwiGLU(64, 128) = 2 * 24,576.
    expect(d.params.delta).toBe(0);
    expect(d.active.params).toMatchObject({ a: 333_520, delta: -2 * 24_576 });
    expect(d.active.flops.delta).toBeLessThan(0);
    expect(mm("diff", "examples/moe.mm#TinyMoEVLM", "test/.tmp/moe-top1.mm#MoE_Top1").out).toMatch(/active parameters {2}333,520 → 284,368 \(-49,152\)/);
  });
});
