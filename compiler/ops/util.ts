// Shared checks for op shape rules: each reports the right diagnostic at the span of the
// offending argument, so the op files read as the rules themselves.
import { Dim, broadcastShapes } from "../base/dims.js";
import { formatShape, isFloatDType, type DType, type Shape, type TensorType } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpArgs, OpAttrs, OpParam, OpResult } from "./op.js";

export const T = (shape: Shape, dtype: DType): TensorType => ({ shape, dtype });

export function result(outputs: TensorType | readonly TensorType[], attrs: OpAttrs = {}): OpResult {
  return { outputs: "shape" in outputs ? [outputs] : outputs, attrs };
}

export const tensorParam = (name: string, doc?: string): OpParam => ({ name, kind: "tensor", ...(doc ? { doc } : {}) });

/** Makes an axis non-negative; `insert` allows the position after the last axis (unsqueeze). MM4009. */
export function normAxis(args: OpArgs, param: string, rank: number, value: number = args.num(param), insert = false): number {
  const r = insert ? rank + 1 : rank;
  if (!Number.isInteger(value) || value < -r || value >= r) fail("MM4009", args.span(param), { axis: value, rank });
  return value < 0 ? value + r : value;
}

/** MM4008 unless min <= rank <= max. */
export function needRank(args: OpArgs, param: string, t: TensorType, what: string, min: number, max: number = min, hint?: string): void {
  const r = t.shape.length;
  if (r >= min && r <= max) return;
  const expected = min === max ? String(min) : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  fail("MM4008", args.span(param), { what, expected, actual: r, shape: formatShape(t.shape) }, hint ? { hint } : {});
}

export function needFloat(args: OpArgs, param: string, t: TensorType, what: string): void {
  if (!isFloatDType(t.dtype)) fail("MM4010", args.span(param), { what, expected: "a float dtype", actual: t.dtype }, { hint: `cast it first: cast(x, float32)` });
}

export const isIntDType = (d: DType): boolean => d === "int64" || d === "int32" || d === "int8" || d === "uint8";

export function needInt(args: OpArgs, param: string, t: TensorType, what: string, hint?: string): void {
  if (!isIntDType(t.dtype)) fail("MM4010", args.span(param), { what, expected: "an integer dtype (int64)", actual: t.dtype }, hint ? { hint } : {});
}

export function needBool(args: OpArgs, param: string, t: TensorType, what: string): void {
  if (t.dtype !== "bool") fail("MM4010", args.span(param), { what, expected: "bool", actual: t.dtype }, { hint: "compare to make a mask: x > 0, or cast(x, bool)" });
}

export function needDType(args: OpArgs, param: string, t: TensorType, dtype: DType, what: string): void {
  if (t.dtype !== dtype) fail("MM4010", args.span(param), { what, expected: dtype, actual: t.dtype }, { hint: `cast one side: cast(x, ${dtype})` });
}

/** MM4001 unless the two shapes are equal. */
export function needShape(args: OpArgs, param: string, what: string, expected: Shape, actual: Shape, hint?: string): void {
  if (expected.length === actual.length && expected.every((d, i) => d.equals(actual[i]!))) return;
  fail("MM4001", args.span(param), { what, expected: formatShape(expected), actual: formatShape(actual) }, hint ? { hint } : {});
}

const BROADCAST_HINT = "transpose or reshape one side so that dims align from the right";

/** Numpy broadcasting of two arguments; MM4003 at the second one. */
export function broadcast(args: OpArgs, pa: string, a: Shape, pb: string, b: Shape): Shape {
  const r = broadcastShapes(a, b);
  if (r.ok) return r.shape;
  fail("MM4003", args.span(pb), { left: formatShape(a), right: formatShape(b), a: a[r.ia]!.toString(), b: b[r.ib]!.toString() }, {
    hint: BROADCAST_HINT,
    related: pa === pb ? [] : [{ span: args.span(pa), message: `this has shape ${formatShape(a)}` }],
  });
}

/** `from` must broadcast to exactly `to` (masks, expand); MM4003. */
export function broadcastTo(args: OpArgs, param: string, from: Shape, to: Shape, hint: string = BROADCAST_HINT): void {
  const bad = (ia: number, ib: number): never =>
    fail("MM4003", args.span(param), { left: formatShape(from), right: formatShape(to), a: from[ia]?.toString() ?? "none", b: to[ib]?.toString() ?? "none" }, { hint });
  if (from.length > to.length) bad(0, -1);
  const off = to.length - from.length;
  from.forEach((d, i) => {
    if (!d.equals(1) && !d.equals(to[i + off]!)) bad(i, i + off);
  });
}

const FLOAT_RANK: Partial<Record<DType, number>> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };
const INT_RANK: Partial<Record<DType, number>> = { bool: 0, uint8: 1, int8: 1, int32: 2, int64: 3 };

/** PyTorch-style type promotion: float beats int beats bool; the wider of two floats or ints. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const fa = FLOAT_RANK[a], fb = FLOAT_RANK[b];
  if (fa !== undefined && fb !== undefined) return fa === fb ? "float32" : fa > fb ? a : b;
  if (fa !== undefined) return a;
  if (fb !== undefined) return b;
  const ia = INT_RANK[a]!, ib = INT_RANK[b]!;
  if (ia === ib) return "int32"; // int8 with uint8: no common 8-bit type
  return ia > ib ? a : b;
}

/** The type a checker gives a scalar literal combined with a tensor: it adopts the tensor's
 *  dtype (a weak type, as in PyTorch), except a float scalar with an int tensor is float32. */
export function scalarOperand(value: number, other: TensorType): TensorType {
  if (isFloatDType(other.dtype)) return T([], other.dtype);
  if (!Number.isInteger(value)) return T([], "float32");
  return T([], other.dtype === "bool" ? "int64" : other.dtype);
}

/** A compile-time dim that must be a positive integer when constant; MM3017. */
export function needPositive(args: OpArgs, param: string, d: Dim): void {
  const v = d.constValue();
  if (v !== undefined && v <= 0) fail("MM3017", args.span(param), { value: v });
}

/** Every entry must be a constant; MM3015. */
export function constInts(args: OpArgs, param: string, dims: readonly Dim[] = args.ints(param)): number[] {
  return dims.map((d) => {
    const v = d.constValue();
    if (v === undefined) fail("MM3015", args.span(param), { what: `'${param}'`, actual: d.toString() });
    return v;
  });
}

/** A per-spatial-dim attribute: one Int for all, or exactly n; each >= min. MM3018. */
export function spatialInts(args: OpArgs, param: string, n: number, min: number): number[] {
  const vs = constInts(args, param);
  if (vs.length !== 1 && vs.length !== n)
    fail("MM3018", args.span(param), { what: `'${param}'`, expected: `1 or ${n} values`, actual: `${vs.length} values` });
  const bad = vs.find((v) => v < min);
  if (bad !== undefined) fail("MM3018", args.span(param), { what: `'${param}'`, expected: `integers >= ${min}`, actual: bad });
  return vs.length === n ? vs : Array.from({ length: n }, () => vs[0]!);
}

/** A string attribute from a fixed set; MM3018. */
export function choice<S extends string>(args: OpArgs, param: string, allowed: readonly S[]): S {
  const v = args.string(param);
  if (!(allowed as readonly string[]).includes(v))
    fail("MM3018", args.span(param), { what: `'${param}'`, expected: allowed.map((a) => `"${a}"`).join(" or "), actual: `"${v}"` });
  return v as S;
}

/** A float attribute within [lo, hi] (or [lo, hi) when hiOpen); MM3018. */
export function floatIn(args: OpArgs, param: string, lo: number, hi: number, hiOpen = false, value = args.float(param)): number {
  if (!(value >= lo && (hiOpen ? value < hi : value <= hi)))
    fail("MM3018", args.span(param), { what: `'${param}'`, expected: `a value in [${lo}, ${hi}${hiOpen ? ")" : "]"}`, actual: value });
  return value;
}

/** Axes of a reduction: all when absent; normalized, sorted, no duplicates. */
export function reduceAxes(args: OpArgs, param: string, rank: number): number[] {
  const given = args.optInts(param);
  if (given === undefined) return Array.from({ length: rank }, (_, i) => i);
  const axes = constInts(args, param, given).map((a) => normAxis(args, param, rank, a));
  if (new Set(axes).size !== axes.length) fail("MM3018", args.span(param), { what: `'${param}'`, expected: "distinct axes", actual: `[${axes.join(", ")}]` });
  return [...axes].sort((a, b) => a - b);
}

/** An Int attribute: its number when constant, else the Dim itself (see OpAttrs). */
export function dimAttr(d: Dim): number | Dim {
  return d.constValue() ?? d;
}

/** The dims of a shape when all are constant (for backend attrs), else null. */
export function constShape(shape: Shape): number[] | null {
  const vs = shape.map((d) => d.constValue());
  return vs.every((v): v is number => v !== undefined) ? vs : null;
}

export const ONE = Dim.ONE;
