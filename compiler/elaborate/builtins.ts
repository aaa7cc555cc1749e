// Compile-time functions: arithmetic helpers usable in parameters, lets and shapes.
import { activeLimits, raiseHint } from "../base/limits.js";
import type { Span } from "../ast/ast.js";
import { Dim } from "../base/dims.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { EvArg } from "./eval.js";
import { typeName, type Value } from "./values.js";

const FNS = ["min", "max", "int", "float", "sqrt", "abs", "len", "range", "round", "ceil", "floor", "log", "exp"] as const;
export type BuiltinFn = (typeof FNS)[number];

export function isBuiltinFn(name: string): name is BuiltinFn {
  return (FNS as readonly string[]).includes(name);
}

export const BUILTIN_FN_DOCS: Readonly<Record<BuiltinFn, string>> = {
  min: "min(a, b, ...): the smallest Int or Float (tensors: the `min` reduction op)",
  max: "max(a, b, ...): the largest Int or Float (tensors: the `max` reduction op)",
  int: "int(x): a Float that is a whole number, as an Int (an error otherwise)",
  float: "float(x): an Int as a Float",
  sqrt: "sqrt(x): square root, a Float (tensors: the `sqrt` op)",
  abs: "abs(x): absolute value (tensors: the `abs` op)",
  len: "len(list): the length of a list or repeat stack",
  range: "range(n) or range(a, b): Ints a..b-1, for `for` loops",
  round: "round(x): the nearest Int",
  ceil: "ceil(x): the smallest Int not below x",
  floor: "floor(x): the largest Int not above x",
  log: "log(x): natural logarithm (tensors: the `log` op)",
  exp: "exp(x): e to the x (tensors: the `exp` op)",
};

function numArg(a: EvArg | undefined, fn: string, span: Span): number {
  if (!a) fail("MM3002", span, { name: "x", callee: fn });
  const v = a.value;
  if (v.k === "float") return v.v;
  if (v.k === "int") {
    const c = v.v.constValue();
    if (c === undefined) fail("MM3015", a.span, { what: `the argument of ${fn}`, actual: `symbolic ${v.v.toString()}` });
    return c;
  }
  fail("MM3018", a.span, { what: `argument of ${fn}`, expected: "Int or Float", actual: typeName(v) });
}

const toInt = (n: number, span: Span): Value => {
  if (!Number.isSafeInteger(n)) fail("MM3008", span, { value: `value ${n}`, limit: "2^53" });
  return { k: "int", v: Dim.const(n) };
};

export function callBuiltin(name: string, args: readonly EvArg[], span: Span): Value {
  switch (name) {
    case "min": case "max": {
      if (args.length === 0) fail("MM3002", span, { name: "a", callee: name });
      const allInt = args.every((a) => a.value.k === "int");
      const xs = args.map((a) => numArg(a, name, span));
      const r = name === "min" ? Math.min(...xs) : Math.max(...xs);
      return allInt ? toInt(r, span) : { k: "float", v: r };
    }
    case "int": {
      const x = numArg(args[0], name, span);
      if (!Number.isInteger(x)) fail("MM3018", args[0]!.span, { what: "int(x)", expected: "a whole number", actual: String(x) }, { hint: "use round(x), floor(x) or ceil(x)" });
      return toInt(x, span);
    }
    case "float": return { k: "float", v: numArg(args[0], name, span) };
    case "sqrt": return { k: "float", v: Math.sqrt(numArg(args[0], name, span)) };
    case "log": return { k: "float", v: Math.log(numArg(args[0], name, span)) };
    case "exp": return { k: "float", v: Math.exp(numArg(args[0], name, span)) };
    case "abs": {
      const a = args[0];
      if (a?.value.k === "int") return { k: "int", v: Dim.const(Math.abs(numArg(a, name, span))) };
      return { k: "float", v: Math.abs(numArg(a, name, span)) };
    }
    case "round": return toInt(Math.round(numArg(args[0], name, span)), span);
    case "ceil": return toInt(Math.ceil(numArg(args[0], name, span)), span);
    case "floor": return toInt(Math.floor(numArg(args[0], name, span)), span);
    case "len": {
      const v = args[0]?.value;
      if (v?.k === "list") return toInt(v.items.length, span);
      if (v?.k === "instances") return toInt(v.items.length, span);
      if (v?.k === "instance" && v.inst.kind === "stack") return toInt(v.inst.children.size, span);
      fail("MM3018", args[0]?.span ?? span, { what: "len", expected: "a list or repeat stack", actual: v ? typeName(v) : "nothing" });
    }
    case "range": {
      const a = args.length >= 2 ? numArg(args[0], name, span) : 0;
      const b = numArg(args.length >= 2 ? args[1] : args[0], name, span);
      for (const [v, arg] of [[a, args.length >= 2 ? args[0] : undefined], [b, args.length >= 2 ? args[1] : args[0]]] as const) {
        if (!Number.isInteger(v)) fail("MM3018", arg?.span ?? span, { what: "an argument of range", expected: "an Int", actual: `the Float ${v}` });
      }
      const limit = activeLimits().items;
      if (b - a > limit) {
        fail("MM7003", span, { what: `range(${args.length >= 2 ? `${a}, ` : ""}${b})`, count: (b - a).toLocaleString("en-US"), limit: limit.toLocaleString("en-US") }, { hint: raiseHint("items") });
      }
      const items: Value[] = [];
      for (let i = a; i < b; i++) items.push({ k: "int", v: Dim.const(i) });
      return { k: "list", items };
    }
    default:
      fail("MM2001", span, { name });
  }
}
