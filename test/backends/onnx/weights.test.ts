// Weights: structure-only, zeros, and seeded PyTorch-like random initialization.
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { mulberry32, streamSeed } from "../../../compiler/ir/weights.js";
import { compileFile, compileText, initializers } from "./helpers.js";

const INITS = `
model Inits {
  param z: [64] init zeros
  param o: [64] init ones
  param c: [8] init const(0.5)
  param n: [100, 100] init normal(std: 0.02)
  param n2: [100, 100] init normal(1.0, 0.5)
  param tn: [2000] init trunc_normal(std: 1.0, a: -0.5, b: 0.5)
  param u: [1000] init uniform(-2.0, 3.0)
  param xu: [30, 50] init xavier_uniform
  param ku: [30, 50, 2, 2] init kaiming_uniform
  param kn: [300, 200] init kaiming_normal
  param d2: [40, 20]
  param weight: [16]
  param bias: [16]
  forward {
    output total = sum(z) + sum(o) + sum(c) + sum(n) + sum(n2) + sum(tn) + sum(u) + sum(xu) + sum(ku) + sum(kn) + sum(d2) + sum(weight) + sum(bias)
  }
}
`;

const stats = (xs: Float64Array): { mean: number; std: number; min: number; max: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs) };
};

describe("random weights", () => {
  const c = compileText(INITS).get("Inits")!;
  const w = initializers(compileToOnnx(c.checked, c.sources, { weights: { random: 42 } }).model);

  it("follows each init spec", () => {
    expect([...w.get("z")!].every((x) => x === 0)).toBe(true);
    expect([...w.get("o")!].every((x) => x === 1)).toBe(true);
    expect([...w.get("c")!].every((x) => x === 0.5)).toBe(true);
    const n = stats(w.get("n")!);
    expect(Math.abs(n.mean)).toBeLessThan(0.002);
    expect(n.std).toBeCloseTo(0.02, 3);
    const n2 = stats(w.get("n2")!);
    expect(n2.mean).toBeCloseTo(1.0, 1);
    expect(n2.std).toBeCloseTo(0.5, 1);
    const tn = stats(w.get("tn")!);
    expect(tn.min).toBeGreaterThanOrEqual(-0.5);
    expect(tn.max).toBeLessThanOrEqual(0.5);
    const u = stats(w.get("u")!);
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThanOrEqual(3);
    expect(u.mean).toBeCloseTo(0.5, 0);
  });

  it("uses PyTorch's fans: xavier sqrt(6/(in+out)), kaiming_uniform(a=sqrt(5)) 1/sqrt(fan_in), kaiming_normal sqrt(2/fan_in)", () => {
    const xu = stats(w.get("xu")!), bound = Math.sqrt(6 / 80);
    expect(xu.max).toBeLessThanOrEqual(bound);
    expect(xu.max).toBeGreaterThan(0.9 * bound);
    const ku = stats(w.get("ku")!), kb = 1 / Math.sqrt(50 * 4);
    expect(ku.max).toBeLessThanOrEqual(kb);
    expect(ku.max).toBeGreaterThan(0.95 * kb);
    expect(stats(w.get("kn")!).std).toBeCloseTo(Math.sqrt(2 / 200), 2);
  });

  it("defaults: kaiming_uniform for matrices, ones for a 1-D weight, zeros for a bias", () => {
    const d2 = stats(w.get("d2")!);
    expect(d2.max).toBeLessThanOrEqual(1 / Math.sqrt(20));
    expect(d2.std).toBeGreaterThan(0.05);
    expect([...w.get("weight")!].every((x) => x === 1)).toBe(true);
    expect([...w.get("bias")!].every((x) => x === 0)).toBe(true);
  });

  it("is deterministic per seed and path, whatever the task", () => {
    const clip = compileFile("test/backends/onnx/tiny_clip.mm").get("TinyCLIP")!;
    const a = initializers(compileToOnnx(clip.checked, clip.sources, { weights: { random: 9 }, task: "pretrain" }).model);
    const b = initializers(compileToOnnx(clip.checked, clip.sources, { weights: { random: 9 }, task: "retrieval" }).model);
    const d = initializers(compileToOnnx(clip.checked, clip.sources, { weights: { random: 10 }, task: "retrieval" }).model);
    const path = "vision.transformer.resblocks.1.attn.in_proj_weight";
    expect([...a.get(path)!]).toEqual([...b.get(path)!]);
    expect([...a.get(path)!]).not.toEqual([...d.get(path)!]);
    expect(streamSeed(9, "a")).not.toBe(streamSeed(9, "b"));
    const r1 = mulberry32(1), r2 = mulberry32(1);
    expect([r1(), r1()]).toEqual([r2(), r2()]);
  });
});

describe("sinusoid", () => {
  it("is the fixed sin/cos position table over the last two dims", () => {
    const c = compileText(`
model Table {
  param pe: [1, 50, 6] init sinusoid
  param small: [7, 4] init sinusoid(base: 100.0)
  forward {
    output total = sum(pe) + sum(small)
  }
}
`).get("Table")!;
    const w = initializers(compileToOnnx(c.checked, c.sources, { weights: { random: 1 } }).model);
    const want = (rows: number, d: number, base: number): number[] => {
      const out: number[] = [];
      for (let t = 0; t < rows; t++)
        for (let j = 0; j < d; j++) {
          const angle = t / base ** ((2 * Math.floor(j / 2)) / d);
          out.push(Math.fround(j % 2 === 0 ? Math.sin(angle) : Math.cos(angle)));
        }
      return out;
    };
    expect([...w.get("pe")!]).toEqual(want(50, 6, 10000));
    expect([...w.get("small")!]).toEqual(want(7, 4, 100));
    expect([...w.get("pe")!].slice(6, 8)).toEqual([Math.fround(Math.sin(1)), Math.fround(Math.cos(1))]);
  });
});

describe("relative_index", () => {
  it("fills a window's pairwise offsets as rows of the relative-bias table, as Swin computes them", () => {
    const c = compileText(`
model Windows {
  buffer swin: [4, 4] int64 init relative_index(2, 2)
  buffer video: [24, 24] int64 init relative_index(2, 3, 4)
  forward {
    output total = sum(swin) + sum(video)
  }
}
`).get("Windows")!;
    const w = new Map<string, bigint[]>();
    for (const t of compileToOnnx(c.checked, c.sources, { weights: { random: 1 } }).model.graph!.initializer!) {
      const raw = t.rawData!;
      if (t.dataType === 7) w.set(t.name!, [...new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))]);
    }
    // A 2x2 window worked by hand: offsets (dh + 1, dw + 1) as rows dh' * 3 + dw'.
    expect([...w.get("swin")!].map(Number)).toEqual([4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4]);
    // Video Swin's computation: coordinates, pairwise differences shifted by w - 1, the first
    // two axes scaled by the later axes' (2w - 1), summed.
    const [wd, wh, ww] = [2, 3, 4];
    const coords: number[][] = [];
    for (let d = 0; d < wd; d++) for (let h = 0; h < wh; h++) for (let x = 0; x < ww; x++) coords.push([d, h, x]);
    const want = coords.flatMap((a) => coords.map((b) =>
      (a[0]! - b[0]! + wd - 1) * (2 * wh - 1) * (2 * ww - 1) + (a[1]! - b[1]! + wh - 1) * (2 * ww - 1) + (a[2]! - b[2]! + ww - 1)));
    expect([...w.get("video")!].map(Number)).toEqual(want);
  });

  it("needs the window's sizes and a [P, P] tensor", () => {
    const model = (init: string): string => `
model Bad {
  buffer idx: [5, 5] int64 init ${init}
  forward { output total = sum(idx) }
}
`;
    expect(() => compileText(model("relative_index(2, 2)"))).toThrow(/MM3018 relative_index\(2, 2\): expected a \[4, 4\] tensor/);
    expect(() => compileText(model("relative_index(window: 5)"))).toThrow(/MM3018 relative_index's arguments/);
  });
});

describe("zeros and none", () => {
  const clip = compileFile("test/backends/onnx/tiny_clip.mm").get("TinyCLIP")!;

  it("zeros: an all-zero initializer per parameter, named by path, PyTorch layout", () => {
    const m = compileToOnnx(clip.checked, clip.sources, { weights: "zeros" }).model;
    const conv = m.graph!.initializer!.find((t) => t.name === "vision.conv1.weight")!;
    expect(conv.dims!.map(Number)).toEqual([64, 3, 8, 8]);
    expect(conv.rawData!.every((b) => b === 0)).toBe(true);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(["pixels", "tokens"]);
  });

  it("none: parameters are graph inputs with shapes, and no parameter data is written", () => {
    const out = compileToOnnx(clip.checked, clip.sources, { weights: "none" });
    const inputs = out.model.graph!.input!.map((i) => i.name);
    expect(inputs).toContain("text.token_embedding.weight");
    expect(inputs.length).toBe(2 + out.ir.params.length);
    expect(out.bytes.length).toBeLessThan(100_000);
  });
});
