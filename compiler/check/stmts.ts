// Executes forward statements symbolically. Control flow is compile-time: `if` takes one
// branch, `for` unrolls over a stack, a list or a range.
import type { Span, Stmt } from "../ast/ast.js";
import { DiagnosticError, fail } from "../diagnostics/diagnostic.js";
import { withContext } from "../diagnostics/context.js";
import { Scope } from "../elaborate/env.js";
import { evalExpr, type EvalCtx } from "../elaborate/eval.js";
import type { Instance } from "../elaborate/instance.js";
import { evalPattern, formatPattern, rankOf } from "./call.js";
import { POISON, PoisonError, typeName, type Value } from "../elaborate/values.js";
import { Dim } from "../base/dims.js";
import { unifyShape } from "./unify.js";
import type { Frame } from "./frame.js";
import { formatTensorType } from "../base/tensor.js";

export interface BodyState {
  readonly isModel: boolean;
  readonly namedOutputs: ReadonlySet<string>;
  readonly assigned: Map<string, { value: Value; span: Span }>;
  returned?: { value: Value; span: Span };
  /** Model forward only: `output` and `loss` statements, in order. */
  readonly modelOutputs: Map<string, { value: Value; span: Span }>;
  readonly modelLosses: Map<string, { value: Value; span: Span }>;
  /** Set when a statement failed: the results are not to be trusted, nor re-reported. */
  failed?: boolean;
  /** Outputs and losses (`""`: the return value) whose statement failed; made on first use. */
  poisoned?: Set<string>;
}

/** Runs statements; a failing statement is reported, the names it defines are poisoned and
 *  the rest still run, so independent shape errors are all reported in one run. */
export function execStmts(stmts: readonly Stmt[], scope: Scope, frame: Frame, st: BodyState): void {
  for (const s of stmts) {
    if (st.returned) return;
    // At the cap of errors per run (DiagnosticBag), tracing stops: a file with thousands of
    // mistakes is not traced (and suggested for) to the end only for its errors to be dropped.
    if (frame.tracer.bag.full) {
      st.failed = true;
      return;
    }
    try {
      execStmt(s, scope, frame, st);
    } catch (e) {
      if (e instanceof DiagnosticError) frame.tracer.bag.add(withContext(e.diagnostic, [...frame.tracer.links].reverse(), "called", frame.scope));
      else if (!(e instanceof PoisonError)) throw e;
      st.failed = true;
      for (const n of definedNames(s)) {
        if (s.kind === "Assign" && !scope.has(n)) continue;
        if (s.kind === "Assign") scope.assign(n, POISON);
        else scope.define(n, POISON);
      }
      if (s.kind === "Return" || s.kind === "Output" || s.kind === "Loss") (st.poisoned ??= new Set()).add(s.kind === "Return" ? "" : s.name.name);
    }
  }
}

function definedNames(s: Stmt): string[] {
  if (s.kind === "LetStmt") return s.names.map((n) => n.name);
  if (s.kind === "Assign") return [s.name.name];
  return [];
}

function ctxOf(scope: Scope, frame: Frame): EvalCtx {
  return { env: scope, hooks: frame };
}

function record(frame: Frame, role: "local" | "output" | "loss", name: string, v: Value): void {
  if (v.k !== "tensor") return;
  frame.tracer.record(frame.scope, role, name, v.t.type);
  frame.tracer.graph.nameLocal(v.t.id, frame.scope, name);
}

function execStmt(s: Stmt, scope: Scope, frame: Frame, st: BodyState): void {
  const ctx = ctxOf(scope, frame);
  switch (s.kind) {
    case "LetStmt": {
      const v = evalExpr(s.value, ctx);
      if (s.destructure) {
        const items = v.k === "tuple" || v.k === "list" ? v.items : v.k === "record" ? [...v.fields.values()] : undefined;
        if (!items || items.length !== s.names.length) {
          fail("MM3018", s.value.span, { what: "destructuring", expected: `${s.names.length} values`, actual: items ? `${items.length} values` : typeName(v) });
        }
        s.names.forEach((n, i) => define(scope, n.name, n.span, items[i]!, frame));
        return;
      }
      const n = s.names[0]!;
      if (s.type?.kind === "TensorType") checkAnnotation(s.type, v, s.value.span, frame, `'${n.name}'`);
      define(scope, n.name, n.span, v, frame);
      return;
    }
    case "Assign": {
      const v = evalExpr(s.value, ctx);
      const n = s.name.name;
      if (st.namedOutputs.has(n)) {
        // A named output is also readable (and reassignable) in the rest of the body.
        st.assigned.set(n, { value: v, span: s.span });
        if (!scope.assign(n, v)) scope.define(n, v);
        record(frame, "output", n, v);
        return;
      }
      if (!scope.assign(n, v)) fail("MM2001", s.name.span, { name: n }, { hint: `declare it first: \`let ${n} = ...\`` });
      record(frame, "local", n, v);
      return;
    }
    case "Return":
      st.returned = { value: evalExpr(s.value, ctx), span: s.value.span };
      return;
    case "Output":
    case "Loss": {
      const what = s.kind === "Output" ? "output" : "loss";
      if (!st.isModel) fail("MM1005", s.span, { item: `an \`${what}\` statement`, place: `the forward of a ${frame.inst.kind} (use return or named outputs)` });
      const v = evalExpr(s.value, ctx);
      if (v.k !== "tensor") fail("MM3018", s.value.span, { what: `${what} '${s.name.name}'`, expected: "a tensor", actual: typeName(v) });
      if (s.kind === "Output" && s.type) checkAnnotation(s.type, v, s.value.span, frame, `output '${s.name.name}'`);
      const map = s.kind === "Output" ? st.modelOutputs : st.modelLosses;
      const prev = map.get(s.name.name);
      if (prev) fail("MM2002", s.name.span, { name: s.name.name, place: `the ${what}s of this model` }, { related: [{ span: prev.span, message: "first declared here" }] });
      map.set(s.name.name, { value: v, span: s.span });
      record(frame, s.kind === "Output" ? "output" : "loss", s.name.name, v);
      return;
    }
    case "If": {
      const c = evalExpr(s.cond, ctx);
      if (c.k !== "bool") fail("MM3015", s.cond.span, { what: "an `if` condition", actual: typeName(c) }, { hint: "conditions are compile-time: compare arguments, or `input != none` for optional inputs" });
      const branch = c.v ? s.then : s.else;
      if (branch) execStmts(branch, new Scope(scope), frame, st);
      return;
    }
    case "For": {
      const it = evalExpr(s.iterable, ctx);
      const items: Value[] =
        it.k === "list" ? [...it.items]
          : it.k === "instances" ? it.items.map((inst) => ({ k: "instance", inst }))
            : it.k === "instance" && it.inst.kind === "stack" ? [...it.inst.children.values()].map((inst: Instance) => ({ k: "instance", inst }))
              : fail("MM3018", s.iterable.span, { what: "a for loop", expected: "a repeat stack, list or range", actual: typeName(it) });
      items.forEach((item, i) => {
        const body = new Scope(scope);
        body.define(s.item.name, item);
        if (s.index) body.define(s.index.name, { k: "int", v: Dim.const(i) });
        execStmts(s.body, body, frame, st);
      });
      return;
    }
    case "ExprStmt":
      evalExpr(s.expr, ctx);
      return;
  }
}

function define(scope: Scope, name: string, span: Span, v: Value, frame: Frame): void {
  if (scope.hasOwn(name)) fail("MM2002", span, { name, place: "this forward" }, { hint: `reassign with \`${name} = ...\`` });
  scope.define(name, v);
  record(frame, "local", name, v);
}

function checkAnnotation(t: import("../ast/ast.js").TensorType, v: Value, span: Span, frame: Frame, what: string): void {
  if (v.k !== "tensor") fail("MM3018", span, { what, expected: "a tensor", actual: typeName(v) });
  const dims = new Map(frame.dims);
  const pattern = evalPattern(t, frame.inst);
  const r = unifyShape(pattern, v.t.type.shape, dims);
  if (!r.ok && r.reason === "rank") {
    fail("MM4008", span, { what, expected: rankOf(pattern), actual: v.t.type.shape.length, shape: formatTensorType(v.t.type) }, { related: [{ span: t.span, message: "annotated here" }] });
  }
  if (!r.ok) {
    fail("MM4001", span, { what, expected: formatPattern(pattern, dims), actual: formatTensorType(v.t.type) }, { related: [{ span: t.span, message: "annotated here" }] });
  }
}
