// Loss functions. With reduction "mean" or "sum" they return a scalar [].
import type { Dim } from "../base/dims.js";
import { formatShape, isFloatDType, type TensorType } from "../base/tensor.js";
import type { OpArgs, OpDef, OpParam } from "./op.js";
import { T, choice, floatIn, needDType, needFloat, needInt, needRank, needShape, normAxis, result, tensorParam } from "./util.js";

const REDUCTIONS = ["mean", "sum", "none"] as const;
const reductionParam = (dflt = "mean"): OpParam => ({ name: "reduction", kind: "string", default: dflt, doc: "\"mean\", \"sum\" or \"none\"" });

function reduced(x: TensorType, shape: readonly Dim[], reduction: string): TensorType {
  return T(reduction === "none" ? shape : [], x.dtype);
}

/** Two same-shaped float operands: broadcasting in a loss is almost always a bug. */
function pair(name: string, doc: string, pa: string, pb: string, decomposition: string, reductions: readonly string[] = REDUCTIONS): OpDef {
  return {
    name, category: "loss", doc, decomposition,
    shapeRule: `${pa} [d...], ${pb} [d...] → [] (or [d...] with reduction: "none")`,
    params: [tensorParam(pa), tensorParam(pb), reductionParam(reductions[0])],
    infer(args) {
      const a = args.tensor(pa), b = args.tensor(pb);
      needFloat(args, pa, a, `${name} ${pa}`);
      needFloat(args, pb, b, `${name} ${pb}`);
      needDType(args, pb, b, a.dtype, `${name} ${pb}`);
      needShape(args, pb, `${name} ${pb}`, a.shape, b.shape, "both sides of a loss need the same shape; reshape or index explicitly");
      const reduction = choice(args, "reduction", reductions);
      return result(reduced(a, a.shape, reduction), { reduction });
    },
  };
}

/** The class axis: given, else 1 (PyTorch's [N, C, d...]) or 0 for [C]. */
function classAxis(args: OpArgs, logits: TensorType): number {
  const given = args.optInt("axis");
  if (given === undefined) return logits.shape.length >= 2 ? 1 : 0;
  return normAxis(args, "axis", logits.shape.length, args.num("axis"));
}

export const LOSS_OPS: readonly OpDef[] = [
  {
    name: "cross_entropy", category: "loss",
    doc: "Softmax cross-entropy of logits against int64 class ids (or float class probabilities of the logits' shape).",
    shapeRule: "logits [N, C, d...] (classes at axis, default 1), targets [N, d...] int64 → [] (or [N, d...] with reduction: \"none\")",
    decomposition: "-sum(smoothed one_hot(targets) * log_softmax(logits, axis), axis), averaged over targets != ignore_index",
    params: [
      tensorParam("logits"), tensorParam("targets"),
      { name: "axis", kind: "int?", doc: "the class axis; 1 when absent (0 for 1-D logits)" },
      { name: "ignore_index", kind: "int", default: -100 },
      reductionParam(),
      { name: "label_smoothing", kind: "float", default: 0 },
    ],
    infer(args) {
      const logits = args.tensor("logits"), targets = args.tensor("targets");
      needRank(args, "logits", logits, "cross_entropy logits", 1, Infinity);
      needFloat(args, "logits", logits, "cross_entropy logits");
      const axis = classAxis(args, logits);
      const expected = logits.shape.filter((_, i) => i !== axis);
      if (isFloatDType(targets.dtype)) {
        needShape(args, "targets", "cross_entropy soft targets", logits.shape, targets.shape, "float targets are class probabilities with the logits' shape; class ids are int64");
      } else {
        needInt(args, "targets", targets, "cross_entropy targets");
        const last = logits.shape.length - 1;
        const lm = axis === 1 && last >= 2 && targets.shape.length === last && logits.shape.slice(0, -1).every((d, i) => d.equals(targets.shape[i]!));
        needShape(args, "targets", `cross_entropy targets for logits ${formatShape(logits.shape)} (classes at axis ${axis})`, expected, targets.shape,
          lm ? "the classes look like the last dim: pass axis: -1" : undefined);
      }
      const reduction = choice(args, "reduction", REDUCTIONS);
      const smoothing = floatIn(args, "label_smoothing", 0, 1);
      const ignore = args.num("ignore_index");
      return result(reduced(logits, expected, reduction), { axis, ignore_index: ignore, reduction, label_smoothing: smoothing });
    },
  },
  pair("binary_cross_entropy_with_logits", "Sigmoid binary cross-entropy of logits x against targets y in [0, 1].", "x", "y",
    "max(x, 0) - x * y + log(1 + exp(-abs(x)))"),
  pair("kl_div", "KL divergence KL(q || p) from log-probabilities log_p and probabilities q (\"batchmean\" divides by the batch size).", "log_p", "q",
    "q * (log(q) - log_p), reduced", ["batchmean", "mean", "sum", "none"]),
  pair("mse", "Mean squared error between a and b.", "a", "b", "(a - b) ** 2, reduced"),
];
