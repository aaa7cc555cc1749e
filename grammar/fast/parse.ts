// The fast path's declarations and body items (expressions: parse-expr.ts; forwards and
// statements: parse-stmt.ts), following grammar/parser.ts and building what
// grammar/ast-builder.ts builds. Anything the slow path would report (a syntax error, a
// misplaced item, a forward without `->`) makes it give up, so a file it accepts has no
// syntax diagnostics.
import type * as A from "../../compiler/ast/ast.js";
import { docBefore, stringValue } from "../syntax.js";
import { fastLex, isName, Tok } from "./lex.js";
import { BAIL } from "./parse-expr.js";
import { FastStmtParser } from "./parse-stmt.js";

const BLOCK_KINDS = new Set<Tok>([Tok.Block, Tok.Tower, Tok.Fusion, Tok.Experts, Tok.Loss, Tok.Head, Tok.Model]);

/** The AST of `text`, or undefined where the slow path must parse it (and report). */
export function fastParse(file: string, text: string): A.FileAst | undefined {
  const toks = fastLex(text);
  if (toks === undefined) return undefined;
  try {
    return new FastParser(file, text, toks).parseFile();
  } catch (e) {
    // Deep nesting runs out of stack: the slow path reports it properly.
    if (e === BAIL || e instanceof RangeError) return undefined;
    throw e;
  }
}

class FastParser extends FastStmtParser {
  parseFile(): A.FileAst {
    const imports: A.ImportDecl[] = [];
    const decls: A.Decl[] = [];
    for (;;) {
      const k = this.k();
      if (k === Tok.Eof) break;
      if (k === Tok.Semi) this.pos++;
      else if (k === Tok.Import) imports.push(this.importDecl());
      else if (k === Tok.Enum) decls.push(this.enumDecl());
      else if (k === Tok.Model && this.k(2) === Tok.Eq) decls.push(this.variantDecl());
      else if (BLOCK_KINDS.has(k)) decls.push(this.blockDecl());
      else throw BAIL;
    }
    return { kind: "File", path: this.file, imports, decls, span: this.span(0, this.text.length) };
  }

  private doc(start: number): string | undefined {
    return docBefore(this.text, this.toks.comments, start);
  }

  // ------------------------------------------------------------ declarations

  private importDecl(): A.ImportDecl {
    const s = this.pos++;
    let names: A.Ident[] | undefined;
    if (this.k() === Tok.LBrace) {
      this.pos++;
      names = this.nameList();
      this.expect(Tok.RBrace);
      this.expect(Tok.From);
    }
    const str = this.expect(Tok.StringLit);
    const path: A.StringLit = { kind: "String", value: stringValue(this.image(str)), span: this.tokSpan(str) };
    return { kind: "Import", path, ...(names ? { names } : {}), span: this.from(s) };
  }

  private enumDecl(): A.EnumDecl {
    const s = this.pos++;
    const name = this.ident(this.expectName());
    this.expect(Tok.LBrace);
    const members = this.k() === Tok.RBrace ? [] : this.nameList();
    this.expect(Tok.RBrace);
    return { kind: "Enum", name, members, span: this.from(s) };
  }

  private variantDecl(): A.VariantDecl {
    const s = this.pos++;
    const name = this.ident(this.expectName());
    this.expect(Tok.Eq);
    const base = this.ident(this.expectName());
    const display = this.k() === Tok.StringLit ? this.pos++ : undefined;
    const args = this.k() === Tok.LParen ? this.args() : [];
    const overrides: A.Override[] = [];
    if (this.k() === Tok.With) {
      this.pos++;
      this.expect(Tok.LBrace);
      for (;;) {
        if (this.k() === Tok.Semi) this.pos++;
        else if (isName(this.k())) overrides.push(this.override());
        else break;
      }
      this.expect(Tok.RBrace);
    }
    const span = this.from(s);
    const doc = this.doc(span.start);
    return {
      ...(display !== undefined ? { displayName: { kind: "String", value: stringValue(this.image(display)), span: this.tokSpan(display) } } : {}),
      kind: "Variant", name, base, args, overrides, ...(doc !== undefined ? { doc } : {}), span,
    };
  }

  private override(): A.Override {
    const s = this.pos;
    const path = [this.ident(this.pos++)];
    while (this.k() === Tok.Dot) {
      this.pos++;
      path.push(this.ident(this.expectName()));
    }
    this.expect(Tok.Eq);
    const value = this.expr();
    return { path, value, span: this.from(s) };
  }

  private blockDecl(): A.BlockDecl {
    const s = this.pos++;
    const kind = this.image(s) as A.BlockKind | "model";
    const name = this.ident(this.expectName());
    let params: A.ParamDecl[] = [];
    if (this.k() === Tok.LParen) {
      this.pos++;
      if (this.k() !== Tok.RParen) params = this.commaList(() => ({ kind: "ParamDecl" as const, ...this.typedName("param") }), Tok.RParen)[0];
      this.expect(Tok.RParen);
    }
    const where: A.Expr[] = [];
    if (this.k() === Tok.Where) {
      this.pos++;
      where.push(this.expr());
      while (this.k() === Tok.Comma) {
        this.pos++;
        where.push(this.expr());
      }
    }
    this.expect(Tok.LBrace);
    const items: A.BodyItem[] = [];
    for (;;) {
      if (this.k() === Tok.Semi) this.pos++;
      else if (this.k() === Tok.RBrace) break;
      else items.push(this.bodyItem(kind));
    }
    this.pos++;
    const span = this.from(s);
    const doc = this.doc(span.start);
    return { kind: "Block", blockKind: kind, name, params, where, items, ...(doc !== undefined ? { doc } : {}), span };
  }

  // ------------------------------------------------------------ body items

  /** Keyword-led items first (a keyword followed by `=` names a submodule); misplaced
   *  items are the slow path's to report. */
  private bodyItem(kind: A.BlockKind | "model"): A.BodyItem {
    const s = this.pos;
    const k = this.k();
    const keyword = this.k(1) !== Tok.Eq;
    if (k === Tok.Let) {
      this.pos++;
      const name = this.ident(this.expectName());
      let type: A.TypeExpr | undefined;
      if (this.k() === Tok.Colon) {
        this.pos++;
        type = this.type("builtin");
      }
      this.expect(Tok.Eq);
      const value = this.expr();
      return { kind: "Let", name, ...(type ? { type } : {}), value, span: this.from(s) };
    }
    if ((k === Tok.Param || k === Tok.Buffer) && keyword) {
      const buffer = k === Tok.Buffer;
      this.pos++;
      const name = this.ident(this.expectName());
      this.expect(Tok.Colon);
      const type = this.tensorType(true);
      const init = this.k() === Tok.Init ? (this.pos++, this.expr()) : undefined;
      const condition = this.k() === Tok.If ? (this.pos++, this.expr()) : undefined;
      return { kind: "TensorParam", ...(buffer ? { buffer: true as const } : {}), name, type, ...(init ? { init } : {}), ...(condition ? { condition } : {}), span: this.from(s) };
    }
    if (k === Tok.Forward) return this.forward(kind);
    if (k === Tok.Route && keyword) {
      if (kind !== "experts") throw BAIL;
      this.pos++;
      if (this.k() === Tok.By && isName(this.k(1))) {
        this.pos++;
        return { kind: "Route", strategy: this.ident(this.pos++), args: [], span: this.from(s) };
      }
      const strategy = this.ident(this.expectName());
      return { kind: "Route", strategy, args: this.args(), span: this.from(s) };
    }
    if (k === Tok.Input && keyword) {
      if (kind !== "model") throw BAIL;
      this.pos++;
      const name = this.ident(this.expectName());
      this.expect(Tok.Colon);
      return { kind: "Input", name, type: this.tensorType(true), span: this.from(s) };
    }
    if ((k === Tok.Task || k === Tok.Stage) && keyword) return this.fieldsItem(kind);
    return this.submodule();
  }

  private submodule(): A.SubmoduleItem {
    const s = this.pos;
    const name = this.ident(this.expectName());
    this.expect(Tok.Eq);
    let repeat: A.SubmoduleItem["repeat"];
    if (this.k() === Tok.Repeat) {
      const r = this.pos++;
      const count = this.expr();
      if (this.k() === Tok.As) {
        this.pos++;
        const index = this.ident(this.expectName());
        repeat = { count, index, span: this.span(this.startOf(r), index.span.end) };
      } else {
        repeat = { count, span: this.span(this.startOf(r), this.last()) };
      }
    }
    const call = this.postfix();
    if (call.kind !== "Call") throw BAIL;
    const condition = this.k() === Tok.If ? (this.pos++, this.expr()) : undefined;
    return { kind: "Submodule", name, call, ...(repeat ? { repeat } : {}), ...(condition ? { condition } : {}), span: this.from(s) };
  }

  /** `task name { key: a, b ... }` or `stage name { ... }`. */
  private fieldsItem(kind: A.BlockKind | "model"): A.TaskItem | A.StageItem {
    if (kind !== "model") throw BAIL;
    const task = this.k() === Tok.Task;
    const s = this.pos++;
    const name = this.ident(this.expectName());
    this.expect(Tok.LBrace);
    const fields: A.ListField[] = [];
    for (;;) {
      if (this.k() === Tok.Semi) {
        this.pos++;
        continue;
      }
      if (this.k() === Tok.RBrace) break;
      const f = this.pos;
      const key = this.ident(this.expectName());
      this.expect(Tok.Colon);
      const values = [this.pathPattern()];
      while (this.k() === Tok.Comma) {
        this.pos++;
        values.push(this.pathPattern());
      }
      fields.push({ key, values, span: this.from(f) });
    }
    this.pos++;
    return task ? { kind: "Task", name, fields, span: this.from(s) } : { kind: "Stage", name, fields, span: this.from(s) };
  }

  /** `layers.*.attn`: `layers.0.1` lexes `0.1` as one number, split back into segments. */
  private pathPattern(): A.PathPattern {
    const s = this.pos;
    const segments: string[] = [];
    for (;;) {
      const k = this.k();
      if (!isName(k) && k !== Tok.NumberLit && k !== Tok.StarStar && k !== Tok.Star) throw BAIL;
      segments.push(...this.image(this.pos++).split("."));
      if (this.k() !== Tok.Dot) break;
      this.pos++;
    }
    return { segments, span: this.from(s) };
  }
}
