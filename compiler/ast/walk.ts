// Syntactic queries over the AST.
import type { Expr, Stmt } from "./ast.js";

/** Every name an expression or statement list reads (not the names it assigns). */
export function namesRead(stmts: readonly Stmt[]): Set<string> {
  const out = new Set<string>();
  const expr = (e: Expr | undefined): void => { exprNames(e, out); };
  const stmt = (s: Stmt): void => {
    switch (s.kind) {
      case "LetStmt": case "Assign": case "Return": case "Output": case "Loss": expr(s.value); return;
      case "ExprStmt": expr(s.expr); return;
      case "If": expr(s.cond); s.then.forEach(stmt); s.else?.forEach(stmt); return;
      case "For": expr(s.iterable); s.body.forEach(stmt); return;
    }
  };
  stmts.forEach(stmt);
  return out;
}

/** Every name an expression reads, added to `out` (trees are at most MAX_TREE_DEPTH deep). */
export function exprNames(e: Expr | undefined, out: Set<string> = new Set()): Set<string> {
  const expr = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case "Name": out.add(e.name); return;
      case "Binary": expr(e.left); expr(e.right); return;
      case "Unary": expr(e.operand); return;
      case "IfExpr": expr(e.cond); expr(e.then); expr(e.else); return;
      case "Call": expr(e.callee); e.args.forEach((a) => expr(a.value)); return;
      case "Member": expr(e.object); return;
      case "Index": expr(e.object); e.indices.forEach(expr); return;
      case "Slice": expr(e.start); expr(e.stop); expr(e.step); return;
      case "List": e.items.forEach(expr); return;
      case "Tuple": e.items.forEach((a) => expr(a.value)); return;
      default: return;
    }
  };
  expr(e);
  return out;
}
