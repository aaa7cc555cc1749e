// Typed builders for the ONNX ops lowerings compose: each computes its output type, so
// every intermediate value gets value_info, and hides opset differences (reduce axes
// became an input at opset 18).
import { Dim, broadcastShapes } from "../../../base/dims.js";
import type { DType, TensorType } from "../../../base/tensor.js";
import type { OpAttrs } from "../../../ops/op.js";
import { EmitContext, LoweringError, T, type V } from "../context.js";
import { ONNX_DTYPE, type Attr } from "../proto.js";
import type { RuntimeDims } from "../runtime-dims.js";

export interface Emit {
  readonly ctx: EmitContext;
  readonly dims: RuntimeDims;
  readonly opset: number;
}

/** One IR node as a lowering sees it. */
export interface LowerNode {
  readonly op: string;
  /** Tensor operands in op-parameter order; null where an optional one is absent. */
  readonly inputs: readonly (V | null)[];
  /** The IR output types (the lowering's results must match them). */
  readonly outputs: readonly TensorType[];
  readonly attrs: OpAttrs;
}

export type Lowering = (e: Emit, n: LowerNode) => V | readonly V[];

export function input(n: LowerNode, i: number): V {
  const v = n.inputs[i];
  if (!v) throw new LoweringError(`${n.op}: input ${i} is absent`);
  return v;
}

export function attrNum(n: LowerNode, name: string): number {
  const v = n.attrs[name];
  if (typeof v !== "number") throw new LoweringError(`${n.op}: attribute '${name}' is ${JSON.stringify(v)}, expected a number (symbolic values are not recorded)`);
  return v;
}

/** An Int attribute that may be symbolic (OpAttrs): a Dim either way. */
export function attrDim(n: LowerNode, name: string): Dim {
  const v = n.attrs[name];
  if (typeof v === "number") return Dim.const(v);
  if (v instanceof Dim) return v;
  throw new LoweringError(`${n.op}: attribute '${name}' is ${JSON.stringify(v)}, expected an Int`);
}

export function attrNums(n: LowerNode, name: string): number[] {
  const v = n.attrs[name];
  if (!Array.isArray(v)) throw new LoweringError(`${n.op}: attribute '${name}' is ${JSON.stringify(v)}, expected a list of numbers`);
  return [...v];
}

export function cast(e: Emit, x: V, dtype: DType): V {
  return x.type.dtype === dtype ? x : e.ctx.op("Cast", [x], T(x.type.shape, dtype), { to: { i: onnxType(dtype) } });
}

export const onnxType = (d: DType): number => ONNX_DTYPE[d];

export function unary(e: Emit, type: string, x: V, attrs: Readonly<Record<string, Attr>> = {}, dtype: DType = x.type.dtype): V {
  return e.ctx.op(type, [x], T(x.type.shape, dtype), attrs);
}

export function broadcast(a: TensorType["shape"], b: TensorType["shape"]): Dim[] {
  const r = broadcastShapes(a, b);
  if (!r.ok) throw new LoweringError(`shapes [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`);
  return [...r.shape];
}

/** An elementwise binary op; operands must already share a dtype. */
export function binary(e: Emit, type: string, a: V, b: V, dtype: DType = a.type.dtype): V {
  return e.ctx.op(type, [a, b], T(broadcast(a.type.shape, b.type.shape), dtype));
}

export const add = (e: Emit, a: V, b: V): V => binary(e, "Add", a, b);
export const sub = (e: Emit, a: V, b: V): V => binary(e, "Sub", a, b);
export const mul = (e: Emit, a: V, b: V): V => binary(e, "Mul", a, b);
export const div = (e: Emit, a: V, b: V): V => binary(e, "Div", a, b);

/** A scalar constant with x's dtype. */
export function like(e: Emit, value: number, x: V): V {
  return e.ctx.scalar(value, x.type.dtype);
}

export function where(e: Emit, cond: V, a: V, b: V): V {
  return e.ctx.op("Where", [cond, a, b], T(broadcast(cond.type.shape, broadcast(a.type.shape, b.type.shape)), a.type.dtype));
}

export function transpose(e: Emit, x: V, perm: readonly number[]): V {
  return e.ctx.op("Transpose", [x], T(perm.map((p) => x.type.shape[p]!), x.type.dtype), { perm: { ints: perm } });
}

/** Unsqueeze at output axes (non-negative). */
export function unsqueeze(e: Emit, x: V, axes: readonly number[]): V {
  const shape = [...x.type.shape];
  for (const a of [...axes].sort((p, q) => p - q)) shape.splice(a, 0, Dim.ONE);
  return e.ctx.op("Unsqueeze", [x, e.ctx.ints(axes)], T(shape, x.type.dtype));
}

export function squeeze(e: Emit, x: V, axes: readonly number[]): V {
  return e.ctx.op("Squeeze", [x, e.ctx.ints(axes)], T(x.type.shape.filter((_, i) => !axes.includes(i)), x.type.dtype));
}

/** Reshape to dims: a dim equal to x's at the same position is 0 (copy), a constant is
 *  itself, and one remaining symbolic dim is -1; only more than one is built at run time. */
export function reshape(e: Emit, x: V, dims: readonly Dim[]): V {
  const spec = dims.map((d, i) => d.constValue() ?? (i < x.type.shape.length && x.type.shape[i]!.equals(d) ? 0 : undefined));
  const open = spec.filter((s) => s === undefined).length;
  const target = open === 0 ? e.ctx.ints(spec as number[])
    : open === 1 && !spec.includes(-1) ? e.ctx.ints(spec.map((s) => s ?? -1))
    : e.dims.shape(dims, [x]);
  return e.ctx.op("Reshape", [x, target], T(dims, x.type.dtype));
}

/** A reduction over axes (all when null); the axes are an attribute before opset 18
 *  (ReduceSum: 13), an input after. */
export function reduce(e: Emit, type: string, x: V, axes: readonly number[] | null, keepdims: boolean, dtype: DType = x.type.dtype): V {
  const all = axes ?? x.type.shape.map((_, i) => i);
  const shape = x.type.shape.flatMap((d, i) => (!all.includes(i) ? [d] : keepdims ? [Dim.ONE] : []));
  const asInput = type === "ReduceSum" ? e.opset >= 13 : e.opset >= 18;
  const attrs: Record<string, Attr> = { keepdims: { i: keepdims ? 1 : 0 } };
  if (axes === null) return e.ctx.op(type, [x], T(shape, dtype), attrs);
  if (axes.length === 0) return e.ctx.op("Identity", [x], T(shape, dtype)); // ONNX reads no axes as all
  if (asInput) return e.ctx.op(type, [x, e.ctx.ints(axes)], T(shape, dtype), attrs);
  return e.ctx.op(type, [x], T(shape, dtype), { ...attrs, axes: { ints: axes } });
}

/** numpy matmul output shape. */
export function matmul(e: Emit, a: V, b: V): V {
  const as = a.type.shape, bs = b.type.shape;
  const am = as.length === 1 ? [Dim.ONE, as[0]!] : as, bm = bs.length === 1 ? [bs[0]!, Dim.ONE] : bs;
  const batch = broadcast(am.slice(0, -2), bm.slice(0, -2));
  const shape = [...batch, ...(as.length > 1 ? [am[am.length - 2]!] : []), ...(bs.length > 1 ? [bm[bm.length - 1]!] : [])];
  return e.ctx.op("MatMul", [a, b], T(shape, a.type.dtype));
}

/** Expand to dims: dims equal to x's (aligned right) become 1, so only new dims are
 *  read at run time. */
export function expand(e: Emit, x: V, dims: readonly Dim[], hints: readonly V[] = []): V {
  const off = dims.length - x.type.shape.length;
  const spec = dims.map((d, i) => (i >= off && x.type.shape[i - off]!.equals(d) ? Dim.ONE : d));
  if (spec.every((d, i) => d.equals(Dim.ONE) || (i >= off && x.type.shape[i - off]!.equals(d))) && off === 0) return x;
  return e.ctx.op("Expand", [x, e.dims.shape(spec, hints)], T(dims, x.type.dtype));
}

/** The lowest finite value of a float dtype (masking without NaN for fully masked rows). */
export function lowest(dtype: DType): number {
  return dtype === "float16" ? -65504 : dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38;
}
