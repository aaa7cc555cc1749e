// The CLI's options come from one schema per command (compiler/cli/command.ts, OptionSpec):
// the dispatcher checks choices and integer ranges for every command with one wording, and
// the help lists each option with its doc.
import { describe, expect, it } from "vitest";
import { mm } from "../helpers.js";

describe("option schema", () => {
  it("refuses a value outside an option's choices or range, naming them, with exit 2", () => {
    const cases: [string[], string][] = [
      [["graph", "CLIP_ViT_B32_Tiny", "--level", "layer"], "graph: --level takes model, block or op, not 'layer'"],
      [["graph", "CLIP_ViT_B32_Tiny", "--format", "png"], "graph: --format takes svg, dot or html, not 'png'"],
      [["params", "CLIP_ViT_B32_Tiny", "--depth", "0"], "params: --depth takes a positive integer, not '0'"],
      [["summary", "CLIP_ViT_B32_Tiny", "--depth", "two"], "summary: --depth takes a positive integer, not 'two'"],
      [["diff", "CLIP_ViT_B32_Tiny", "CLIP_ViT_B32_Tiny", "--depth", "1.5"], "diff: --depth takes a positive integer, not '1.5'"],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", "x.onnx", "--seed=-1"], "compile: --seed takes an integer from 0 to 4294967295, not '-1'"],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", "x.onnx", "--mode", "training"], "compile: --mode takes eval or train, not 'training'"],
      [["run", "CLIP_ViT_B32_Tiny", "--backend", "cuda"], "run: --backend takes webgpu or onnxruntime, not 'cuda'"],
      [["run", "CLIP_ViT_B32_Tiny", "--gemm", "fast"], "run: --gemm takes registers or tiled, not 'fast'"],
      [["check", "stdlib", "--max-errors", "0"], "check: --max-errors takes a positive integer, not '0'"],
    ];
    for (const [args, msg] of cases) {
      const r = mm(...args);
      expect([args.join(" "), r.code, r.err.split("\n")[0]]).toEqual([args.join(" "), 2, `mm: ${msg}`]);
    }
  });

  it("documents every option in the command's help", () => {
    const r = mm("compile", "--help");
    expect(r.code).toBe(0);
    for (const flag of ["--target", "--weights", "--opset", "--seed", "--mode", "--bind", "--gemm", "--functions"]) expect(r.out).toContain(flag);
    expect(r.out).toContain("ir (the IR the backends read, as text)");
  });
});
