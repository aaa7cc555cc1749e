// Expressions and types: recursive descent over the token arrays, building the AST
// directly. Binary operators parse as a flat chain folded by precedence (syntax.ts).
import type * as A from "../../compiler/ast/ast.js";
import { bracketType, foldBinary, numberLit, stringValue, type BracketMode } from "../syntax.js";
import { isBinOp, isName, Tok } from "../tokens.js";
import { ParserBase } from "./base.js";

/** Tokens that can start an expression (names aside). */
const EXPR_START = new Set<Tok>([
  Tok.If, Tok.Minus, Tok.Bang, Tok.NumberLit, Tok.StringLit, Tok.True, Tok.False, Tok.None, Tok.Ellipsis, Tok.LParen, Tok.LBracket,
]);

export class ExprParser extends ParserBase {
  protected startsExpr(k: Tok): boolean {
    return isName(k) || EXPR_START.has(k);
  }

  /**
   * `item (, item)* ,?`, and whether it ended with a comma. The list ends where no item can
   * start (`starts`), and the caller expects its closing bracket there: `f(1,, 2)` is "expected
   * ')' but found ','". With `required`, the first item is parsed (and reported) regardless.
   */
  protected commaList<T>(item: () => T, starts: (k: Tok) => boolean, required = false): [T[], boolean] {
    if (!required && !starts(this.k())) return [[], false];
    const items = [item()];
    while (this.k() === Tok.Comma) {
      this.pos++;
      if (!starts(this.k())) return [items, true];
      items.push(item());
    }
    return [items, false];
  }
  protected readonly exprStarts = (k: Tok): boolean => this.startsExpr(k);

  // ------------------------------------------------------------ types

  protected type(mode: BracketMode): A.TypeExpr {
    if (this.k() !== Tok.LBracket && !isName(this.k())) this.fail("a type");
    if (isName(this.k())) {
      const i = this.pos++;
      return { kind: "NamedType", name: this.ident(i), span: this.tokSpan(i) };
    }
    return bracketType(this.tensorType(false), mode);
  }

  /** `[d0, d1, ...] dtype?`; in `param` and `input` items (`inItem`) a name followed by `=`
   *  starts the next item and is no dtype. */
  protected tensorType(inItem: boolean): A.TensorType {
    const s = this.expect(Tok.LBracket);
    const dims = this.commaList(() => this.expr(), this.exprStarts)[0];
    this.expect(Tok.RBracket);
    if (this.k() === Tok.Identifier && (!inItem || this.k(1) !== Tok.Eq)) {
      const dtype = this.ident(this.pos++);
      return { kind: "TensorType", dims, dtype, span: this.from(s) };
    }
    return { kind: "TensorType", dims, span: this.from(s) };
  }

  // ------------------------------------------------------------ expressions

  protected expr(): A.Expr {
    const s = this.pos;
    this.enter();
    if (this.k() === Tok.If) {
      this.pos++;
      const cond = this.expr();
      this.expect(Tok.Then);
      const then = this.expr();
      this.expect(Tok.Else);
      const otherwise = this.expr();
      this.depth--;
      return { kind: "IfExpr", cond, then, else: otherwise, span: this.from(s) };
    }
    const first = this.unary();
    if (!isBinOp(this.k())) {
      this.depth--;
      return first;
    }
    const operands: (readonly [A.Expr, A.Span])[] = [[first, this.from(s)]];
    const ops: { op: string; span: A.Span }[] = [];
    while (isBinOp(this.k())) {
      const op = this.pos++;
      ops.push({ op: this.image(op), span: this.tokSpan(op) });
      const os = this.pos;
      const e = this.unary();
      operands.push([e, this.from(os)]);
    }
    this.depth--;
    return foldBinary(operands, ops);
  }

  /** Prefix operators (innermost last) around `base ** exponent`. */
  private unary(): A.Expr {
    const prefix: number[] = [];
    while (this.k() === Tok.Minus || this.k() === Tok.Bang) prefix.push(this.pos++);
    const base = this.postfixFrom();
    const baseStart = this.exprStart;
    if (prefix.length === 0 && this.k() !== Tok.StarStar) return base;
    let e = base;
    if (this.k() === Tok.StarStar) {
      const op = this.pos++;
      this.enter(); // `**` is right associative: a chain of them recurses
      const right = this.unary();
      this.depth--;
      e = { kind: "Binary", op: "**", left: base, right, span: this.span(baseStart, this.last()), opSpan: this.tokSpan(op) };
    }
    const end = this.last();
    for (let i = prefix.length - 1; i >= 0; i--) {
      e = { kind: "Unary", op: this.image(prefix[i]!) as A.UnaryOp, operand: e, span: this.span(this.startOf(prefix[i]!), end) };
    }
    return e;
  }

  /** A primary and its postfix operators: the call of a submodule item. */
  protected postfix(): A.Expr {
    return this.postfixFrom();
  }

  /** Where the primary last parsed starts (at an opening parenthesis, if any): a field, not
   *  a returned pair, since every primary would allocate one. Read it right after the call. */
  private exprStart = 0;

  /** `postfix`, leaving where its primary starts in `exprStart`. */
  private postfixFrom(): A.Expr {
    let e = this.primary();
    const start = this.exprStart;
    for (;;) {
      const k = this.k();
      if (k === Tok.LParen) {
        const args = this.args();
        e = { kind: "Call", callee: e, args, span: this.span(start, this.last()) };
      } else if (k === Tok.LBracket) {
        this.pos++;
        const indices = this.commaList(() => this.indexItem(), (k) => k === Tok.Colon || this.startsExpr(k), true)[0];
        this.expect(Tok.RBracket);
        e = { kind: "Index", object: e, indices, span: this.span(start, this.last()) };
      } else if (k === Tok.Dot) {
        this.pos++;
        const member = this.ident(this.expectName());
        e = { kind: "Member", object: e, member, span: this.span(start, this.last()) };
      } else {
        this.exprStart = start;
        return e;
      }
    }
  }

  /** `( args? )`, and whether the list ended with a comma. */
  protected argList(): [A.Arg[], boolean] {
    this.expect(Tok.LParen);
    const list = this.commaList(() => this.arg(), this.exprStarts);
    this.expect(Tok.RParen);
    return list;
  }
  protected args(): A.Arg[] {
    return this.argList()[0];
  }

  /** `name: value` or `value`. */
  private arg(): A.Arg {
    const s = this.pos;
    if (isName(this.k()) && this.k(1) === Tok.Colon) {
      const name = this.ident(this.pos);
      this.pos += 2;
      const value = this.expr();
      return { name, value, span: this.from(s) };
    }
    const value = this.expr();
    return { value, span: this.from(s) };
  }

  /** An index or a slice `start? : stop? (: step?)?`. */
  private indexItem(): A.Expr {
    const s = this.pos;
    if (this.k() !== Tok.Colon && !this.startsExpr(this.k())) this.fail("an index or a slice");
    const start = this.k() === Tok.Colon ? undefined : this.expr();
    if (this.k() !== Tok.Colon) return start!;
    this.pos++;
    const stop = this.startsExpr(this.k()) ? this.expr() : undefined;
    let step: A.Expr | undefined;
    if (this.k() === Tok.Colon) {
      this.pos++;
      if (this.startsExpr(this.k())) step = this.expr();
    }
    return {
      kind: "Slice", ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}), span: this.from(s),
    };
  }

  /** A primary, leaving where it starts in `exprStart`; a grouping `(e)` is `e` itself,
   *  starting at `(`. */
  private primary(): A.Expr {
    const i = this.pos;
    const k = this.k();
    const at = this.startOf(i);
    this.exprStart = at;
    switch (k) {
      case Tok.NumberLit: this.pos++; return numberLit(this.image(i), this.tokSpan(i));
      case Tok.StringLit: this.pos++; return { kind: "String", value: stringValue(this.image(i)), span: this.tokSpan(i) };
      case Tok.True: this.pos++; return { kind: "Bool", value: true, span: this.tokSpan(i) };
      case Tok.False: this.pos++; return { kind: "Bool", value: false, span: this.tokSpan(i) };
      case Tok.None: this.pos++; return { kind: "None", span: this.tokSpan(i) };
      case Tok.Ellipsis: this.pos++; return { kind: "Ellipsis", span: this.tokSpan(i) };
      case Tok.LBracket: {
        this.pos++;
        const items = this.commaList(() => this.expr(), this.exprStarts)[0];
        this.expect(Tok.RBracket);
        this.exprStart = at; // the items' primaries moved it
        return { kind: "List", items, span: this.from(i) };
      }
      case Tok.LParen: {
        const [items, trailing] = this.argList();
        const only = items[0];
        this.exprStart = at; // the items' primaries moved it
        // `(e)` is grouping; `(e,)`, `(name: e)`, `()` and `(a, b)` are tuples.
        if (items.length === 1 && only !== undefined && only.name === undefined && !trailing) return only.value;
        return { kind: "Tuple", items, span: this.from(i) };
      }
      default:
        if (!isName(k)) this.fail("an expression");
        this.pos++;
        return { kind: "Name", name: this.image(i), span: this.tokSpan(i) };
    }
  }
}
