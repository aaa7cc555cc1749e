// Checks compile-time argument values against declared parameter types.
import type { Span, TypeExpr } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { Env } from "./env.js";
import { typeName, type Value } from "./values.js";

const KIND_TYPES: Readonly<Record<string, string | undefined>> = {
  Block: undefined, Tower: "tower", Fusion: "fusion", Experts: "experts", Loss: "loss", Head: "head",
};

export function formatType(t: TypeExpr): string {
  switch (t.kind) {
    case "NamedType": return t.name.name;
    case "ListType": return `[${formatType(t.element)}]`;
    case "TensorType": return "a tensor";
  }
}

/** Returns the value coerced to the type (Int → Float), or reports MM3001 / MM2008. */
function mismatch(t: TypeExpr, v: Value, argName: string, span: Span): never {
  return fail("MM3001", span, { name: argName, expected: formatType(t), actual: typeName(v) });
}

// Runs for every argument of every instantiation: no closure per call.
export function checkType(t: TypeExpr, v: Value, env: Env, argName: string, span: Span): Value {
  if (t.kind === "TensorType") fail("MM2008", t.span, { name: "tensor" }, { hint: "block parameters are compile-time values; tensors are forward inputs" });
  if (t.kind === "ListType") {
    if (v.k !== "list") return mismatch(t, v, argName, span);
    return { k: "list", items: v.items.map((x) => checkType(t.element, x, env, argName, span)) };
  }
  const n = t.name.name;
  switch (n) {
    case "Int":
      if (v.k !== "int") return mismatch(t, v, argName, span);
      if (!v.v.isConst()) fail("MM3015", span, { what: `argument '${argName}'`, actual: `symbolic ${v.v.toString()}` });
      return v;
    case "Float":
      if (v.k === "float") return v;
      if (v.k === "int" && v.v.isConst()) return { k: "float", v: v.v.constValue()! };
      return mismatch(t, v, argName, span);
    case "Bool": return v.k === "bool" ? v : mismatch(t, v, argName, span);
    case "String": return v.k === "string" ? v : mismatch(t, v, argName, span);
    default: break;
  }
  if (n in KIND_TYPES) {
    if (v.k !== "block") return mismatch(t, v, argName, span);
    const want = KIND_TYPES[n];
    if (want !== undefined && v.decl.blockKind !== want) {
      fail("MM3001", span, { name: argName, expected: `a ${want}`, actual: `${v.decl.blockKind} ${v.decl.name.name}` });
    }
    return v;
  }
  const ty = env.lookup(n);
  if (ty?.k === "enumType") {
    if (v.k === "enum" && v.decl === ty.decl) return v;
    return mismatch(t, v, argName, span);
  }
  fail("MM2008", t.name.span, { name: n });
}

export function checkTypeExists(t: TypeExpr, env: Env): void {
  if (t.kind === "ListType") return checkTypeExists(t.element, env);
  if (t.kind !== "NamedType") return;
  const n = t.name.name;
  if (["Int", "Float", "Bool", "String"].includes(n) || n in KIND_TYPES) return;
  if (env.lookup(n)?.k === "enumType") return;
  fail("MM2008", t.name.span, { name: n });
}
