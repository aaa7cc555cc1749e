// Evaluates expressions. Compile-time values are computed here; anything that touches a
// tensor is handed to TensorHooks (the tracer), which exists only inside a forward.
import type { Arg, Expr, Span } from "../ast/ast.js";
import { Dim } from "../base/dims.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { compileTimeBinary, dimOp } from "./arith.js";
import { callBuiltin, isBuiltinFn } from "./builtins.js";
import type { Env } from "./env.js";
import type { Instance } from "./instance.js";
import { PoisonError, typeName, type BoundArg, type Value } from "./values.js";

export interface EvArg {
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly value: Value;
  readonly span: Span;
}

export type EvIndex =
  | { readonly k: "value"; readonly value: Value; readonly span: Span }
  | { readonly k: "slice"; readonly start?: Value; readonly stop?: Value; readonly step?: Value; readonly span: Span }
  | { readonly k: "ellipsis"; readonly span: Span };

export interface TensorHooks {
  /** `span` is the whole expression; `leftSpan` and `rightSpan` the operands, for the op's notes. */
  binary(op: Exclude<import("../ast/ast.js").BinaryOp, "&&" | "||">, a: Value, b: Value, span: Span, leftSpan?: Span, rightSpan?: Span): Value;
  negate(a: Value, span: Span): Value;
  callOp(name: string, args: readonly EvArg[], span: Span): Value;
  callInstance(inst: Instance, args: readonly EvArg[], span: Span): Value;
  callInstances(insts: readonly Instance[], args: readonly EvArg[], span: Span): Value;
  tensorMember(t: Value & { k: "tensor" }, name: string, span: Span): Value;
  tensorIndex(t: Value & { k: "tensor" }, indices: readonly EvIndex[], span: Span): Value;
  /** A submodule's parameter tensor, `attn.q.weight` from a parent forward. */
  instanceParam(inst: Instance, name: string, span: Span): Value | undefined;
}

export interface EvalCtx {
  readonly env: Env;
  readonly hooks?: TensorHooks;
}

export function evalExpr(e: Expr, ctx: EvalCtx): Value {
  switch (e.kind) {
    case "Int":
      if (!Number.isSafeInteger(e.value)) fail("MM3008", e.span, { value: `value ${e.text.replace(/_/g, "")}`, limit: "2^53" });
      return { k: "int", v: Dim.const(e.value) };
    case "Float": return { k: "float", v: e.value };
    case "String": return { k: "string", v: e.value };
    case "Bool": return { k: "bool", v: e.value };
    case "None": return { k: "none" };
    case "Ellipsis": fail("MM3018", e.span, { what: "`...`", expected: "a shape or an index", actual: "an expression" });
    case "Name": return lookupName(e.name, e.span, ctx);
    case "Unary": {
      const v = evalExpr(e.operand, ctx);
      if (e.op === "!") {
        if (v.k !== "bool") fail("MM3018", e.operand.span, { what: "operand of !", expected: "Bool", actual: typeName(v) });
        return { k: "bool", v: !v.v };
      }
      if (v.k === "int") return { k: "int", v: dimOp(e.span, () => v.v.neg()) };
      if (v.k === "float") return { k: "float", v: -v.v };
      if (v.k === "tensor" && ctx.hooks) return ctx.hooks.negate(v, e.span);
      fail("MM3018", e.operand.span, { what: "operand of unary -", expected: "a number or tensor", actual: typeName(v) });
    }
    case "Binary": {
      const a = evalExpr(e.left, ctx);
      if (e.op === "&&" && a.k === "bool" && !a.v) return a; // short-circuit, like every language users know
      if (e.op === "||" && a.k === "bool" && a.v) return a;
      const b = evalExpr(e.right, ctx);
      const noneTest = (e.op === "==" || e.op === "!=") && (a.k === "none" || b.k === "none");
      if ((a.k === "tensor" || b.k === "tensor") && e.op !== "&&" && e.op !== "||" && !noneTest) {
        if (!ctx.hooks) fail("MM3015", e.span, { what: "this expression", actual: "a tensor" });
        return ctx.hooks.binary(e.op, a, b, e.span, e.left.span, e.right.span);
      }
      return compileTimeBinary(e.op, a, b, e.span, e.left.span, e.right.span);
    }
    case "IfExpr": {
      const c = evalExpr(e.cond, ctx);
      if (c.k !== "bool") fail("MM3015", e.cond.span, { what: "a condition", actual: typeName(c) });
      return evalExpr(c.v ? e.then : e.else, ctx);
    }
    case "List": return { k: "list", items: e.items.map((x) => evalExpr(x, ctx)) };
    case "Tuple": {
      if (e.items.every((a) => a.name)) {
        return { k: "record", fields: new Map(e.items.map((a) => [a.name!.name, evalExpr(a.value, ctx)])) };
      }
      return { k: "tuple", items: e.items.map((a) => evalExpr(a.value, ctx)) };
    }
    case "Member": return evalMember(e.object, e.member.name, e.member.span, e.span, ctx);
    case "Index": return evalIndex(e, ctx);
    case "Slice": fail("MM3018", e.span, { what: "a slice", expected: "an index position", actual: "an expression" });
    case "Call": return evalCall(e.callee, e.args, e.span, ctx);
  }
}

function lookupName(name: string, span: Span, ctx: EvalCtx): Value {
  const v = ctx.env.lookup(name);
  if (v !== undefined) {
    if (v.k === "fn" && v.name === "__poison__") throw new PoisonError();
    if (v.k === "fn" && v.name === "__param__") fail("MM3015", span, { what: `'${name}'`, actual: "a parameter tensor (tensors exist only inside forward)" });
    return v;
  }
  fail("MM2001", span, { name }, hintFor(name, ctx.env.names()));
}

function hintFor(name: string, names: string[]): { hint?: string } {
  const h = didYouMean(name, new Set(names));
  return h ? { hint: h } : {};
}

export function evalArgs(args: readonly Arg[], ctx: EvalCtx): EvArg[] {
  const out: EvArg[] = [];
  for (const a of args) {
    const value = evalExpr(a.value, ctx);
    // Plain literals, not a conditional spread: this runs for every call of every forward.
    out.push(a.name ? { name: a.name.name, nameSpan: a.name.span, value, span: a.value.span } : { value, span: a.value.span });
  }
  return out;
}

function evalCall(calleeExpr: Expr, args: readonly Arg[], span: Span, ctx: EvalCtx): Value {
  const callee = evalExpr(calleeExpr, ctx);
  const evArgs = evalArgs(args, ctx);
  switch (callee.k) {
    case "op":
      if (ctx.hooks && evArgs.some((a) => containsTensor(a.value))) return ctx.hooks.callOp(callee.name, evArgs, span);
      if (isBuiltinFn(callee.name)) return callBuiltin(callee.name, evArgs, span);
      if (!ctx.hooks) fail("MM3015", span, { what: `op ${callee.name}`, actual: "a compile-time context (ops run inside forward)" });
      return ctx.hooks.callOp(callee.name, evArgs, span);
    case "fn": return callBuiltin(callee.name, evArgs, span);
    case "block": {
      if (ctx.hooks) {
        fail("MM3010", calleeExpr.span, { name: callee.decl.name.name, what: "a block", expected: "a submodule" }, {
          hint: `declare it in the body (\`my_${callee.decl.name.name.toLowerCase()} = ${callee.decl.name.name}(...)\`) and call the submodule`,
        });
      }
      return partialApply(callee, evArgs);
    }
    case "instance":
      if (!ctx.hooks) fail("MM3015", span, { what: "a submodule call", actual: "a compile-time context" });
      return ctx.hooks.callInstance(callee.inst, evArgs, span);
    case "instances":
      if (!ctx.hooks) fail("MM3015", span, { what: "a submodule call", actual: "a compile-time context" });
      return ctx.hooks.callInstances(callee.items, evArgs, span);
    default:
      fail("MM3010", calleeExpr.span, { name: exprText(calleeExpr), what: typeName(callee), expected: "callable" });
  }
}

function containsTensor(v: Value): boolean {
  return v.k === "tensor" || (v.k === "list" && v.items.some(containsTensor));
}

/** `MLP(act: Act.gelu)` in a compile-time position: a block value with arguments bound. */
function partialApply(b: Value & { k: "block" }, args: readonly EvArg[]): Value {
  const bound = new Map<string, BoundArg>(b.bound);
  const params = b.decl.params.filter((p) => !bound.has(p.name.name));
  let pos = 0;
  for (const a of args) {
    if (a.name !== undefined) {
      if (!b.decl.params.some((p) => p.name.name === a.name)) {
        fail("MM3003", a.nameSpan ?? a.span, { callee: b.decl.name.name, name: a.name },
          hintFor(a.name, b.decl.params.map((p) => p.name.name)));
      }
      if (bound.has(a.name)) fail("MM3011", a.nameSpan ?? a.span, { name: a.name });
      bound.set(a.name, { value: a.value, span: a.span });
    } else {
      const p = params[pos++];
      if (!p) fail("MM3004", a.span, { callee: b.decl.name.name, max: params.length, given: pos });
      bound.set(p.name.name, { value: a.value, span: a.span });
    }
  }
  return { ...b, bound };
}

function evalMember(objExpr: Expr, name: string, nameSpan: Span, span: Span, ctx: EvalCtx): Value {
  const obj = evalExpr(objExpr, ctx);
  switch (obj.k) {
    case "tensor":
      if (!ctx.hooks) fail("MM3015", span, { what: "a tensor member", actual: "a compile-time context" });
      return ctx.hooks.tensorMember(obj, name, span);
    case "instance": {
      const i = obj.inst;
      const child = i.children.get(name);
      if (child) return { k: "instance", inst: child };
      const v = i.env.get(name);
      if (v !== undefined) return v;
      if (ctx.hooks) {
        const p = ctx.hooks.instanceParam(i, name, span);
        if (p) return p;
      }
      fail("MM2001", nameSpan, { name: `${i.path || i.declName}.${name}` },
        hintFor(name, [...i.children.keys(), ...i.env.keys(), ...i.params.map((p) => p.name)]));
    }
    case "record": {
      const f = obj.fields.get(name);
      if (f === undefined) fail("MM2001", nameSpan, { name }, hintFor(name, [...obj.fields.keys()]));
      return f;
    }
    case "enumType": {
      if (!obj.decl.members.some((m) => m.name === name)) {
        fail("MM2001", nameSpan, { name: `${obj.decl.name.name}.${name}` }, hintFor(name, obj.decl.members.map((m) => m.name)));
      }
      return { k: "enum", decl: obj.decl, member: name };
    }
    case "list":
      if (name === "length") return { k: "int", v: Dim.const(obj.items.length) };
      break;
    case "instances":
      if (name === "length") return { k: "int", v: Dim.const(obj.items.length) };
      break;
    default:
      break;
  }
  fail("MM3018", nameSpan, { what: `member '${name}'`, expected: "a submodule, tensor, enum or named outputs", actual: typeName(obj) });
}

function evalIndex(e: Expr & { kind: "Index" }, ctx: EvalCtx): Value {
  const obj = evalExpr(e.object, ctx);
  const idx: EvIndex[] = e.indices.map((x) => {
    if (x.kind === "Ellipsis") return { k: "ellipsis", span: x.span };
    if (x.kind === "Slice") {
      return {
        k: "slice", span: x.span,
        ...(x.start ? { start: evalExpr(x.start, ctx) } : {}),
        ...(x.stop ? { stop: evalExpr(x.stop, ctx) } : {}),
        ...(x.step ? { step: evalExpr(x.step, ctx) } : {}),
      };
    }
    return { k: "value", value: evalExpr(x, ctx), span: x.span };
  });
  if (obj.k === "tensor") {
    if (!ctx.hooks) fail("MM3015", e.span, { what: "tensor indexing", actual: "a compile-time context" });
    return ctx.hooks.tensorIndex(obj, idx, e.span);
  }
  const items: readonly (Value | Instance)[] | undefined =
    obj.k === "list" ? obj.items : obj.k === "instances" ? obj.items
      : obj.k === "instance" && obj.inst.kind === "stack" ? [...obj.inst.children.values()] : undefined;
  if (!items || idx.length !== 1) {
    fail("MM3018", e.span, { what: "indexing", expected: "a list, repeat stack or tensor", actual: typeName(obj) });
  }
  const i0 = idx[0]!;
  const wrap = (x: Value | Instance): Value => ("k" in x ? x : { k: "instance", inst: x });
  if (i0.k === "value") {
    const n = constIndex(i0.value, i0.span, items.length);
    return wrap(items[n]!);
  }
  if (i0.k === "slice") {
    const start = i0.start ? sliceBound(i0.start, i0.span, items.length) : 0;
    const stop = i0.stop ? sliceBound(i0.stop, i0.span, items.length) : items.length;
    const picked = items.slice(start, stop);
    if (obj.k === "list") return { k: "list", items: picked as Value[] };
    return { k: "instances", items: picked.map((x) => ("k" in x ? (x as never) : x)) as Instance[] };
  }
  fail("MM3018", e.span, { what: "`...`", expected: "a tensor index", actual: typeName(obj) });
}

function constIndex(v: Value, span: Span, length: number): number {
  const n = v.k === "int" ? v.v.constValue() : undefined;
  if (n === undefined) fail("MM3015", span, { what: "an index", actual: typeName(v) });
  const i = n < 0 ? length + n : n;
  if (i < 0 || i >= length) fail("MM4013", span, { index: n, dim: length });
  return i;
}

function sliceBound(v: Value, span: Span, length: number): number {
  const n = v.k === "int" ? v.v.constValue() : undefined;
  if (n === undefined) fail("MM3015", span, { what: "a slice bound", actual: typeName(v) });
  return Math.min(length, Math.max(0, n < 0 ? length + n : n));
}

export function exprText(e: Expr): string {
  switch (e.kind) {
    case "Name": return e.name;
    case "Member": return `${exprText(e.object)}.${e.member.name}`;
    default: return "expression";
  }
}

export { isBuiltinFn };
