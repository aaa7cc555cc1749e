// Numerics: tiny mm programs whose forward is one op, run in onnxruntime at opsets 17
// (decompositions) and 23 (Attention etc.), against the float64 reference in
// reference.ts computed from the same weights and inputs, to 1e-5.
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { compileText, initializers, randomFeeds, runOnnx, type Compiled } from "./helpers.js";
import * as ref from "./reference.js";

const PROGRAM = `
model AttnPlain {
  input q: [B, 5, 8]
  input k: [B, 6, 8]
  input v: [B, 6, 4]
  forward { output y = attention(q, k, v, heads: 2) }
}
model AttnCausal {
  input q: [B, 5, 8]
  input k: [B, 5, 8]
  input v: [B, 5, 8]
  forward { output y = attention(q, k, v, heads: 4, causal: true) }
}
model AttnMasked {
  input q: [B, 3, 8]
  input k: [B, 6, 8]
  input v: [B, 6, 8]
  input keep: [B, 6] int64
  forward {
    let mask = logical_or(keep > 0, arange(6) == 0)
    output y = attention(q, k, v, mask: reshape(mask, [B, 1, 1, 6]), heads: 2)
  }
}
model LayerNormOp {
  param weight: [8] init normal(mean: 1.0, std: 0.3)
  param bias: [8] init normal(std: 0.3)
  input x: [B, 3, 8]
  forward { output y = layer_norm(x * 2.0, weight, bias) }
}
model GeluOp {
  input x: [B, 16]
  forward {
    output exact = gelu(x * 3.0)
    output approx = gelu(x * 3.0, approximate: "tanh")
  }
}
model SoftmaxOp {
  input x: [B, 4, 7]
  forward {
    output over_rows = softmax(x * 4.0, axis: 1)
    output over_last = softmax(x * 4.0)
  }
}
model CrossEntropyOp {
  input logits: [B, 5]
  input t: [B] int64
  forward {
    loss mean = cross_entropy(logits * 3.0, t)
    loss smooth = cross_entropy(logits * 3.0, t, label_smoothing: 0.1)
    loss ignored = cross_entropy(logits * 3.0, t, ignore_index: 0)
    loss summed = cross_entropy(logits * 3.0, t, reduction: "sum")
  }
}
model Contrastive {
  param logit_scale: [] init const(2.6592)
  input img: [B, 8]
  input txt: [B, 8]
  forward {
    let logits = exp(logit_scale) * normalize(img) @ normalize(txt).T
    output logits_per_image = logits
    loss itc = (cross_entropy(logits, arange(B)) + cross_entropy(logits.T, arange(B))) / 2.0
  }
}
`;

const models = compileText(PROGRAM);
const B = 6;

async function run(name: string, opset: number) {
  const c: Compiled = models.get(name)!;
  const out = compileToOnnx(c.checked, c.sources, { opset, weights: { random: 3 } });
  const { feeds, values } = randomFeeds(out.ir, new Map([["B", B]]), 11);
  const ran = await runOnnx(out.bytes, feeds);
  const get = (k: string): Float64Array => ran.get(k)!.data;
  return { x: values, w: initializers(out.model), get };
}

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>): void => {
  expect(ref.maxRelErr(actual, expected)).toBeLessThan(1e-5);
};

describe.each([17, 23])("numerics at opset %i", (opset) => {
  it("attention without a mask, Tq != Tk, Dv != D", async () => {
    const { x, get } = await run("AttnPlain", opset);
    close(get("y"), ref.attention({ q: x.get("q")!, k: x.get("k")!, v: x.get("v")!, b: B, tq: 5, tk: 6, d: 8, dv: 4, heads: 2 }));
  });

  it("attention with a causal mask", async () => {
    const { x, get } = await run("AttnCausal", opset);
    close(get("y"), ref.attention({ q: x.get("q")!, k: x.get("k")!, v: x.get("v")!, b: B, tq: 5, tk: 5, d: 8, dv: 8, heads: 4, causal: true }));
  });

  it("attention with a padding mask", async () => {
    const { x, get } = await run("AttnMasked", opset);
    const keep = x.get("keep")!;
    expect([...keep].some((k) => k === 0)).toBe(true);
    close(get("y"), ref.attention({ q: x.get("q")!, k: x.get("k")!, v: x.get("v")!, b: B, tq: 3, tk: 6, d: 8, dv: 8, heads: 2, keep: (b, j) => j === 0 || keep[b * 6 + j]! > 0 }));
  });

  it("layer norm", async () => {
    const { x, w, get } = await run("LayerNormOp", opset);
    close(get("y"), ref.layerNorm(x.get("x")!.map((v) => 2 * v), 8, w.get("weight")!, w.get("bias")!, 1e-5));
  });

  it("gelu, exact and tanh", async () => {
    const { x, get } = await run("GeluOp", opset);
    const xs = x.get("x")!.map((v) => Math.fround(3 * v));
    close(get("exact"), xs.map(ref.gelu));
    close(get("approx"), xs.map(ref.geluTanh));
  });

  it("softmax over an inner and the last axis", async () => {
    const { x, get } = await run("SoftmaxOp", opset);
    const xs = x.get("x")!.map((v) => 4 * v);
    close(get("over_rows"), ref.softmax(xs, [B, 4, 7], 1));
    close(get("over_last"), ref.softmax(xs, [B, 4, 7], 2));
  });

  it("cross-entropy: mean, label smoothing, ignore_index, sum", async () => {
    const { x, get } = await run("CrossEntropyOp", opset);
    const logits = x.get("logits")!.map((v) => 3 * v), t = x.get("t")!;
    expect([...t].filter((v) => v === 0).length).toBeGreaterThan(0);
    close(get("loss_mean"), [ref.crossEntropy(logits, 5, t)]);
    close(get("loss_smooth"), [ref.crossEntropy(logits, 5, t, 0.1)]);
    close(get("loss_ignored"), [ref.crossEntropy(logits, 5, t, 0, 0)]);
    close(get("loss_summed"), [ref.crossEntropy(logits, 5, t, 0, -100, "sum")]);
  });

  it("the CLIP contrastive loss", async () => {
    const { x, w, get } = await run("Contrastive", opset);
    const img = ref.normalizeRows(x.get("img")!, 8), txt = ref.normalizeRows(x.get("txt")!, 8);
    const s = Math.exp(w.get("logit_scale")![0]!);
    const logits = ref.matmulT(img, txt, B, B, 8).map((v) => s * v);
    const diag = Array.from({ length: B }, (_, i) => i);
    close(get("logits_per_image"), logits);
    close(get("loss_itc"), [(ref.crossEntropy(logits, B, diag) + ref.crossEntropy(ref.transpose2(logits, B, B), B, diag)) / 2]);
  });
});
