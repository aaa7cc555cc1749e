// CST → AST for expressions and types, the base of AstBuilder (ast-builder.ts). CST access
// (and what happens to a node that error recovery left incomplete) is in cst.ts.
import type { CstNode, IToken } from "chevrotain";
import type * as A from "../compiler/ast/ast.js";
import type { Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { hasRecovery, Missing, node, nodes, optNode, optTok, rangeOf, tok, toks, type Ctx } from "./cst.js";
import { bracketType, foldBinary, numberLit, stringValue, type BracketMode } from "./syntax.js";

export class ExprBuilder {
  readonly diagnostics: Diagnostic[] = [];

  /** `clean`: the parse reported no error, so recovery touched nothing (a faster range). */
  constructor(readonly file: string, readonly text: string, private readonly clean = false) {}

  /** Whether recovery skipped or invented tokens in `n`, not counting nested statements. */
  protected recovered(n: CstNode): boolean {
    return !this.clean && hasRecovery(n);
  }

  // ------------------------------------------------------------ spans

  /** Source range of a CST node from its first to its last real token; null if it has none. */
  protected range(n: CstNode): readonly [number, number] | null {
    if (this.clean) {
      // Without recovery, chevrotain's node offsets are exact (end inclusive); NaN: no token.
      const loc = n.location;
      if (loc !== undefined) return Number.isNaN(loc.startOffset) ? null : [loc.startOffset, loc.endOffset! + 1];
    }
    return rangeOf(n);
  }

  protected span(start: number, end: number): A.Span {
    // `| 0`: chevrotain's node offsets start as NaN, so V8 holds them as boxed doubles; one
    // such value stored here would make every span's offsets boxed doubles too (3 heap
    // objects a span instead of 1, and a tenth of check time in young-generation GC).
    return { file: this.file, start: start | 0, end: end | 0 };
  }
  protected nodeSpan(n: CstNode): A.Span {
    const r = this.range(n);
    if (r === null) throw new Missing(n.name);
    return this.span(r[0], r[1]);
  }
  protected tokSpan(t: IToken): A.Span {
    return this.span(t.startOffset, t.startOffset + t.image.length);
  }
  /** From the start of `a` to the end of `b`. */
  protected join(a: A.Span, b: A.Span): A.Span {
    return this.span(Math.min(a.start, b.start), Math.max(a.end, b.end));
  }
  protected ident(t: IToken): A.Ident {
    return { kind: "Ident", name: t.image, span: this.tokSpan(t) };
  }

  // ------------------------------------------------------------ types

  type(n: CstNode, mode: BracketMode): A.TypeExpr {
    const name = optTok(n.children, "Name");
    if (name !== undefined) return { kind: "NamedType", name: this.ident(name), span: this.tokSpan(name) };
    return this.bracketType(node(n.children, "tensorType"), mode);
  }

  tensorType(n: CstNode): A.TensorType {
    const dims = nodes(n.children, "item").map((d) => this.expr(d));
    const dtype = optTok(n.children, "dtype");
    return { kind: "TensorType", dims, ...(dtype ? { dtype: this.ident(dtype) } : {}), span: this.nodeSpan(n) };
  }

  bracketType(n: CstNode, mode: BracketMode): A.TypeExpr {
    return bracketType(this.tensorType(n), mode);
  }

  // ------------------------------------------------------------ expressions

  expr(n: CstNode): A.Expr {
    const c = n.children;
    const ifExpr = optNode(c, "ifExpr");
    if (ifExpr !== undefined) {
      const ic = ifExpr.children;
      return {
        kind: "IfExpr", cond: this.expr(node(ic, "cond")), then: this.expr(node(ic, "then")),
        else: this.expr(node(ic, "else")), span: this.nodeSpan(ifExpr),
      };
    }
    const operands = nodes(c, "operand");
    const first = operands[0];
    if (first === undefined) throw new Missing("operand");
    if (operands.length === 1 && this.clean) return this.unary(first); // most expressions
    const ops = toks(c, "op");
    if (operands.length !== ops.length + 1) throw new Missing("operand");
    return foldBinary(operands.map((o) => [this.unary(o), this.nodeSpan(o)]), ops.map((t) => ({ op: t.image, span: this.tokSpan(t) })));
  }

  /** Prefix operators (innermost last) around `base ** exponent`. */
  private unary(n: CstNode): A.Expr {
    const c = n.children;
    const prefix = toks(c, "prefix");
    const exponent = optNode(c, "exponent");
    if (prefix.length === 0 && exponent === undefined) return this.postfix(n);
    const [base, baseStart] = this.postfixFrom(n);
    const end = this.nodeSpan(n).end;
    let e = exponent === undefined ? base : {
      kind: "Binary" as const, op: "**" as const, left: base, right: this.unary(exponent),
      span: this.span(baseStart, end), opSpan: this.tokSpan(tok(c, "StarStar")),
    };
    for (let i = prefix.length - 1; i >= 0; i--) {
      const op = prefix[i]!;
      e = { kind: "Unary", op: op.image as A.UnaryOp, operand: e, span: this.span(op.startOffset, end) };
    }
    return e;
  }

  /** The primary of a unaryExpr or postfixExpr node and its postfix operators. */
  postfix(n: CstNode): A.Expr {
    return this.postfixFrom(n)[0];
  }

  /** `postfix`, and where its primary starts (at an opening parenthesis, if any). */
  private postfixFrom(n: CstNode): readonly [A.Expr, number] {
    const [primary, primarySpan] = this.primary(n.children);
    let e = primary;
    const ops = nodes(n.children, "postfixOp");
    const start = primarySpan.start;
    for (const op of ops) {
      const span = this.span(start, this.nodeSpan(op).end);
      const c = op.children;
      const call = optNode(c, "callSuffix");
      const index = optNode(c, "indexSuffix");
      if (call !== undefined) e = { kind: "Call", callee: e, args: this.args(call), span };
      else if (index !== undefined) e = { kind: "Index", object: e, indices: nodes(index.children, "indexItem").map((i) => this.indexItem(i)), span };
      else e = { kind: "Member", object: e, member: this.ident(tok(c, "member")), span };
    }
    return [e, start];
  }

  /** The arguments of a callSuffix or parenExpr node. */
  args(n: CstNode): A.Arg[] {
    return nodes(n.children, "arg").map((a) => {
      const name = optTok(a.children, "name");
      const value = this.expr(node(a.children, "value"));
      return { ...(name ? { name: this.ident(name) } : {}), value, span: this.nodeSpan(a) };
    });
  }

  private indexItem(n: CstNode): A.Expr {
    const start = optNode(n.children, "start");
    const tail = optNode(n.children, "sliceTail");
    if (tail === undefined) return this.expr(node(n.children, "start"));
    const stop = optNode(tail.children, "stop");
    const step = optNode(tail.children, "step");
    return {
      kind: "Slice",
      ...(start ? { start: this.expr(start) } : {}),
      ...(stop ? { stop: this.expr(stop) } : {}),
      ...(step ? { step: this.expr(step) } : {}),
      span: this.nodeSpan(n),
    };
  }

  /** A primary, from the children of the node that holds it (a token or a bracket node),
   *  and the span written for it (a grouping's parentheses included). */
  private primary(c: Ctx): readonly [A.Expr, A.Span] {
    // One pass over the node's keys: exactly one of them holds the primary.
    for (const key in c) {
      const make = TOKEN_PRIMARIES.get(key);
      if (make !== undefined) {
        const t = optTok(c, key);
        if (t === undefined) continue;
        const span = this.tokSpan(t);
        return [make(t.image, span), span];
      }
      if (key === "listExpr") {
        const list = node(c, key);
        const span = this.nodeSpan(list);
        return [{ kind: "List", items: nodes(list.children, "item").map((i) => this.expr(i)), span }, span];
      }
    }
    const paren = node(c, "parenExpr");
    const span = this.nodeSpan(paren);
    const items = this.args(paren);
    const only = items[0];
    // `(e)` is grouping; `(e,)`, `(name: e)`, `()` and `(a, b)` are tuples.
    if (items.length === 1 && only !== undefined && only.name === undefined && optTok(paren.children, "trailing") === undefined) {
      return [only.value, span];
    }
    return [{ kind: "Tuple", items, span }, span];
  }
}

/** Primaries that are one token, by CST key. */
const TOKEN_PRIMARIES = new Map<string, (text: string, span: A.Span) => A.Expr>([
  ["NumberLit", (text, span) => numberLit(text, span)],
  ["Name", (name, span) => ({ kind: "Name", name, span })],
  ["StringLit", (text, span) => ({ kind: "String", value: stringValue(text), span })],
  ["TrueKw", (_, span) => ({ kind: "Bool", value: true, span })],
  ["FalseKw", (_, span) => ({ kind: "Bool", value: false, span })],
  ["NoneKw", (_, span) => ({ kind: "None", span })],
  ["Ellipsis", (_, span) => ({ kind: "Ellipsis", span })],
]);
