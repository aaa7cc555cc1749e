// Losses (compiler/ops/loss.ts), decomposed so every reduction rule is PyTorch's:
// cross_entropy with class ids averages over targets != ignore_index, with label
// smoothing (1-ε)·nll + ε·mean_c(-log p); with class probabilities it averages over all
// positions. ONNX's SoftmaxCrossEntropyLoss has no label smoothing, hence the decomposition.
import { Dim } from "../../../base/dims.js";
import { isFloatDType } from "../../../base/tensor.js";
import type { V } from "../context.js";
import {
  add, attrNum, binary, cast, div, input, like, mul, reduce, squeeze, sub, unary, unsqueeze, where,
  type Emit, type Lowering, type LowerNode,
} from "./build.js";

function reduced(e: Emit, l: V, reduction: string): V {
  if (reduction === "sum") return reduce(e, "ReduceSum", l, null, false);
  if (reduction === "mean") return reduce(e, "ReduceMean", l, null, false);
  return l;
}

const reductionOf = (n: LowerNode): string => (typeof n.attrs.reduction === "string" ? n.attrs.reduction : "mean");

const crossEntropy: Lowering = (e, n) => {
  const logits = input(n, 0), targets = input(n, 1);
  const axis = attrNum(n, "axis"), eps = attrNum(n, "label_smoothing"), reduction = reductionOf(n);
  const logp = unary(e, "LogSoftmax", logits, { axis: { i: axis } });
  if (isFloatDType(targets.type.dtype)) {
    const c = logits.type.shape[axis]!;
    const t = eps > 0 ? add(e, mul(e, targets, like(e, 1 - eps, targets)), div(e, like(e, eps, targets), dimAsFloat(e, c, logits))) : targets;
    const l = unary(e, "Neg", reduce(e, "ReduceSum", mul(e, cast(e, t, logp.type.dtype), logp), [axis], false));
    return reduced(e, l, reduction);
  }
  const t = cast(e, targets, "int64");
  const valid = unary(e, "Not", binary(e, "Equal", t, e.ctx.scalar(attrNum(n, "ignore_index"), "int64"), "bool"));
  const safe = where(e, valid, t, e.ctx.scalar(0, "int64"));
  const index = unsqueeze(e, safe, [axis]);
  const picked = e.ctx.op("GatherElements", [logp, index], { shape: index.type.shape, dtype: logp.type.dtype }, { axis: { i: axis } });
  let l = unary(e, "Neg", squeeze(e, picked, [axis]));
  if (eps > 0) {
    const smooth = unary(e, "Neg", reduce(e, "ReduceMean", logp, [axis], false));
    l = add(e, mul(e, l, like(e, 1 - eps, l)), mul(e, smooth, like(e, eps, l)));
  }
  l = where(e, valid, l, like(e, 0, l));
  if (reduction !== "mean") return reduced(e, l, reduction);
  const count = reduce(e, "ReduceSum", cast(e, valid, l.type.dtype), null, false);
  return div(e, reduce(e, "ReduceSum", l, null, false), count);
};

/** A dim as a float scalar (a constant, or read at run time). */
function dimAsFloat(e: Emit, c: Dim, like0: V): V {
  const k = c.constValue();
  return k !== undefined ? like(e, k, like0) : cast(e, e.dims.scalar(c, [like0]), like0.type.dtype);
}

export const LOSS_LOWERINGS: Readonly<Record<string, Lowering>> = {
  cross_entropy: crossEntropy,
  binary_cross_entropy_with_logits: (e, n) => {
    // max(x, 0) - x·y + log(1 + exp(-|x|)), stable for large |x|.
    const x = input(n, 0), y = input(n, 1);
    const l = add(e, sub(e, unary(e, "Relu", x), mul(e, x, y)), unary(e, "Softplus", unary(e, "Neg", unary(e, "Abs", x))));
    return reduced(e, l, reductionOf(n));
  },
  kl_div: (e, n) => {
    // q·log q - q·log p, with 0·log 0 = 0 (PyTorch's xlogy).
    const logp = input(n, 0), q = input(n, 1), reduction = reductionOf(n);
    const zero = like(e, 0, q);
    const qlogq = where(e, binary(e, "Equal", q, zero, "bool"), zero, mul(e, q, unary(e, "Log", q)));
    const l = sub(e, qlogq, mul(e, q, logp));
    if (reduction !== "batchmean") return reduced(e, l, reduction);
    const total = reduce(e, "ReduceSum", l, null, false);
    return l.type.shape.length === 0 ? total : div(e, total, dimAsFloat(e, l.type.shape[0]!, l));
  },
  mse: (e, n) => {
    const d = sub(e, input(n, 0), input(n, 1));
    return reduced(e, mul(e, d, d), reductionOf(n));
  },
};
