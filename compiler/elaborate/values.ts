// Compile-time values. Ints are Dims so that symbolic runtime dims (B, T) flow through
// the same arithmetic as concrete ones; a concrete Int is a constant Dim.
import type { BlockDecl, EnumDecl, Span } from "../ast/ast.js";
import { Dim } from "../base/dims.js";
import type { DType } from "../base/tensor.js";
import type { TensorRef } from "../ir/ir.js";
import type { Instance } from "./instance.js";
import type { FileScope } from "../resolve/scope.js";

export type Value =
  | { readonly k: "int"; readonly v: Dim }
  | { readonly k: "float"; readonly v: number }
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "string"; readonly v: string }
  | { readonly k: "enum"; readonly decl: EnumDecl; readonly member: string }
  | { readonly k: "enumType"; readonly decl: EnumDecl }
  | { readonly k: "dtype"; readonly v: DType }
  | { readonly k: "list"; readonly items: readonly Value[] }
  | { readonly k: "none" }
  /** A block constructor, possibly with some arguments already bound. */
  | { readonly k: "block"; readonly decl: BlockDecl; readonly scope: FileScope; readonly bound: ReadonlyMap<string, BoundArg> }
  /** A submodule (or a slice of a repeat stack, as a list of instances). */
  | { readonly k: "instance"; readonly inst: Instance }
  | { readonly k: "instances"; readonly items: readonly Instance[] }
  | { readonly k: "op"; readonly name: string }
  | { readonly k: "fn"; readonly name: string }
  /** A tensor; a routed experts call's result also carries its router's tensors by name
   *  (`moe(x).router_logits`), read as members. */
  | { readonly k: "tensor"; readonly t: TensorRef; readonly results?: ReadonlyMap<string, Value> }
  /** Named outputs of a call: `vit(x).cls`. */
  | { readonly k: "record"; readonly fields: ReadonlyMap<string, Value> }
  | { readonly k: "tuple"; readonly items: readonly Value[] };

export interface BoundArg {
  readonly value: Value;
  readonly span: Span;
}

export const NONE: Value = { k: "none" };
export const int = (n: number | Dim): Value => ({ k: "int", v: typeof n === "number" ? Dim.const(n) : n });
export const bool = (b: boolean): Value => ({ k: "bool", v: b });

export function typeName(v: Value): string {
  switch (v.k) {
    case "int": return v.v.isConst() ? "Int" : "Int (symbolic)";
    case "float": return "Float";
    case "bool": return "Bool";
    case "string": return "String";
    case "enum": return v.decl.name.name;
    case "enumType": return `enum ${v.decl.name.name}`;
    case "dtype": return "dtype";
    case "list": return v.items.length > 0 ? `[${typeName(v.items[0]!)}]` : "[]";
    case "none": return "none";
    case "block": return `block ${v.decl.name.name}`;
    case "instance": return `submodule ${v.inst.path || v.inst.declName}`;
    case "instances": return "a list of submodules";
    case "op": return `op ${v.name}`;
    case "fn": return `function ${v.name}`;
    case "tensor": return "a tensor";
    case "record": return "named outputs";
    case "tuple": return "a tuple";
  }
}

export function formatValue(v: Value): string {
  switch (v.k) {
    case "int": return v.v.toString();
    case "float": return formatFloat(v.v);
    case "bool": return String(v.v);
    case "string": return JSON.stringify(v.v);
    case "enum": return `${v.decl.name.name}.${v.member}`;
    case "enumType": return v.decl.name.name;
    case "dtype": return v.v;
    case "list": return `[${v.items.map(formatValue).join(", ")}]`;
    case "none": return "none";
    case "block": {
      const args = [...v.bound].map(([k, a]) => `${k}: ${formatValue(a.value)}`);
      return args.length ? `${v.decl.name.name}(${args.join(", ")})` : v.decl.name.name;
    }
    default: return typeName(v);
  }
}

export function formatFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toFixed(1);
  return String(x);
}

/** Structural equality of compile-time values (used by diff and by variant checks). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "int": return a.v.equals((b as typeof a).v);
    case "list": {
      const bl = b as typeof a;
      return a.items.length === bl.items.length && a.items.every((x, i) => valueEquals(x, bl.items[i]!));
    }
    default: return formatValue(a) === formatValue(b);
  }
}

/** Marks a name whose declaration failed: reading it is silent, so one error does not cascade. */
export const POISON: Value = { k: "fn", name: "__poison__" };
/** Marks a parameter tensor in a compile-time scope: only a forward can read it. */
export const PARAM_MARK: Value = { k: "fn", name: "__param__" };
export class PoisonError extends Error {
  constructor() {
    // Thrown by the thousand on hostile input and never printed: no stack to capture.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super("poisoned");
    Error.stackTraceLimit = limit;
  }
}
