// Elementwise arithmetic, comparisons and logic (compiler/ops/arith.ts). ONNX wants equal
// operand dtypes where mm promotes (int64 + float32 → float32), so operands are cast to
// the result dtype, or to the promoted dtype for comparisons.
import type { DType } from "../../../base/tensor.js";
import { promote } from "../../../ops/util.js";
import type { V } from "../context.js";
import { binary, cast, input, like, unary, where, type Lowering, type LowerNode } from "./build.js";

const out = (n: LowerNode): DType => n.outputs[0]!.dtype;

function arithmetic(type: string): Lowering {
  return (e, n) => binary(e, type, cast(e, input(n, 0), out(n)), cast(e, input(n, 1), out(n)));
}

/** Comparisons in the promoted dtype; ONNX orders no bools, so those compare as int32. */
function compare(type: string, negate = false): Lowering {
  return (e, n) => {
    const a = input(n, 0), b = input(n, 1);
    let t = promote(a.type.dtype, b.type.dtype);
    if (t === "bool" && type !== "Equal") t = "int32";
    const r = binary(e, type, cast(e, a, t), cast(e, b, t), "bool");
    return negate ? unary(e, "Not", r) : r;
  };
}

/** exp, log, ...: integer inputs compute in the float result dtype. */
function floatUnary(type: string): Lowering {
  return (e, n) => unary(e, type, cast(e, input(n, 0), out(n)));
}

export const ARITH_LOWERINGS: Readonly<Record<string, Lowering>> = {
  add: arithmetic("Add"),
  sub: arithmetic("Sub"),
  mul: arithmetic("Mul"),
  div: arithmetic("Div"),
  pow: arithmetic("Pow"),
  maximum: arithmetic("Max"),
  minimum: arithmetic("Min"),
  eq: compare("Equal"),
  ne: compare("Equal", true),
  lt: compare("Less"),
  le: compare("LessOrEqual"),
  gt: compare("Greater"),
  ge: compare("GreaterOrEqual"),
  logical_and: (e, n) => binary(e, "And", input(n, 0), input(n, 1)),
  logical_or: (e, n) => binary(e, "Or", input(n, 0), input(n, 1)),
  logical_not: (e, n) => unary(e, "Not", input(n, 0)),
  where: (e, n) => where(e, input(n, 0), cast(e, input(n, 1), out(n)), cast(e, input(n, 2), out(n))),
  neg: (e, n) => unary(e, "Neg", input(n, 0)),
  abs: (e, n) => unary(e, "Abs", input(n, 0)),
  exp: floatUnary("Exp"),
  log: floatUnary("Log"),
  sqrt: floatUnary("Sqrt"),
  rsqrt: (e, n) => unary(e, "Reciprocal", unary(e, "Sqrt", cast(e, input(n, 0), out(n)))),
  sin: floatUnary("Sin"),
  cos: floatUnary("Cos"),
  erf: floatUnary("Erf"),
  cast: (e, n) => {
    const x = input(n, 0);
    return x.type.dtype === out(n) ? unary(e, "Identity", x) : cast(e, x, out(n));
  },
  clamp: (e, n) => {
    const x = input(n, 0);
    const bound = (k: string): V | null => (typeof n.attrs[k] === "number" ? like(e, n.attrs[k] as number, x) : null);
    return e.ctx.op("Clip", [x, bound("min"), bound("max")], x.type);
  },
  masked_fill: (e, n) => {
    const x = input(n, 0);
    return where(e, input(n, 1), like(e, n.attrs.value as number, x), x);
  },
};
