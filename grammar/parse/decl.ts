// Declarations: the top of the parser. A declaration is a recovery point like an item
// (item.ts) or a statement (stmt.ts): an error in its header is reported, the declaration
// is left out of the AST, and parsing resumes at the next declaration keyword.
import type * as A from "../../compiler/ast/ast.js";
import { docBefore, MAX_LITERAL, stringValue } from "../syntax.js";
import { MAX_TREE_DEPTH, tooDeep } from "./depth.js";
import { BLOCK_KINDS, isName, Tok } from "../tokens.js";
import { ItemParser, type Kind } from "./item.js";

const DECLARATION = "a declaration (import, enum, block, tower, fusion, experts, loss, head or model)";


export class Parser extends ItemParser {
  parseFile(): A.FileAst {
    const imports: A.ImportDecl[] = [];
    const decls: A.Decl[] = [];
    const topSync = (i: number): boolean => this.declStart(i);
    for (;;) {
      const k = this.k();
      if (k === Tok.Eof) break;
      if (k === Tok.Semi) {
        this.pos++;
        continue;
      }
      const at = this.pos;
      this.deepReported = false;
      try {
        if (k === Tok.Import) {
          const imp = this.importDecl();
          // A path the lexer refused as too long (MM1001) is no import to follow.
          if (imp.path.span.end - imp.path.span.start <= MAX_LITERAL) imports.push(imp);
        }
        else if (k === Tok.Enum) decls.push(this.enumDecl());
        // `model` needs two more tokens to tell a variant from a block; the others start a block.
        else if (k === Tok.Model ? !this.declStart(this.pos) : !BLOCK_KINDS.has(k)) this.fail(DECLARATION);
        else if (k === Tok.Model && this.k(2) === Tok.Eq) this.keep(decls, this.variantDecl());
        else this.keep(decls, this.blockDecl());
      } catch (e) {
        this.recover(e, at, 0, topSync, false);
      }
    }
    return { kind: "File", path: this.file, imports, decls, span: this.span(0, this.text.length) };
  }

  /** Adds a parsed declaration, unless its tree is too deep for later stages (depth.ts). */
  private keep(decls: A.Decl[], d: A.Decl): void {
    const deep = tooDeep(d);
    if (!deep) {
      decls.push(d);
      return;
    }
    this.reportAt(deep, `an expression nests more than ${MAX_TREE_DEPTH} levels deep here`,
      "split long chains of operators with `let` (a sum of many terms: `let s = a + b` ... `s = s + c`)", "MM1006");
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
      this.closeList("','");
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
    const members = isName(this.k()) ? this.nameList() : [];
    this.closeList("','");
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
        else if (!isName(this.k()) || this.declStart(this.pos)) break;
        else {
          const o = this.pos;
          try {
            overrides.push(this.override());
          } catch (e) {
            // An override is a recovery point: the next `path =` or `path.` on its own line, or the `}`.
            this.recover(e, o, 0, (i) => this.declStart(i)
              || (isName(this.kindAt(i)) && (this.kindAt(i + 1) === Tok.Eq || this.kindAt(i + 1) === Tok.Dot) && this.lineStart(i)), true);
          }
        }
      }
      this.closeList("an override such as `image.width = 768`");
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
    const kind = this.image(s) as Kind;
    const name = this.ident(this.expectName());
    let params: A.ParamDecl[] = [];
    if (this.k() === Tok.LParen) {
      this.pos++;
      params = this.commaList(() => ({ kind: "ParamDecl" as const, ...this.typedName("param") }), isName)[0];
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
    const items = this.body(kind);
    const span = this.from(s);
    const doc = this.doc(span.start);
    return { kind: "Block", blockKind: kind, name, params, where, items, ...(doc !== undefined ? { doc } : {}), span };
  }

}
