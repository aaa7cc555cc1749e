// The fast path's expressions and types: recursive descent over grammar/fast/lex.ts's token
// arrays, building the AST directly. It follows grammar/parser-expr.ts rule by rule and
// builds what grammar/build-expr.ts builds from that rule's CST (spans included); where the
// chevrotain parser would report an error, it gives up (`Bail`) and the file takes the slow
// path. test/grammar/fast.test.ts holds the two to the same AST.
import type * as A from "../../compiler/ast/ast.js";
import { bracketType, foldBinary, numberLit, stringValue, type BracketMode } from "../syntax.js";
import { isBinOp, isName, Tok, type Tokens } from "./lex.js";

/** Thrown to leave the fast path; one instance, no stack trace to build. */
export const BAIL: unique symbol = Symbol("bail");

/** Tokens that can start an expression (FIRST of the `expr` rule), names aside. */
const EXPR_START = new Set<Tok>([
  Tok.If, Tok.Minus, Tok.Bang, Tok.NumberLit, Tok.StringLit, Tok.True, Tok.False, Tok.None, Tok.Ellipsis, Tok.LParen, Tok.LBracket,
]);

export class FastExprParser {
  protected pos = 0;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  constructor(readonly file: string, readonly text: string, protected readonly toks: Tokens) {
    this.kinds = toks.kind;
    this.starts = toks.start;
    this.ends = toks.end;
  }

  // ------------------------------------------------------------ tokens and spans

  /** The kind of the current token, or of the one `ahead` places after it (up to two; past
   *  the end, Eof: see fastLex). */
  protected k(ahead = 0): Tok {
    return this.kinds[this.pos + ahead]! as Tok;
  }
  protected expect(kind: Tok): number {
    if (this.kinds[this.pos] !== kind) throw BAIL;
    return this.pos++;
  }
  protected expectName(): number {
    if (!isName(this.kinds[this.pos]! as Tok)) throw BAIL;
    return this.pos++;
  }
  protected startOf(i: number): number {
    return this.starts[i]!;
  }
  /** End of the last token consumed: where the node being built ends. */
  protected last(): number {
    return this.ends[this.pos - 1]!;
  }
  protected image(i: number): string {
    return this.text.slice(this.starts[i]!, this.ends[i]!);
  }
  protected span(start: number, end: number): A.Span {
    return { file: this.file, start, end };
  }
  /** From the start of token `i` to the end of the last token consumed. */
  protected from(i: number): A.Span {
    return this.span(this.starts[i]!, this.ends[this.pos - 1]!);
  }
  protected tokSpan(i: number): A.Span {
    return this.span(this.starts[i]!, this.ends[i]!);
  }
  protected ident(i: number): A.Ident {
    return { kind: "Ident", name: this.image(i), span: this.tokSpan(i) };
  }
  protected startsExpr(k: Tok): boolean {
    return isName(k) || EXPR_START.has(k);
  }

  /** `item (, item)* ,?` up to (not including) `close`; whether a trailing comma was written. */
  protected commaList<T>(item: () => T, close: Tok): [T[], boolean] {
    const items = [item()];
    while (this.k() === Tok.Comma) {
      this.pos++;
      if (this.k() === close) return [items, true];
      items.push(item());
    }
    return [items, false];
  }

  // ------------------------------------------------------------ types

  protected type(mode: BracketMode): A.TypeExpr {
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
    const dims = this.k() === Tok.RBracket ? [] : this.commaList(() => this.expr(), Tok.RBracket)[0];
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
    if (this.k() === Tok.If) {
      this.pos++;
      const cond = this.expr();
      this.expect(Tok.Then);
      const then = this.expr();
      this.expect(Tok.Else);
      const otherwise = this.expr();
      return { kind: "IfExpr", cond, then, else: otherwise, span: this.from(s) };
    }
    const first = this.unary();
    if (!isBinOp(this.k())) return first;
    const operands: (readonly [A.Expr, A.Span])[] = [[first, this.from(s)]];
    const ops: { op: string; span: A.Span }[] = [];
    while (isBinOp(this.k())) {
      const op = this.pos++;
      ops.push({ op: this.image(op), span: this.tokSpan(op) });
      const os = this.pos;
      const e = this.unary();
      operands.push([e, this.from(os)]);
    }
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
      const right = this.unary();
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
        const indices = this.commaList(() => this.indexItem(), Tok.RBracket)[0];
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
    const list: [A.Arg[], boolean] = this.k() === Tok.RParen ? [[], false] : this.commaList(() => this.arg(), Tok.RParen);
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
        const items = this.k() === Tok.RBracket ? [] : this.commaList(() => this.expr(), Tok.RBracket)[0];
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
        if (!isName(k)) throw BAIL;
        this.pos++;
        return { kind: "Name", name: this.image(i), span: this.tokSpan(i) };
    }
  }
}
