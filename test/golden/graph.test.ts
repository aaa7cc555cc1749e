// `mm graph --format dot` as golden files at --depth and --expand: experts and fusion in
// their colours at any depth (a closed box names the experts or fusion blocks it holds; a
// stack of fusion layers is fusion), components opened one level, N levels or down to ops,
// and edges that carry the shape of the tensor that flows (a slice's, not the component's).
import { describe, expect, it } from "vitest";
import { mm } from "../helpers.js";
import { matchGolden } from "./golden.js";

const CASES: readonly [name: string, args: readonly string[]][] = [
  ["moe.model", ["examples/moe.mm"]],
  ["moe.depth3", ["examples/moe.mm", "--depth", "3"]],
  ["moe.expand-moe", ["examples/moe.mm", "--expand", "layers.0.block_sparse_moe"]],
  ["moe.expand-ops", ["examples/moe.mm", "--expand", "layers.1.block_sparse_moe.gate:op", "--expand", "projector:op"]],
  ["moe.expand-star", ["examples/moe.mm", "--expand", "layers.*:1"]],
  ["modality_experts.depth2", ["examples/modality_experts.mm", "--depth", "2"]],
  ["fusion_stack.model", ["test/cases/graph/fusion_stack.mm"]],
  ["fusion_stack.expand", ["test/cases/graph/fusion_stack.mm", "--expand", "fusion:2"]],
  ["BLIP2_OPT_2_7B_Tiny.expand-qformer", ["BLIP2_OPT_2_7B_Tiny", "--expand", "qformer"]],
  ["VLMo_Base_Pretrain_Tiny.model", ["VLMo_Base_Pretrain_Tiny"]],
];

describe("mm graph --format dot (golden)", () => {
  for (const [name, args] of CASES) {
    it(`${args.join(" ")}`, () => {
      const r = mm("graph", ...args, "--format", "dot");
      expect(r.err).toBe("");
      matchGolden(`test/golden/graph/${name}.dot`, `exit: ${r.code}\n${r.out}`);
    });
  }

  it("rejects an --expand path that names no component, and --level with --depth", () => {
    const bad = mm("graph", "examples/moe.mm", "--expand", "layers.7", "--format", "dot");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--expand layers.7: no component at 'layers.7' (top-level components: patch_embed, vision, projector, embed_tokens, layers, norm, lm_head)");
    expect(mm("graph", "examples/moe.mm", "--expand", "layers..0", "--format", "dot").code).toBe(2);
    expect(mm("graph", "examples/moe.mm", "--level", "block", "--depth", "3", "--format", "dot").code).toBe(2);
    // --depth 2 is the block level, and --depth 1 the model level, apart from the title.
    const title = (s: string): string => s.replace(/ \((?:block level|model level|depth \d)\) /, " ");
    expect(title(mm("graph", "examples/moe.mm", "--depth", "2", "--format", "dot").out)).toBe(title(mm("graph", "examples/moe.mm", "--level", "block", "--format", "dot").out));
    expect(title(mm("graph", "examples/moe.mm", "--depth", "1", "--format", "dot").out)).toBe(title(mm("graph", "examples/moe.mm", "--format", "dot").out));
  });
});
