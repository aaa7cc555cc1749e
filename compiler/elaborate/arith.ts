// Compile-time arithmetic and comparison on values (Ints are exact Dims).
import type { BinaryOp, Span } from "../ast/ast.js";
import { Dim, DimDivisionByZeroError, DimOverflowError } from "../base/dims.js";
import { fail } from "../diagnostics/diagnostic.js";
import { formatValue, typeName, type Value } from "./values.js";

/** Runs Dim arithmetic, turning overflow and division by zero into diagnostics at `span`. */
export function dimOp<T extends Dim | undefined>(span: Span, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DimOverflowError) fail("MM3008", span, { value: e.limit === "2^53" ? `value ${e.value}` : e.value, limit: e.limit });
    if (e instanceof DimDivisionByZeroError) fail("MM3016", span);
    throw e;
  }
}

function num(v: Value, span: Span): number | undefined {
  if (v.k === "float") return v.v;
  if (v.k === "int") {
    const c = v.v.constValue();
    if (c === undefined) fail("MM3015", span, { what: "a Float operand", actual: `symbolic ${v.v.toString()}` });
    return c;
  }
  return undefined;
}

export function compileTimeBinary(op: BinaryOp, a: Value, b: Value, span: Span, leftSpan: Span, rightSpan: Span): Value {
  if (op === "&&" || op === "||") {
    if (a.k !== "bool") fail("MM3018", leftSpan, { what: `operand of ${op}`, expected: "Bool", actual: typeName(a) });
    if (b.k !== "bool") fail("MM3018", rightSpan, { what: `operand of ${op}`, expected: "Bool", actual: typeName(b) });
    return { k: "bool", v: op === "&&" ? a.v && b.v : a.v || b.v };
  }
  if (op === "==" || op === "!=") {
    const eq = valuesEqualForCompare(a, b);
    return { k: "bool", v: op === "==" ? eq : !eq };
  }
  if (a.k === "int" && b.k === "int") return intBinary(op, a.v, b.v, span, rightSpan);
  if (a.k === "string" && b.k === "string" && op === "+") return { k: "string", v: a.v + b.v };
  if (a.k === "list" && b.k === "list" && op === "+") return { k: "list", items: [...a.items, ...b.items] };
  const x = num(a, leftSpan);
  const y = num(b, rightSpan);
  if (x === undefined) fail("MM3018", leftSpan, { what: `left operand of ${op}`, expected: "a number", actual: typeName(a) });
  if (y === undefined) fail("MM3018", rightSpan, { what: `right operand of ${op}`, expected: "a number", actual: typeName(b) });
  switch (op) {
    case "+": return { k: "float", v: x + y };
    case "-": return { k: "float", v: x - y };
    case "*": return { k: "float", v: x * y };
    case "/": if (y === 0) fail("MM3016", span); return { k: "float", v: x / y };
    case "//": if (y === 0) fail("MM3016", span); return { k: "float", v: Math.floor(x / y) };
    case "%": if (y === 0) fail("MM3016", span); return { k: "float", v: x - Math.floor(x / y) * y };
    case "**": return { k: "float", v: x ** y };
    case "<": return { k: "bool", v: x < y };
    case "<=": return { k: "bool", v: x <= y };
    case ">": return { k: "bool", v: x > y };
    case ">=": return { k: "bool", v: x >= y };
    case "@": fail("MM3018", span, { what: "operands of @", expected: "tensors", actual: `${typeName(a)} and ${typeName(b)}` });
  }
}

function intBinary(op: BinaryOp, x: Dim, y: Dim, span: Span, rightSpan: Span): Value {
  const int = (f: () => Dim): Value => ({ k: "int", v: dimOp(span, f) });
  switch (op) {
    case "+": return int(() => x.add(y));
    case "-": return int(() => x.sub(y));
    case "*": return int(() => x.mul(y));
    case "//": return int(() => x.floorDiv(y));
    case "%": return int(() => x.mod(y));
    case "/": {
      if (y.isConst() && y.constValue() === 0) fail("MM3016", span);
      const q = dimOp(span, () => x.exactDiv(y));
      if (q === undefined) {
        const fx = x.constValue();
        const fy = y.constValue();
        const hint = fx !== undefined && fy !== undefined
          ? `${fx} / ${fy} = ${Number((fx / fy).toFixed(3))}; use \`//\` for floor division (${Math.floor(fx / fy)}) or values that divide`
          : "use `//` for floor division";
        fail("MM3009", span, { left: x.toString(), right: y.toString() }, { hint });
      }
      return { k: "int", v: q };
    }
    case "**": {
      const e = y.constValue();
      if (e === undefined) fail("MM3015", rightSpan, { what: "an exponent", actual: `symbolic ${y.toString()}` });
      if (e < 0) {
        const b = x.constValue();
        if (b === undefined) fail("MM3015", span, { what: "the base of a negative power", actual: x.toString() });
        return { k: "float", v: b ** e };
      }
      return int(() => x.pow(e));
    }
    case "<": case "<=": case ">": case ">=": {
      const a = x.constValue();
      const b = y.constValue();
      if (a === undefined || b === undefined) {
        fail("MM3015", span, { what: `comparison ${op}`, actual: `${x.toString()} ${op} ${y.toString()}` });
      }
      const v = op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
      return { k: "bool", v };
    }
    default: fail("MM3018", span, { what: `operator ${op}`, expected: "tensors", actual: "Ints" });
  }
}

function valuesEqualForCompare(a: Value, b: Value): boolean {
  if (a.k === "int" && b.k === "int") return a.v.equals(b.v);
  if ((a.k === "int" || a.k === "float") && (b.k === "int" || b.k === "float")) {
    const x = a.k === "int" ? a.v.constValue() : a.v;
    const y = b.k === "int" ? b.v.constValue() : b.v;
    return x !== undefined && x === y;
  }
  if (a.k === "none" || b.k === "none") return a.k === b.k;
  if (a.k !== b.k) return false;
  if (a.k === "enum" && b.k === "enum") return a.decl === b.decl && a.member === b.member;
  return formatValue(a) === formatValue(b);
}
