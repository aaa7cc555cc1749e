// The decomposition rules, by op name: each returns new tensors that replace the node's
// outputs, in order (always made by new nodes, never an existing tensor). The arithmetic
// is the ONNX lowering's (compiler/backends/onnx/lower/loss.ts), so both targets compute
// the same thing: PyTorch's reduction rules, label smoothing, ignore_index, xlogy.
import type { CNode } from "../graph.js";
import type { Builder } from "./builder.js";

export type Rule = (b: Builder, n: CNode) => number[];

const num = (n: CNode, k: string, dflt?: number): number => {
  const v = n.attrs[k];
  if (typeof v === "number") return v;
  if (dflt !== undefined) return dflt;
  throw new Error(`${n.op}: attribute ${k} is not a number`);
};
const reductionOf = (n: CNode): string => (typeof n.attrs.reduction === "string" ? n.attrs.reduction : "mean");

function reduced(b: Builder, l: number, reduction: string): number {
  if (reduction === "sum") return b.reduce("sum", l, null, false);
  if (reduction === "mean") return b.reduce("mean", l, null, false);
  return b.ew("identity", [l]);
}

const crossEntropy: Rule = (b, n) => {
  const logits = n.inputs[0]!, targets = n.inputs[1]!;
  const axis = num(n, "axis"), eps = num(n, "label_smoothing", 0), reduction = reductionOf(n);
  const lt = b.tensor(logits);
  const c = lt.shape[axis]!;
  const logp = b.node("log_softmax", [logits], lt.shape, lt.dtype, { axis });
  if (b.tensor(targets).dtype === "float32") {
    const t = eps > 0 ? b.ew("add", [b.ew("mul", [targets, b.scalar(1 - eps)]), b.scalar(eps / c)]) : targets;
    const l = b.ew("neg", [b.reduce("sum", b.ew("mul", [t, logp]), [axis], false)]);
    return [reduced(b, l, reduction)];
  }
  const valid = b.ew("ne", [targets, b.scalar(num(n, "ignore_index", -100), "int64")], "bool");
  const safe = b.ew("where", [valid, targets, b.scalar(0, "int64")], "int64");
  // The target's log-probability: a one-hot mask over the class axis, summed.
  const ts = b.tensor(safe).shape;
  let hot = b.node("one_hot", [safe], [...ts, c], "float32", { classes: c, dtype: "float32" });
  if (axis !== ts.length) {
    const perm = [...Array.from({ length: axis }, (_, i) => i), ts.length, ...Array.from({ length: ts.length - axis }, (_, i) => axis + i)];
    hot = b.node("permute", [hot], perm.map((p) => [...ts, c][p]!), "float32", { perm });
  }
  let l = b.ew("neg", [b.reduce("sum", b.ew("mul", [logp, hot]), [axis], false)]);
  if (eps > 0) {
    const smooth = b.ew("neg", [b.reduce("mean", logp, [axis], false)]);
    l = b.ew("add", [b.ew("mul", [l, b.scalar(1 - eps)]), b.ew("mul", [smooth, b.scalar(eps)])]);
  }
  l = b.ew("where", [valid, l, b.scalar(0)], "float32");
  if (reduction !== "mean") return [reduced(b, l, reduction)];
  const count = b.reduce("sum", b.node("cast", [valid], b.tensor(valid).shape, "float32", { dtype: "float32" }), null, false);
  return [b.ew("div", [b.reduce("sum", l, null, false), count], "float32")];
};

export const RULES: Readonly<Record<string, Rule>> = {
  cross_entropy: crossEntropy,
  binary_cross_entropy_with_logits: (b, n) => {
    // max(x, 0) - x·y + log(1 + exp(-|x|)), stable for large |x|.
    const x = n.inputs[0]!, y = n.inputs[1]!;
    const l = b.ew("add", [b.ew("sub", [b.ew("relu", [x]), b.ew("mul", [x, y])]), b.ew("softplus", [b.ew("neg", [b.ew("abs", [x])])])]);
    return [reduced(b, l, reductionOf(n))];
  },
  kl_div: (b, n) => {
    // q·log q - q·log p, with 0·log 0 = 0 (PyTorch's xlogy).
    const logp = n.inputs[0]!, q = n.inputs[1]!, reduction = reductionOf(n);
    const zero = b.scalar(0);
    const qlogq = b.ew("where", [b.ew("eq", [q, zero], "bool"), zero, b.ew("mul", [q, b.ew("log", [q])])], "float32");
    const l = b.ew("sub", [qlogq, b.ew("mul", [q, logp])]);
    if (reduction !== "batchmean") return [reduced(b, l, reduction)];
    const total = b.reduce("sum", l, null, false);
    const rows = b.tensor(l).shape[0];
    return [rows === undefined ? b.ew("identity", [total]) : b.ew("div", [total, b.scalar(rows)])];
  },
  mse: (b, n) => {
    const d = b.ew("sub", [n.inputs[0]!, n.inputs[1]!]);
    return [reduced(b, b.ew("mul", [d, d]), reductionOf(n))];
  },
  cosine_similarity: (b, n) => {
    const a = n.inputs[0]!, c = n.inputs[1]!, eps = num(n, "eps");
    const rank = Math.max(b.tensor(a).shape.length, b.tensor(c).shape.length);
    const axis = num(n, "axis") - rank; // from the end: it indexes both operands
    const unit = (x: number): number => {
      const r = b.tensor(x).shape.length;
      return b.node("normalize", [x], b.tensor(x).shape, "float32", { axis: r + axis, p: 2, eps });
    };
    return [b.reduce("sum", b.ew("mul", [unit(a), unit(c)]), [rank + axis], false)];
  },
  group_norm: (b, n) => {
    const x = n.inputs[0]!, g = num(n, "groups"), eps = num(n, "eps");
    const s = b.tensor(x).shape;
    const per = s.slice(1).reduce((p, q) => p * q, 1) / g;
    const grouped = b.node("reshape", [x], [s[0]!, g, per], "float32", {});
    const normed = b.node("layer_norm", [grouped, null, null], [s[0]!, g, per], "float32", { axis: 2, eps });
    let y = b.node("reshape", [normed], s, "float32", {});
    const lift = (v: number): number => b.node("reshape", [v], [s[1]!, ...s.slice(2).map(() => 1)], "float32", {});
    if (n.inputs[1] != null) y = b.ew("mul", [y, lift(n.inputs[1])]);
    if (n.inputs[2] != null) y = b.ew("add", [y, lift(n.inputs[2])]);
    return [y];
  },
};
