// `mm compile --target ir`: the IR model the backends read, as text, for models that cover
// its parts (a variant with a task, EMA teachers and an ITM selection, training mode with
// buffer updates, modality experts from an example), as golden files. A change
// to the IR (a pass, a lowering's input, a name) shows here first.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mm } from "../helpers.js";
import { matchGolden } from "./golden.js";

const CASES: readonly (readonly [string, string, ...string[]])[] = [
  ["CLIP_ViT_B32_Tiny.retrieval", "CLIP_ViT_B32_Tiny", "--task", "retrieval"],
  ["ALBEF_Tiny.pretrain", "ALBEF_Tiny", "--task", "pretrain"],
  ["TSN_R50_Tiny.train", "TSN_R50_Tiny", "--mode", "train"],
  ["modality_experts.TinyMultiway", "examples/modality_experts.mm#TinyMultiway"],
];

describe("mm compile --target ir (golden)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mm-ir-"));
  for (const [golden, model, ...flags] of CASES) {
    it(golden, () => {
      const out = join(dir, `${golden}.ir`);
      const r = mm("compile", model, "--target", "ir", "-o", out, ...flags);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      matchGolden(`test/golden/ir/${golden}.ir`, readFileSync(out, "utf8"));
    });
  }

  it("refuses backend flags and reports an unknown task as a usage error", () => {
    const r = mm("compile", "CLIP_ViT_B32_Tiny", "--target", "ir", "-o", join(dir, "x.ir"), "--weights", "random");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--weights is not for --target ir");
    const t = mm("compile", "CLIP_ViT_B32_Tiny", "--target", "ir", "-o", join(dir, "x.ir"), "--task", "nope");
    expect(t.code).toBe(2);
    expect(t.err).toContain("has no task 'nope'");
  });
});
