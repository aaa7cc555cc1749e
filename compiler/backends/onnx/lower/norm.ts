// Normalization (compiler/ops/norm.ts). layer_norm is LayerNormalization (opset 17);
// rms_norm is RMSNormalization from opset 23 and its decomposition before. group_norm and
// cosine_similarity are decomposed in the IR (ir/passes/decompose.ts): GroupNormalization-18
// scaled per group, fixed only in opset 21.
import type { Dim } from "../../../base/dims.js";
import { T, type V } from "../context.js";
import { tensorProto } from "../proto.js";
import { add, attrNum, binary, div, input, like, mul, reduce, unary, type Emit, type Lowering } from "./build.js";

/** A [d] vector of a constant, for ONNX inputs mm leaves optional (scale, bias). */
function filledVector(e: Emit, d: Dim, value: number, x: V): V {
  const c = d.constValue();
  if (c !== undefined) return e.ctx.constant(new Array<number>(c).fill(value), x.type.dtype, [c]);
  return e.ctx.op("ConstantOfShape", [e.dims.shape([d], [x])], T([d], x.type.dtype), { value: { t: tensorProto("value", x.type.dtype, [1], [value]) } });
}

/** x * rsqrt(mean(x², axis) + eps), the RMS normalization without the scale. */
function rmsNormalize(e: Emit, x: V, axis: number, eps: number): V {
  const ms = reduce(e, "ReduceMean", mul(e, x, x), [axis], true);
  return mul(e, x, unary(e, "Reciprocal", unary(e, "Sqrt", add(e, ms, like(e, eps, x)))));
}

/** x / max(‖x‖_p, eps) along an axis. */
export function normalize(e: Emit, x: V, axis: number, p: number, eps: number): V {
  let norm: V;
  if (p === 2) norm = reduce(e, "ReduceL2", x, [axis], true);
  else if (p === 1) norm = reduce(e, "ReduceL1", x, [axis], true);
  else {
    const s = reduce(e, "ReduceSum", binary(e, "Pow", unary(e, "Abs", x), like(e, p, x)), [axis], true);
    norm = binary(e, "Pow", s, like(e, 1 / p, x));
  }
  return div(e, x, binary(e, "Max", norm, like(e, eps, x)));
}

export const NORM_LOWERINGS: Readonly<Record<string, Lowering>> = {
  layer_norm: (e, n) => {
    const x = input(n, 0), axis = attrNum(n, "axis");
    const scale = n.inputs[1] ?? filledVector(e, x.type.shape[axis]!, 1, x);
    return e.ctx.op("LayerNormalization", [x, scale, n.inputs[2] ?? null], x.type, { axis: { i: axis }, epsilon: { f: attrNum(n, "eps") } });
  },
  rms_norm: (e, n) => {
    const x = input(n, 0), axis = attrNum(n, "axis"), eps = attrNum(n, "eps"), w = n.inputs[1] ?? null;
    if (e.opset >= 23) {
      const scale = w ?? filledVector(e, x.type.shape[axis]!, 1, x);
      return e.ctx.op("RMSNormalization", [x, scale], x.type, { axis: { i: axis }, epsilon: { f: eps } });
    }
    const y = rmsNormalize(e, x, axis, eps);
    return w ? mul(e, y, w) : y;
  },
  batch_norm: (e, n) => {
    const x = input(n, 0), c = x.type.shape[1]!;
    const scale = n.inputs[1] ?? filledVector(e, c, 1, x), bias = n.inputs[2] ?? filledVector(e, c, 0, x);
    return e.ctx.op("BatchNormalization", [x, scale, bias, input(n, 3), input(n, 4)], x.type, { epsilon: { f: attrNum(n, "eps") } });
  },
  normalize: (e, n) => normalize(e, input(n, 0), attrNum(n, "axis"), attrNum(n, "p"), attrNum(n, "eps")),
};
