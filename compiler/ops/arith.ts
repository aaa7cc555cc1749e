// Elementwise arithmetic, comparisons and logic, all with numpy broadcasting.
// The checker maps `+ - * / **` and comparisons on tensors to these ops and lifts a scalar
// operand to a 0-d tensor with `scalarOperand` (compiler/ops/util.ts).
import { isFloatDType, type DType } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpDef } from "./op.js";
import { T, broadcast, broadcastTo, needBool, promote, result, tensorParam } from "./util.js";

const BROADCAST_RULE = "a, b → broadcast(a, b)";

function binary(name: string, doc: string, dtype: (a: DType, b: DType) => DType = promote): OpDef {
  return {
    name, category: "arith", doc, shapeRule: BROADCAST_RULE,
    params: [tensorParam("a"), tensorParam("b")],
    infer(args) {
      const a = args.tensor("a"), b = args.tensor("b");
      return result(T(broadcast(args, "a", a.shape, "b", b.shape), dtype(a.dtype, b.dtype)));
    },
  };
}

/** True division: two integer operands give float32, as in PyTorch. */
const trueDiv = (a: DType, b: DType): DType => {
  const p = promote(a, b);
  return isFloatDType(p) ? p : "float32";
};

function compare(name: string, doc: string): OpDef {
  return { ...binary(name, doc, () => "bool"), shapeRule: `${BROADCAST_RULE}, bool` };
}

function logical(name: string, doc: string): OpDef {
  return {
    ...binary(name, doc), shapeRule: `${BROADCAST_RULE}; bool inputs, bool output`,
    infer(args) {
      const a = args.tensor("a"), b = args.tensor("b");
      needBool(args, "a", a, `${name} left operand`);
      needBool(args, "b", b, `${name} right operand`);
      return result(T(broadcast(args, "a", a.shape, "b", b.shape), "bool"));
    },
  };
}

type UnaryKind = "same" | "float" | "signed";
/** "float" ops (exp, log, ...) give float32 for integer inputs; "signed" ones reject bool. */
function unary(name: string, doc: string, kind: UnaryKind): OpDef {
  return {
    name, category: "arith", doc,
    shapeRule: kind === "float" ? "x → x (integer inputs give float32)" : "x → x",
    params: [tensorParam("x")],
    infer(args) {
      const x = args.tensor("x");
      if (kind === "signed" && x.dtype === "bool")
        fail("MM4010", args.span("x"), { what: `${name} input`, expected: "a numeric dtype", actual: "bool" }, { hint: "use logical_not for bool tensors" });
      const dtype = kind === "float" && !isFloatDType(x.dtype) ? "float32" : x.dtype;
      return result(T(x.shape, dtype));
    },
  };
}

export const ARITH_OPS: readonly OpDef[] = [
  binary("add", "a + b elementwise."),
  binary("sub", "a - b elementwise."),
  binary("mul", "a * b elementwise."),
  binary("div", "a / b elementwise (true division: integer inputs give float32).", trueDiv),
  binary("pow", "a ** b elementwise."),
  binary("maximum", "Elementwise maximum of a and b."),
  binary("minimum", "Elementwise minimum of a and b."),
  compare("eq", "a == b elementwise, as a bool mask."),
  compare("ne", "a != b elementwise, as a bool mask."),
  compare("lt", "a < b elementwise, as a bool mask."),
  compare("le", "a <= b elementwise, as a bool mask."),
  compare("gt", "a > b elementwise, as a bool mask."),
  compare("ge", "a >= b elementwise, as a bool mask."),
  logical("logical_and", "a && b on bool masks."),
  logical("logical_or", "a || b on bool masks."),
  {
    name: "logical_not", category: "arith", doc: "!x on a bool mask.", shapeRule: "x → x, bool",
    params: [tensorParam("x")],
    infer(args) {
      const x = args.tensor("x");
      needBool(args, "x", x, "logical_not input");
      return result(x);
    },
  },
  {
    name: "where", category: "arith", doc: "Picks a where cond is true, else b.",
    shapeRule: "cond, a, b → broadcast(cond, a, b); cond is bool",
    params: [tensorParam("cond"), tensorParam("a"), tensorParam("b")],
    infer(args) {
      const c = args.tensor("cond"), a = args.tensor("a"), b = args.tensor("b");
      needBool(args, "cond", c, "where condition");
      const ab = broadcast(args, "a", a.shape, "b", b.shape);
      return result(T(broadcast(args, "cond", ab, "cond", c.shape), promote(a.dtype, b.dtype)));
    },
  },
  unary("neg", "-x elementwise.", "signed"),
  unary("abs", "|x| elementwise.", "signed"),
  unary("exp", "e ** x elementwise.", "float"),
  unary("log", "Natural logarithm elementwise.", "float"),
  unary("sqrt", "Square root elementwise.", "float"),
  unary("rsqrt", "1 / sqrt(x) elementwise.", "float"),
  unary("sin", "Sine elementwise.", "float"),
  unary("cos", "Cosine elementwise.", "float"),
  unary("erf", "The Gauss error function elementwise.", "float"),
  {
    name: "cast", category: "arith", doc: "Converts x to another dtype.", shapeRule: "x → x, with the given dtype",
    params: [tensorParam("x"), { name: "dtype", kind: "dtype" }],
    infer(args) {
      const x = args.tensor("x");
      const dtype = args.dtype("dtype");
      return result(T(x.shape, dtype), { dtype });
    },
  },
  {
    name: "clamp", category: "arith", doc: "Limits x to [min, max]; either bound may be omitted, not both.",
    shapeRule: "x → x",
    params: [tensorParam("x"), { name: "min", kind: "float?" }, { name: "max", kind: "float?" }],
    infer(args) {
      const x = args.tensor("x");
      const lo = args.optFloat("min"), hi = args.optFloat("max");
      if (lo === undefined && hi === undefined)
        fail("MM3018", args.callSpan, { what: "clamp", expected: "a min or a max", actual: "neither" });
      if (lo !== undefined && hi !== undefined && lo > hi)
        fail("MM3018", args.span("max"), { what: "'max'", expected: `a value >= min (${lo})`, actual: hi });
      return result(x, { min: lo ?? null, max: hi ?? null });
    },
  },
  {
    name: "masked_fill", category: "arith", doc: "Sets x to value where mask is true.",
    shapeRule: "x, mask → x; mask is bool and broadcasts to x",
    params: [tensorParam("x"), tensorParam("mask"), { name: "value", kind: "float" }],
    infer(args) {
      const x = args.tensor("x"), mask = args.tensor("mask");
      needBool(args, "mask", mask, "masked_fill mask");
      broadcastTo(args, "mask", mask.shape, x.shape);
      const value = args.float("value");
      return result(x, { value });
    },
  },
];
