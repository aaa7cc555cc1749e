// Normalization (compiler/ops/norm.ts). layer_norm is LayerNormalization (opset 17);
// rms_norm is RMSNormalization from opset 23 and its decomposition before; group_norm is
// always decomposed (GroupNormalization-18 scaled per group, fixed only in opset 21).
import { Dim, numel } from "../../../base/dims.js";
import { LoweringError, T, type V } from "../context.js";
import { tensorProto } from "../proto.js";
import { add, attrNum, binary, div, input, like, mul, reduce, reshape, sub, unary, type Emit, type Lowering } from "./build.js";

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

/** (x - mean) * rsqrt(var + eps) over one axis. */
function standardize(e: Emit, x: V, axis: number, eps: number): V {
  const centered = sub(e, x, reduce(e, "ReduceMean", x, [axis], true));
  return rmsNormalize(e, centered, axis, eps);
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
  group_norm: (e, n) => {
    const x = input(n, 0), g = attrNum(n, "groups"), eps = attrNum(n, "eps");
    const [batch, c] = [x.type.shape[0]!, x.type.shape[1]!];
    const per = numel(x.type.shape.slice(1)).exactDiv(g);
    if (!per) throw new LoweringError(`group_norm: ${g} groups do not divide the channels`);
    const grouped = reshape(e, x, [batch, Dim.const(g), per]);
    const y = e.ctx.op("Reshape", [standardize(e, grouped, 2, eps), e.dims.full(x)], x.type);
    const lift = (v: V): V => reshape(e, v, [c, ...x.type.shape.slice(2).map(() => Dim.ONE)]);
    const scaled = n.inputs[1] ? mul(e, y, lift(n.inputs[1])) : y;
    return n.inputs[2] ? add(e, scaled, lift(n.inputs[2])) : scaled;
  },
  normalize: (e, n) => normalize(e, input(n, 0), attrNum(n, "axis"), attrNum(n, "p"), attrNum(n, "eps")),
  cosine_similarity: (e, n) => {
    // The axis indexes the broadcast shape; counted from the end it indexes both operands.
    const a = input(n, 0), b = input(n, 1), eps = attrNum(n, "eps");
    const rank = Math.max(a.type.shape.length, b.type.shape.length);
    const axis = attrNum(n, "axis") - rank;
    if (-axis > Math.min(a.type.shape.length, b.type.shape.length)) throw new LoweringError("cosine_similarity: an operand lacks the reduced axis");
    const prod = mul(e, normalize(e, a, a.type.shape.length + axis, 2, eps), normalize(e, b, b.type.shape.length + axis, 2, eps));
    return reduce(e, "ReduceSum", prod, [rank + axis], false);
  },
};
