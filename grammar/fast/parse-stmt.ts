// The fast path's forward items and statements, following grammar/parser.ts's statement rules
// and building what grammar/ast-builder.ts builds from them.
import type * as A from "../../compiler/ast/ast.js";
import type { BracketMode } from "../syntax.js";
import { isName, Tok } from "./lex.js";
import { BAIL, FastExprParser } from "./parse-expr.js";

export class FastStmtParser extends FastExprParser {
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

  /** A model's `forward { ... }` or a block's `forward(inputs) -> outputs { ... }`. */
  protected forward(kind: A.BlockKind | "model"): A.ForwardItem {
    const s = this.pos++;
    if (this.k() !== Tok.LParen) {
      if (kind !== "model") throw BAIL;
      const body = this.stmtBlock();
      return { kind: "Forward", inputs: [], outputs: [], namedOutputs: false, hasSignature: false, body, span: this.from(s) };
    }
    if (kind === "model") throw BAIL;
    this.pos++;
    const inputs = this.k() === Tok.RParen ? [] : this.commaList(() => this.typedName("builtin"), Tok.RParen)[0];
    this.expect(Tok.RParen);
    this.expect(Tok.Arrow);
    let outputs: A.ForwardOutput[];
    const namedOutputs = this.k() === Tok.LParen;
    if (namedOutputs) {
      this.pos++;
      outputs = this.commaList(() => {
        const o = this.pos;
        const name = this.ident(this.expectName());
        this.expect(Tok.Colon);
        const type = this.type("tensor");
        return { name, type, span: this.from(o) };
      }, Tok.RParen)[0];
      this.expect(Tok.RParen);
    } else {
      const o = this.pos;
      const type = this.type("tensor");
      outputs = [{ type, span: this.from(o) }];
    }
    const body = this.stmtBlock();
    return { kind: "Forward", inputs, outputs, namedOutputs, hasSignature: true, body, span: this.from(s) };
  }

  // ------------------------------------------------------------ statements

  protected stmtBlock(): A.Stmt[] {
    this.expect(Tok.LBrace);
    const stmts: A.Stmt[] = [];
    for (;;) {
      if (this.k() === Tok.Semi) this.pos++;
      else if (this.k() === Tok.RBrace) break;
      else stmts.push(this.stmt());
    }
    this.pos++;
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
        const name = this.ident(this.expectName());
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
    const otherwise = this.k() === Tok.If ? [this.ifStmt()] : this.stmtBlock();
    return { kind: "If", cond, then, else: otherwise, span: this.from(s) };
  }
}
