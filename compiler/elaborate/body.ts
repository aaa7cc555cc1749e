// Elaborates one block body: where constraints, lets, params, submodules, forward, route.
import type { BlockDecl, Expr, Span } from "../ast/ast.js";
import { exprNames } from "../ast/walk.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { FileScope } from "../resolve/scope.js";
import type { BoundArgs } from "./args.js";
import { Scope } from "./env.js";
import { evalExpr } from "./eval.js";
import type { Elaborator } from "./elaborate.js";
import type { Instance, ParamTensor } from "./instance.js";
import { elaborateParam } from "./items.js";
import { formatValue, PARAM_MARK, POISON, PoisonError, typeName, type Value } from "./values.js";


/** Items of a declaration that declare a name twice (MM2002): reported by the first instance,
 *  skipped by the others, so a name repeated 5,000 times in a block used 100 times is 5,000
 *  diagnostics, not 500,000 throws. */
const duplicates = new WeakMap<BlockDecl, WeakSet<object>>();

export function elaborateBody(
  elab: Elaborator, decl: BlockDecl, home: FileScope, bound: BoundArgs, name: string, path: string, callSpan: Span,
): Instance {
  const env = new Scope(bound.env);
  // A violated constraint makes the rest of the body meaningless (`image / patch` would fail
  // next): report the constraints, then give up on this instance quietly.
  const ok = decl.where.map((w) => checkWhere(elab, w, env, decl, callSpan, bound.overridden));
  if (!ok.every(Boolean)) throw new PoisonError();
  const params: ParamTensor[] = [];
  const children = new Map<string, Instance>();
  const lets = new Map<string, Value>();
  const absent: string[] = [];
  const seen = new Map<string, Span>(decl.params.map((p) => [p.name.name, p.name.span]));
  let forward: Instance["forward"];
  let route: Instance["route"];
  let current: BlockDecl["items"][number] | undefined;
  const declare = (n: string, span: Span): void => {
    const prev = seen.get(n);
    if (prev) {
      let d = duplicates.get(decl);
      if (!d) duplicates.set(decl, (d = new WeakSet()));
      d.add(current!);
      fail("MM2002", span, { name: n, place: `${decl.blockKind} ${decl.name.name}` }, {
        related: [{ span: prev, message: "first declared here" }], hint: "rename one of them",
      });
    }
    seen.set(n, span);
  };
  const dups = duplicates.get(decl);
  for (const item of decl.items) {
    if (dups?.has(item)) { // reported by an earlier instance: skipped as it failed there
      if (item.kind === "Let" || item.kind === "Submodule") env.define(item.name.name, POISON);
      continue;
    }
    current = item;
    switch (item.kind) {
      case "Let":
        if (elab.guard(() => {
          declare(item.name.name, item.name.span);
          const v = evalExpr(item.value, { env });
          env.define(item.name.name, v);
          lets.set(item.name.name, v);
          return true;
        }) === undefined) env.define(item.name.name, POISON);
        break;
      case "TensorParam":
        elab.guard(() => {
          // `param bias: [n] if bias` may share its name with the Bool argument it depends
          // on, as PyTorch's `Linear(bias=True)` does; in forward the name is the tensor.
          const c = item.condition;
          const namedByFlag = c?.kind === "Name" && c.name === item.name.name && bound.values.get(c.name)?.k === "bool";
          if (!namedByFlag) declare(item.name.name, item.name.span);
          if (c) {
            const cv = evalExpr(c, { env });
            if (cv.k !== "bool") fail("MM3015", c.span, { what: "a condition", actual: typeName(cv) });
            if (!cv.v) {
              env.define(item.name.name, { k: "none" });
              absent.push(item.name.name);
              return;
            }
          }
          env.define(item.name.name, PARAM_MARK); // params are tensors: only a forward can read them
          params.push(elaborateParam(item, env, path));
        });
        break;
      case "Submodule":
        // The name is bound after its call is evaluated: `LayerNorm = LayerNorm(width)` (as
        // Hugging Face names norms) calls the block, then names the submodule.
        if (elab.guard(() => {
          declare(item.name.name, item.name.span);
          const child = elab.submodule(item, env, path);
          if (child) {
            children.set(item.name.name, child);
            env.define(item.name.name, { k: "instance", inst: child });
          } else {
            env.define(item.name.name, { k: "none" });
            absent.push(item.name.name); // `none` in forward too
          }
          return true;
        }) === undefined) env.define(item.name.name, POISON);
        break;
      case "Forward":
        if (forward) elab.guard(() => fail("MM2002", item.span, { name: "forward", place: `${decl.blockKind} ${decl.name.name}` }, { related: [{ span: forward!.span, message: "first declared here" }] }));
        else forward = item;
        break;
      case "Route":
        route = item;
        break;
      default:
        break; // model items (input, task, stage) are read by model.ts
    }
  }
  const envMap = new Map<string, Value>(bound.values);
  for (const [k, v] of lets) envMap.set(k, v);
  return {
    path, name, kind: decl.blockKind, declName: decl.name.name, decl, scope: home,
    args: bound.values, explicitArgs: bound.explicit, env: envMap, params, children, absentParams: absent,
    ...(forward ? { forward } : {}), ...(route ? { route } : {}), span: callSpan,
  };
}

function checkWhere(elab: Elaborator, w: Expr, env: Scope, decl: BlockDecl, callSpan: Span, overridden?: ReadonlyMap<string, Span>): boolean {
  return elab.guard(() => {
    const v = evalExpr(w, { env });
    if (v.k !== "bool") fail("MM3015", w.span, { what: "a `where` constraint", actual: typeName(v) });
    if (v.v) return true;
    const constraint = elab.text(w.span);
    let detail = "it is false here";
    let hint: string | undefined;
    if (w.kind === "Binary") {
      const parts = [w.left, w.right].filter((x) => !isLiteral(x)).map((x) => `${elab.text(x.span)} = ${safeEval(x, env)}`);
      if (parts.length) detail = `here ${parts.join(" and ")}`;
      hint = divisibilityHint(elab, w, env);
    }
    // When a variant's override set a parameter the constraint reads, the override broke it.
    const by = overridden && [...exprNames(w)].find((n) => overridden.has(n));
    const at = by ? overridden.get(by)! : callSpan;
    const related = [{ span: w.span, message: "constraint declared here" }];
    if (by) related.push({ span: callSpan, message: `the ${decl.name.name} it overrides is instantiated here` });
    fail("MM3005", at, { constraint, callee: decl.name.name, detail }, { related, ...(hint ? { hint } : {}) });
  }) ?? false;
}

function isLiteral(e: Expr): boolean {
  return e.kind === "Int" || e.kind === "Float" || e.kind === "Bool" || e.kind === "String" || (e.kind === "Unary" && isLiteral(e.operand));
}

function safeEval(e: Expr, env: Scope): string {
  try {
    return formatValue(evalExpr(e, { env }));
  } catch {
    return "?";
  }
}

/** For `a % b == 0`: say what a and b are and the nearest values that work. */
function divisibilityHint(elab: Elaborator, w: Expr & { kind: "Binary" }, env: Scope): string | undefined {
  if (w.op !== "==" || w.left.kind !== "Binary" || w.left.op !== "%") return undefined;
  const a = evalExpr(w.left.left, { env });
  const b = evalExpr(w.left.right, { env });
  const x = a.k === "int" ? a.v.constValue() : undefined;
  const y = b.k === "int" ? b.v.constValue() : undefined;
  if (x === undefined || y === undefined || y === 0) return undefined;
  const an = elab.text(w.left.left.span);
  const bn = elab.text(w.left.right.span);
  const lo = Math.floor(x / y) * y;
  const hi = lo + y;
  const near = lo > 0 ? `${an}: ${lo} or ${hi}` : `${an}: ${hi}`;
  return `${an} = ${x} is not a multiple of ${bn} = ${y} (${x} / ${y} = ${(x / y).toFixed(2)}); nearest valid ${near}`;
}
