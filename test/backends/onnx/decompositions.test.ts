// Composite ops against their definitions written out in mm with simple ops: each pair
// of outputs `<name>_op` and `<name>_ref` must agree at every opset the backend targets
// (decompositions at 17, fused ops at 23, reduce axes as inputs from 18, Gelu from 20).
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { compileText, randomFeeds, runOnnx } from "./helpers.js";
import { maxRelErr } from "./reference.js";

const PROGRAM = `
model Pairs {
  param w: [8] init normal(mean: 1.0, std: 0.2)
  param b: [8] init normal(std: 0.2)
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  input seq: [B, 3, 9]
  input t: [B, 4] int64
  forward {
    let p = softmax(y)
    output rms_op = rms_norm(x, w)
    output rms_ref = x * rsqrt(mean(x * x, [-1], keepdim: true) + 0.000001) * w
    output gn_op = permute(group_norm(permute(x, [0, 2, 1]), 2, w, b), [0, 2, 1])
    output gn_ref = permute(reshape(layer_norm(reshape(permute(x, [0, 2, 1]), [B, 2, 16])), [B, 8, 4]), [0, 2, 1]) * w + b
    output norm_op = normalize(x, axis: 1)
    output norm_ref = x / maximum(sqrt(sum(x * x, [1], keepdim: true)), 0.000000000001)
    output norm3_op = normalize(x, p: 3)
    output norm3_ref = x / maximum(sum(abs(x) ** 3.0, [-1], keepdim: true) ** (1.0 / 3.0), 0.000000000001)
    output cos_op = cosine_similarity(x, y)
    output cos_ref = sum(normalize(x) * normalize(y), [-1])
    output lse_op = logsumexp(x, [2])
    output lse_ref = log(sum(exp(x), [2]))
    output act_op = silu(x) + quick_gelu(x) + softplus(x)
    output act_ref = x * sigmoid(x) + x * sigmoid(1.702 * x) + log(1.0 + exp(x))
    output lsm_op = log_softmax(x, axis: 1)
    output lsm_ref = x - logsumexp(x, [1], keepdim: true)
    output sdp_op = scaled_dot_product(x, y, y, causal: true)
    output sdp_ref = softmax(masked_fill(x @ y.T / sqrt(8.0), logical_not(causal_mask(4)), -1000000000.0)) @ y
    output pool_op = adaptive_avg_pool1d(seq, 4)
    output pool_ref = concat([mean(seq[:, :, 0:3], [2], keepdim: true), mean(seq[:, :, 2:5], [2], keepdim: true),
                              mean(seq[:, :, 4:7], [2], keepdim: true), mean(seq[:, :, 6:9], [2], keepdim: true)], axis: 2)
    output mse_op = mse(x, y)
    output mse_ref = mean((x - y) ** 2.0)
    output bce_op = binary_cross_entropy_with_logits(x, p, reduction: "sum")
    output bce_ref = sum(-(p * log(sigmoid(x)) + (1.0 - p) * log(1.0 - sigmoid(x))))
    output kl_op = kl_div(log_softmax(x), p)
    output kl_ref = sum(p * (log(p) - log_softmax(x))) / 2.0   # batchmean, run with B = 2
    output soft_ce_op = cross_entropy(x, p, axis: -1)
    output soft_ce_ref = mean(-sum(p * log_softmax(x), [-1]))
    # class ids with -inf logits on other classes (masked vocabulary): finite, no 0 * -inf
    let xm = masked_fill(x, logical_and(gt(x, 0.5), ne(unsqueeze(t, 2), arange(8))), -inf)
    output hard_ce_op = cross_entropy(xm, t, axis: -1)
    output hard_ce_ref = -mean(sum(where(eq(unsqueeze(t, 2), arange(8)), log_softmax(xm), 0.0), [-1]))
  }
}
`;

const pairs = compileText(PROGRAM).get("Pairs")!;

describe.each([17, 18, 20, 23])("composite ops agree with their definitions at opset %i", (opset) => {
  it("every <name>_op matches <name>_ref", async () => {
    const out = compileToOnnx(pairs.checked, pairs.sources, { opset, weights: { random: 2 } });
    const { feeds } = randomFeeds(out.ir, new Map([["B", 2]]), 5);
    const ran = await runOnnx(out.bytes, feeds);
    const names = [...ran.keys()].filter((k) => k.endsWith("_op"));
    expect(names.length).toBeGreaterThan(10);
    for (const k of names) {
      const ref = k.replace(/_op$/, "_ref");
      expect([k, maxRelErr(ran.get(k)!.data, ran.get(ref)!.data) < 1e-5]).toEqual([k, true]);
      expect([k, Array.from(ran.get(k)!.data as ArrayLike<number>).every(Number.isFinite)]).toEqual([k, true]);
    }
  });
});
