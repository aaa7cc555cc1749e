// `mm summary` with --dtype and --train as golden files, and the memory figures of a model
// small enough to count by hand.
import { describe, expect, it } from "vitest";
import type { Summary } from "../../compiler/tools/summary/summary.js";
import { mm } from "../helpers.js";
import { matchGolden } from "./golden.js";

const TINY = "test/cases/summary/tiny_mlp.mm";

const CASES: readonly [file: string, args: readonly string[]][] = [
  ["tiny_mlp.train", [TINY, "--train"]],
  ["tiny_mlp.train.bf16", [TINY, "--train", "--dtype", "bf16", "--json"]],
  ["CLIP_ViT_B32_Tiny.f16", ["CLIP_ViT_B32_Tiny", "--dtype", "f16", "--input", "B=2"]],
  ["BLIP2_Stage1_Tiny.train", ["BLIP2_Stage1_Tiny", "--train"]],
];

describe("mm summary --dtype / --train (golden)", () => {
  for (const [name, args] of CASES) {
    it(`${args.join(" ")}`, () => {
      const r = mm("summary", ...args);
      matchGolden(`test/golden/summary/${name}.${args.includes("--json") ? "json" : "txt"}`, `exit: ${r.code}\n${r.err}${r.out}`);
    });
  }
});

describe("mm summary memory, counted by hand", () => {
  const at = (...args: string[]): Summary => JSON.parse(mm("summary", TINY, "--json", "--train", ...args).out) as Summary;

  it("TinyMLP at B=1: the peak is two [1, 8] values alive at the gelu; training adds gradients and Adam", () => {
    const s = at();
    // fc1's output [1, 8] (32 B) is alive while gelu writes its [1, 8] (32 B): 64 B; then
    // fc1's output is dead and fc2 writes [1, 2] next to the gelu's output: 40 B.
    expect(s.memory.peakActivationBytes).toBe(64);
    expect(s.memory.activationBytes).toBe(32 + 32 + 8);
    // 58 params (4·8 + 8 + 8·2 + 2): weights 232 B, gradients 232 B, Adam 2·58·4 = 464 B, activations 72 B
    expect(s.memory.train).toEqual({ trainableParams: 58, weightBytes: 232, gradientBytes: 232, optimizerBytes: 464, activationBytes: 72, totalBytes: 1000, stages: [] });
  });

  it("halves weights, gradients and activations at f16, never Adam's float32 moments", () => {
    const s = at("--dtype", "f16", "--input", "B=3");
    expect(s.dtype).toBe("float16");
    expect(s.memory.peakActivationBytes).toBe(3 * 64 / 2);
    expect(s.memory.weights).toEqual({ float16: { params: 58, bytes: 116 } });
    expect(s.memory.train!.totalBytes).toBe(116 + 116 + 464 + 3 * 72 / 2);
  });

  it("puts the peak below the sum, growing with the batch, for tiny stdlib models", () => {
    for (const [model, batch] of [["CLIP_ViT_B32_Tiny", "B"], ["ALBEF_Tiny", "N"], ["LLaVA_1_5_7B_Tiny", "B"]] as const) {
      const [b1, b4] = [1, 4].map((b) => JSON.parse(mm("summary", model, "--json", "--input", `${batch}=${b}`).out) as Summary);
      expect(b1!.memory.peakActivationBytes, model).toBeGreaterThan(0);
      expect(b1!.memory.peakActivationBytes, model).toBeLessThan(b1!.memory.activationBytes);
      expect(b4!.memory.peakActivationBytes, model).toBeGreaterThan(b1!.memory.peakActivationBytes);
      expect(b1!.memory.train, model).toBeUndefined();
    }
  });

  it("rejects an unknown --dtype", () => {
    const r = mm("summary", TINY, "--dtype", "f8");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--dtype takes f32, f16 or bf16");
  });
});
