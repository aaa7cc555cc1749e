// Normalization layers and vector normalization.
import { Dim } from "../base/dims.js";
import type { TensorType } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpArgs, OpDef } from "./op.js";
import { T, broadcast, needDType, needFloat, needRank, needShape, normAxis, result, tensorParam } from "./util.js";

/** An affine or statistics vector must be exactly [c] with the input's dtype. */
function vectorOf(args: OpArgs, param: string, what: string, c: Dim, x: TensorType): void {
  const t = args.optTensor(param);
  if (!t) return;
  needShape(args, param, what, [c], t.shape);
  needDType(args, param, t, x.dtype, what);
}

function eps(args: OpArgs): number {
  const e = args.float("eps");
  if (!(e > 0)) fail("MM3018", args.span("eps"), { what: "'eps'", expected: "a positive number", actual: e });
  return e;
}

const EPS = (v: number): { name: string; kind: "float"; default: number } => ({ name: "eps", kind: "float", default: v });

export const NORM_OPS: readonly OpDef[] = [
  {
    name: "layer_norm", category: "norm", doc: "Normalizes over the last dim, then scales and shifts.",
    shapeRule: "[..., d], weight [d]?, bias [d]? → [..., d]",
    decomposition: "m = mean(x, [-1], keepdim: true); v = mean((x - m) ** 2, [-1], keepdim: true); (x - m) * rsqrt(v + eps) * weight + bias",
    params: [tensorParam("x"), { name: "weight", kind: "tensor?" }, { name: "bias", kind: "tensor?" }, EPS(1e-5)],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, "layer_norm input", 1, Infinity);
      needFloat(args, "x", x, "layer_norm input");
      const d = x.shape[x.shape.length - 1]!;
      vectorOf(args, "weight", "layer_norm weight", d, x);
      vectorOf(args, "bias", "layer_norm bias", d, x);
      return result(x, { eps: eps(args), axis: x.shape.length - 1 });
    },
  },
  {
    name: "rms_norm", category: "norm", doc: "Scales by the reciprocal root mean square over the last dim (no centering).",
    shapeRule: "[..., d], weight [d]? → [..., d]",
    decomposition: "x * rsqrt(mean(x ** 2, [-1], keepdim: true) + eps) * weight",
    params: [tensorParam("x"), { name: "weight", kind: "tensor?" }, EPS(1e-6)],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, "rms_norm input", 1, Infinity);
      needFloat(args, "x", x, "rms_norm input");
      vectorOf(args, "weight", "rms_norm weight", x.shape[x.shape.length - 1]!, x);
      return result(x, { eps: eps(args), axis: x.shape.length - 1 });
    },
  },
  {
    name: "batch_norm", category: "norm", doc: "Normalizes with running statistics, per channel (axis 1); inference form.",
    shapeRule: "[N, C, ...], weight/bias/mean/var [C] → [N, C, ...]",
    decomposition: "(x - mean) * rsqrt(var + eps) * weight + bias, each [C] broadcast along axis 1",
    params: [tensorParam("x"), { name: "weight", kind: "tensor?" }, { name: "bias", kind: "tensor?" }, tensorParam("mean"), tensorParam("var"), EPS(1e-5)],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, "batch_norm input", 2, Infinity, "batch_norm takes [N, C, ...] with channels at axis 1");
      needFloat(args, "x", x, "batch_norm input");
      const c = x.shape[1]!;
      for (const p of ["weight", "bias", "mean", "var"]) vectorOf(args, p, `batch_norm ${p}`, c, x);
      return result(x, { eps: eps(args) });
    },
  },
  {
    name: "group_norm", category: "norm", doc: "Normalizes over groups of channels (axis 1) and the spatial dims.",
    shapeRule: "[N, C, ...], groups divides C, weight/bias [C]? → [N, C, ...]",
    params: [tensorParam("x"), { name: "groups", kind: "int" }, { name: "weight", kind: "tensor?" }, { name: "bias", kind: "tensor?" }, EPS(1e-5)],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, "group_norm input", 2, Infinity, "group_norm takes [N, C, ...] with channels at axis 1");
      needFloat(args, "x", x, "group_norm input");
      const g = args.num("groups");
      const c = x.shape[1]!;
      if (g <= 0 || c.exactDiv(g) === undefined)
        fail("MM3018", args.span("groups"), { what: "'groups'", expected: `a divisor of the ${c} channels`, actual: g });
      vectorOf(args, "weight", "group_norm weight", c, x);
      vectorOf(args, "bias", "group_norm bias", c, x);
      return result(x, { groups: g, eps: eps(args) });
    },
  },
  {
    name: "normalize", category: "norm", doc: "Divides by the p-norm along an axis (unit vectors for p = 2).",
    shapeRule: "x → x (float)",
    decomposition: "x / maximum(sum(abs(x) ** p, [axis], keepdim: true) ** (1 / p), eps)",
    params: [tensorParam("x"), { name: "axis", kind: "int", default: -1 }, { name: "p", kind: "float", default: 2 }, EPS(1e-12)],
    infer(args) {
      const x = args.tensor("x");
      needFloat(args, "x", x, "normalize input");
      const axis = normAxis(args, "axis", x.shape.length);
      const p = args.float("p");
      if (!(p > 0)) fail("MM3018", args.span("p"), { what: "'p'", expected: "a positive number", actual: p });
      return result(x, { axis, p, eps: eps(args) });
    },
  },
  {
    name: "cosine_similarity", category: "norm", doc: "Cosine of the angle between a and b along an axis.",
    shapeRule: "a, b → broadcast(a, b) without axis",
    decomposition: "sum(normalize(a, axis) * normalize(b, axis), [axis])",
    params: [tensorParam("a"), tensorParam("b"), { name: "axis", kind: "int", default: -1 }, EPS(1e-8)],
    infer(args) {
      const a = args.tensor("a"), b = args.tensor("b");
      needFloat(args, "a", a, "cosine_similarity operand");
      needDType(args, "b", b, a.dtype, "cosine_similarity operand");
      const shape = broadcast(args, "a", a.shape, "b", b.shape);
      const axis = normAxis(args, "axis", shape.length);
      return result(T(shape.filter((_, i) => i !== axis), a.dtype), { axis, eps: eps(args) });
    },
  },
];
