// Forward items and statements. A statement is a recovery point: an error inside one is
// reported, the statement is left out of the AST, and parsing resumes at the next token
// that plausibly starts a statement (`stmtSync`).
import type * as A from "../../compiler/ast/ast.js";
import type { BracketMode } from "../syntax.js";
import { isName, Tok } from "../tokens.js";
import { ExprParser } from "./expr.js";

/** Items other than `let` and a submodule: a statement never starts with one. */
const ITEM_KEYWORDS = new Set<Tok>([Tok.Param, Tok.Buffer, Tok.Input, Tok.Task, Tok.Stage, Tok.Route]);

export class StmtParser extends ExprParser {
  /** `a, b, c` with an optional trailing comma. */
  protected nameList(): A.Ident[] {
    const names = [this.ident(this.expectName())];
    while (this.k() === Tok.Comma) {
      this.pos++;
      if (!isName(this.k())) break;
      names.push(this.ident(this.pos++));
    }
    return names;
  }

  /** `name: Type = default`: block parameters and forward inputs. */
  protected typedName(mode: BracketMode): { name: A.Ident; type: A.TypeExpr; default?: A.Expr; span: A.Span } {
    const s = this.pos;
    const name = this.ident(this.expectName());
    this.expect(Tok.Colon);
    const type = this.type(mode);
    if (this.k() !== Tok.Eq) return { name, type, span: this.from(s) };
    this.pos++;
    const def = this.expr();
    return { name, type, default: def, span: this.from(s) };
  }

  /** An item other than a statement starts at `i` (so a `{` before it was left open). */
  protected itemStart(i: number): boolean {
    const k = this.kindAt(i);
    return k === Tok.Forward || (ITEM_KEYWORDS.has(k) && isName(this.kindAt(i + 1))) || this.declStart(i);
  }

  /** Parsing can resume at `i` after an error in a statement. */
  private stmtSync = (i: number): boolean => {
    const k = this.kindAt(i);
    if (k === Tok.Let || k === Tok.Return || k === Tok.For || k === Tok.If) return true;
    const next = this.kindAt(i + 1);
    if ((k === Tok.Output || k === Tok.Loss) && isName(next)) return true;
    return (isName(k) && next === Tok.Eq && this.lineStart(i)) || this.itemStart(i);
  };

  // ------------------------------------------------------------ forward

  /** A model's `forward { ... }` or a block's `forward(inputs) -> outputs { ... }`. Whether
   *  the form suits the declaration is the caller's to say. */
  protected forward(): A.ForwardItem {
    const s = this.pos++;
    if (this.k() !== Tok.LParen) {
      const body = this.stmtBlock();
      return { kind: "Forward", inputs: [], outputs: [], namedOutputs: false, hasSignature: false, body, span: this.from(s) };
    }
    this.pos++;
    const inputs = this.commaList(() => this.typedName("builtin"), isName)[0];
    this.expect(Tok.RParen);
    const arrow = this.k() === Tok.Arrow ? this.pos++ : undefined;
    let outputs: A.ForwardOutput[] = [];
    const namedOutputs = this.k() === Tok.LParen;
    if (namedOutputs) {
      this.pos++;
      outputs = this.commaList(() => {
        const o = this.pos;
        const name = this.ident(this.expectName());
        this.expect(Tok.Colon);
        const type = this.type("tensor");
        return { name, type, span: this.from(o) };
      }, isName, true)[0];
      this.expect(Tok.RParen);
    } else if (isName(this.k()) || this.k() === Tok.LBracket) {
      const o = this.pos;
      const type = this.type("tensor");
      outputs = [{ type, span: this.from(o) }];
    } else if (arrow !== undefined) {
      this.fail("an output type");
    }
    if (arrow === undefined) {
      // Reported here, the forward still parses: the mistake is one missing token.
      const at = outputs[0]?.span ?? this.tokSpan(this.pos);
      const message = outputs.length > 0 ? "expected '->' before the output type" : "expected '->' and an output type after the inputs";
      if (outputs.length > 0 || this.k() === Tok.LBrace) this.reportAt(at, message, "a block's forward is written `forward(x: [B, d]) -> [B, d] { ... }`");
    }
    const body = this.stmtBlock();
    return { kind: "Forward", inputs, outputs, namedOutputs, hasSignature: true, body, span: this.from(s) };
  }

  // ------------------------------------------------------------ statements

  /** `{ statements }`. A missing `}` before the next item or declaration is reported there,
   *  and the block ends. */
  protected stmtBlock(): A.Stmt[] {
    this.enter(); // before the `{`: a block too deep resumes at its enclosing `}`, not its own
    this.expect(Tok.LBrace);
    const depth = this.depth;
    const stmts: A.Stmt[] = [];
    for (;;) {
      const k = this.k();
      if (k === Tok.Semi) {
        this.pos++;
        continue;
      }
      if (k === Tok.RBrace) {
        this.pos++;
        break;
      }
      // `loss l (` is a broken loss statement here, not a loss block.
      const statement = (k === Tok.Output || k === Tok.Loss) && isName(this.k(1));
      if (!statement && (k === Tok.Eof || this.itemStart(this.pos) || !(this.startsExpr(k) || k === Tok.Let || k === Tok.Return || k === Tok.For))) {
        this.report(this.failure("a statement or '}'"));
        if (k === Tok.Eof || this.itemStart(this.pos)) break;
        this.pos++;
        this.skipTo(this.stmtSync, true);
        continue;
      }
      const at = this.pos;
      try {
        stmts.push(this.stmt());
      } catch (e) {
        this.recover(e, at, depth, this.stmtSync, true);
      }
    }
    this.depth--;
    return stmts;
  }

  private stmt(): A.Stmt {
    const s = this.pos;
    const k = this.k();
    const value = (): A.Expr => (this.expect(Tok.Eq), this.expr());
    switch (k) {
      case Tok.Let: {
        this.pos++;
        if (this.k() === Tok.LParen) {
          this.pos++;
          const names = this.nameList();
          this.expect(Tok.RParen);
          return { kind: "LetStmt", names, destructure: true, value: value(), span: this.from(s) };
        }
        if (!isName(this.k())) this.fail("a name or '(' after 'let'");
        const name = this.ident(this.pos++);
        const type = this.k() === Tok.Colon ? (this.pos++, this.type("builtin")) : undefined;
        return { kind: "LetStmt", names: [name], destructure: false, ...(type ? { type } : {}), value: value(), span: this.from(s) };
      }
      case Tok.Return:
        this.pos++;
        return { kind: "Return", value: this.expr(), span: this.from(s) };
      case Tok.For: {
        this.pos++;
        const item = this.ident(this.expectName());
        const index = this.k() === Tok.Comma ? (this.pos++, this.ident(this.expectName())) : undefined;
        this.expect(Tok.In);
        const iterable = this.expr();
        const body = this.stmtBlock();
        return { kind: "For", item, ...(index ? { index } : {}), iterable, body, span: this.from(s) };
      }
      case Tok.If:
        return this.ifStmt();
    }
    // `output(x)` calls a submodule named `output`; `output = x` assigns to it.
    if ((k === Tok.Output || k === Tok.Loss) && isName(this.k(1))) {
      this.pos++;
      const name = this.ident(this.expectName());
      if (k === Tok.Loss) return { kind: "Loss", name, value: value(), span: this.from(s) };
      const type = this.k() === Tok.Colon ? (this.pos++, this.tensorType(false)) : undefined;
      return { kind: "Output", name, ...(type ? { type } : {}), value: value(), span: this.from(s) };
    }
    if (isName(k) && this.k(1) === Tok.Eq) {
      const name = this.ident(this.pos);
      this.pos++;
      return { kind: "Assign", name, value: value(), span: this.from(s) };
    }
    const expr = this.expr();
    return { kind: "ExprStmt", expr, span: this.from(s) };
  }

  private ifStmt(): A.IfStmt {
    const s = this.pos++;
    const cond = this.expr();
    const then = this.stmtBlock();
    if (this.k() !== Tok.Else) return { kind: "If", cond, then, span: this.from(s) };
    this.pos++;
    if (this.k() !== Tok.If && this.k() !== Tok.LBrace) this.fail("'{' or 'if' after 'else'");
    this.enter(); // an `else if` chain recurses
    const otherwise = this.k() === Tok.If ? [this.ifStmt()] : this.stmtBlock();
    this.depth--;
    return { kind: "If", cond, then, else: otherwise, span: this.from(s) };
  }
}
