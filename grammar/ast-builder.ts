// CST → AST for declarations, body items and statements (expressions and types: see
// build-expr.ts). Also reports misplaced items (MM1005) and attaches `##` doc comments.
import type { CstNode, IToken } from "chevrotain";
import type * as A from "../compiler/ast/ast.js";
import { diag } from "../compiler/diagnostics/diagnostic.js";
import { ExprBuilder } from "./build-expr.js";
import { Missing, node, nodes, optNode, optTok, tok, toks, type Ctx } from "./cst.js";
import { docBefore, stringValue } from "./syntax.js";

const PLACE: Readonly<Record<A.BlockKind | "model", string>> = {
  block: "a block", tower: "a tower", fusion: "a fusion", experts: "an experts block",
  loss: "a loss block", head: "a head", model: "a model",
};

export class AstBuilder extends ExprBuilder {
  /** The file's comments as flat [start, end) pairs (syntax.ts's `docBefore` reads them). */
  private readonly commentOffsets: number[];

  constructor(file: string, text: string, comments: readonly IToken[], clean = false) {
    super(file, text, clean);
    this.commentOffsets = comments.flatMap((c) => [c.startOffset, c.startOffset + c.image.length]);
  }

  /** Runs `f`, dropping its result when the CST was left incomplete by error recovery. */
  private attempt<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (e instanceof Missing) return undefined;
      throw e;
    }
  }
  /**
   * Builds each node, leaving out those with a syntax error inside: an item or statement
   * that recovery patched up would otherwise reach later passes looking valid.
   */
  private all<T>(list: readonly CstNode[], f: (n: CstNode) => T): T[] {
    return list.flatMap((n) => {
      const r = this.recovered(n) ? undefined : this.attempt(() => f(n));
      return r === undefined ? [] : [r];
    });
  }

  build(cst: CstNode, path: string): A.FileAst {
    const imports: A.ImportDecl[] = [];
    const decls: A.Decl[] = [];
    for (const top of nodes(cst.children, "topDecl")) {
      const c = top.children;
      const imp = optNode(c, "importDecl");
      if (imp !== undefined) {
        const d = this.attempt(() => this.importDecl(imp.children, this.nodeSpan(imp)));
        if (d !== undefined) imports.push(d);
        continue;
      }
      const d = this.attempt((): A.Decl => {
        const e = optNode(c, "enumDecl");
        if (e !== undefined) return this.enumDecl(e);
        const v = optNode(c, "variantDecl");
        return v !== undefined ? this.variantDecl(v) : this.blockDecl(node(c, "blockDecl"));
      });
      if (d !== undefined) decls.push(d);
    }
    return { kind: "File", path, imports, decls, span: this.span(0, this.text.length) };
  }

  // ------------------------------------------------------------ declarations

  private importDecl(c: Ctx, span: A.Span): A.ImportDecl {
    const str = tok(c, "StringLit");
    const path: A.StringLit = { kind: "String", value: stringValue(str.image), span: this.tokSpan(str) };
    const list = optNode(c, "nameList");
    return { kind: "Import", path, ...(list ? { names: this.nameList(list) } : {}), span };
  }

  private nameList(n: CstNode): A.Ident[] {
    return toks(n.children, "Name").map((t) => this.ident(t));
  }

  private enumDecl(n: CstNode): A.EnumDecl {
    const list = optNode(n.children, "nameList");
    return { kind: "Enum", name: this.ident(tok(n.children, "name")), members: list ? this.nameList(list) : [], span: this.nodeSpan(n) };
  }

  private variantDecl(n: CstNode): A.VariantDecl {
    const c = n.children;
    const call = optNode(c, "callSuffix");
    const overrides = this.all(nodes(c, "override"), (o): A.Override => ({
      path: toks(o.children, "path").map((t) => this.ident(t)),
      value: this.expr(node(o.children, "expr")),
      span: this.nodeSpan(o),
    }));
    const span = this.nodeSpan(n);
    const doc = this.docBefore(span.start);
    const display = optTok(c, "display");
    return {
      ...(display ? { displayName: { kind: "String", value: stringValue(display.image), span: this.tokSpan(display) } } : {}),
      kind: "Variant", name: this.ident(tok(c, "name")), base: this.ident(tok(c, "base")),
      args: call ? this.args(call) : [], overrides, ...(doc !== undefined ? { doc } : {}), span,
    };
  }

  private blockDecl(n: CstNode): A.BlockDecl {
    const c = n.children;
    const kind = tok(c, "kind").image as A.BlockKind | "model";
    const name = this.ident(tok(c, "name"));
    const params = this.all(nodes(c, "param"), (p): A.ParamDecl => {
      const d = this.typedName(p, "param");
      return { kind: "ParamDecl", ...d };
    });
    const where = this.all(nodes(c, "where"), (w) => this.expr(w));
    const bodyNode = node(c, "body");
    const items = this.all(nodes(bodyNode.children, "bodyItem"), (item) => this.bodyItem(item, kind));
    const span = this.nodeSpan(n);
    const doc = this.docBefore(span.start);
    return { kind: "Block", blockKind: kind, name, params, where, items, ...(doc !== undefined ? { doc } : {}), span };
  }

  /** `name: Type = default` (block parameters use list-friendly bracket reading). */
  private typedName(n: CstNode, mode: "param" | "builtin"): { name: A.Ident; type: A.TypeExpr; default?: A.Expr; span: A.Span } {
    const c = n.children;
    const def = optNode(c, "default");
    return {
      name: this.ident(tok(c, "name")), type: this.type(node(c, "type"), mode),
      ...(def ? { default: this.expr(def) } : {}), span: this.nodeSpan(n),
    };
  }

  private docBefore(start: number): string | undefined {
    return docBefore(this.text, this.commentOffsets, start);
  }

  // ------------------------------------------------------------ body items

  private misplaced(what: string, at: IToken, kind: A.BlockKind | "model", hint: string): void {
    this.diagnostics.push(diag("MM1005", this.tokSpan(at), { item: what, place: PLACE[kind] }, { hint }));
  }

  private bodyItem(n: CstNode, kind: A.BlockKind | "model"): A.BodyItem {
    const c = n.children;
    const sub = optNode(c, "letItem") ?? optNode(c, "paramItem") ?? optNode(c, "submoduleItem") ?? optNode(c, "forwardItem")
      ?? optNode(c, "routeItem") ?? optNode(c, "inputItem") ?? node(c, "fieldsItem");
    const sc = sub.children;
    const span = this.nodeSpan(sub);
    switch (sub.name) {
      case "letItem": {
        const type = optNode(sc, "type");
        return { kind: "Let", name: this.ident(tok(sc, "name")), ...(type ? { type: this.type(type, "builtin") } : {}), value: this.expr(node(sc, "value")), span };
      }
      case "paramItem": {
        const init = optNode(sc, "init");
        const cond = optNode(sc, "condition");
        return {
          kind: "TensorParam", ...(optTok(sc, "buffer") ? { buffer: true as const } : {}), name: this.ident(tok(sc, "name")), type: this.tensorType(node(sc, "tensorType")),
          ...(init ? { init: this.expr(init) } : {}), ...(cond ? { condition: this.expr(cond) } : {}), span,
        };
      }
      case "submoduleItem":
        return this.submodule(sub, span);
      case "forwardItem":
        return this.forward(sub, span, kind);
      case "routeItem": {
        if (kind !== "experts") this.misplaced("route", tok(sc, "RouteKw"), kind, "`route` chooses between the experts of an `experts` block");
        const call = optNode(sc, "callSuffix");
        return { kind: "Route", strategy: this.ident(tok(sc, "strategy")), args: call ? this.args(call) : [], span };
      }
      case "inputItem":
        if (kind !== "model") this.misplaced("input", tok(sc, "InputKw"), kind, "a block receives tensors through its forward's parameters");
        return { kind: "Input", name: this.ident(tok(sc, "name")), type: this.tensorType(node(sc, "tensorType")), span };
      default: {
        const kw = tok(sc, "kind");
        if (kind !== "model") this.misplaced(kw.image, kw, kind, `\`${kw.image}\` items belong to a model`);
        const fields = this.all(nodes(sc, "listField"), (f): A.ListField => ({
          key: this.ident(tok(f.children, "key")),
          values: this.all(nodes(f.children, "pathPattern"), (p) => this.pathPattern(p)),
          span: this.nodeSpan(f),
        }));
        const name = this.ident(tok(sc, "name"));
        return kw.image === "task" ? { kind: "Task", name, fields, span } : { kind: "Stage", name, fields, span };
      }
    }
  }

  private submodule(n: CstNode, span: A.Span): A.SubmoduleItem {
    const c = n.children;
    const call = this.postfix(node(c, "call"));
    if (call.kind !== "Call") {
      this.diagnostics.push(diag("MM1001", call.span, { message: "expected a block instance like `Name(args)` after '='" },
        { hint: "write `let name = ...` for a compile-time value" }));
      throw new Missing("call");
    }
    const count = optNode(c, "count");
    const index = optTok(c, "index");
    const cond = optNode(c, "condition");
    const repeat = count === undefined ? undefined : {
      count: this.expr(count),
      ...(index ? { index: this.ident(index) } : {}),
      span: this.span(tok(c, "RepeatKw").startOffset, index ? this.tokSpan(index).end : this.nodeSpan(count).end),
    };
    return {
      kind: "Submodule", name: this.ident(tok(c, "name")), call, ...(repeat ? { repeat } : {}),
      ...(cond ? { condition: this.expr(cond) } : {}), span,
    };
  }

  private forward(n: CstNode, span: A.Span, kind: A.BlockKind | "model"): A.ForwardItem {
    const c = n.children;
    const kw = tok(c, "ForwardKw");
    const hasSignature = toks(c, "LParen").length > 0;
    if (!hasSignature && kind !== "model") {
      this.misplaced("forward without a signature", kw, kind, "declare the inputs and output: `forward(x: [B, d]) -> [B, d] { ... }`");
    } else if (hasSignature && kind === "model") {
      this.misplaced("forward with a signature", kw, kind, "a model's forward is written `forward { ... }` and reads its `input` items");
    }
    const inputs = this.all(nodes(c, "input"), (i): A.ForwardInput => this.typedName(i, "builtin"));
    const namedOutputs = toks(c, "namedOpen").length > 0;
    const single = optNode(c, "output");
    const outputs: A.ForwardOutput[] = namedOutputs
      ? this.all(nodes(c, "namedOutput"), (o) => ({
        name: this.ident(tok(o.children, "name")), type: this.type(node(o.children, "type"), "tensor"), span: this.nodeSpan(o),
      }))
      : single ? [{ type: this.type(single, "tensor"), span: this.nodeSpan(single) }] : [];
    const body = node(c, "stmtBlock");
    if (hasSignature && optTok(c, "Arrow") === undefined) {
      const at = outputs[0]?.span ?? this.tokSpan(tok(body.children, "LBrace"));
      const message = outputs.length > 0 ? "expected '->' before the output type" : "expected '->' and an output type after the inputs";
      this.diagnostics.push(diag("MM1001", at, { message }, { hint: "a block's forward is written `forward(x: [B, d]) -> [B, d] { ... }`" }));
    }
    return { kind: "Forward", inputs, outputs, namedOutputs, hasSignature, body: this.stmtBlock(body), span };
  }

  private pathPattern(n: CstNode): A.PathPattern {
    // `layers.0.1` lexes `0.1` as one number: split it back into segments.
    const segments = nodes(n.children, "patternSegment").flatMap((s) => {
      const t = s.children;
      const text = (optTok(t, "Name") ?? optTok(t, "NumberLit") ?? optTok(t, "StarStar") ?? tok(t, "Star")).image;
      return text.split(".");
    });
    return { segments, span: this.nodeSpan(n) };
  }

  // ------------------------------------------------------------ statements

  private stmtBlock(n: CstNode): A.Stmt[] {
    return this.all(nodes(n.children, "stmt"), (s) => this.stmt(s));
  }

  private stmt(n: CstNode): A.Stmt {
    const exprStmt = optNode(n.children, "exprStmt");
    if (exprStmt !== undefined) return { kind: "ExprStmt", expr: this.expr(exprStmt), span: this.nodeSpan(n) };
    const sub = Object.values(n.children).flat()[0];
    if (sub === undefined || !("children" in sub)) throw new Missing("stmt");
    const c = sub.children;
    const span = this.nodeSpan(sub);
    const value = (): A.Expr => this.expr(node(c, "value"));
    switch (sub.name) {
      case "letStmt": {
        const list = optNode(c, "nameList");
        if (list !== undefined) return { kind: "LetStmt", names: this.nameList(list), destructure: true, value: value(), span };
        const type = optNode(c, "type");
        return {
          kind: "LetStmt", names: [this.ident(tok(c, "name"))], destructure: false,
          ...(type ? { type: this.type(type, "builtin") } : {}), value: value(), span,
        };
      }
      case "returnStmt":
        return { kind: "Return", value: value(), span };
      case "outputStmt": {
        const type = optNode(c, "tensorType");
        return { kind: "Output", name: this.ident(tok(c, "name")), ...(type ? { type: this.tensorType(type) } : {}), value: value(), span };
      }
      case "lossStmt":
        return { kind: "Loss", name: this.ident(tok(c, "name")), value: value(), span };
      case "assignStmt":
        return { kind: "Assign", name: this.ident(tok(c, "name")), value: value(), span };
      case "forStmt": {
        const index = optTok(c, "index");
        return {
          kind: "For", item: this.ident(tok(c, "item")), ...(index ? { index: this.ident(index) } : {}),
          iterable: this.expr(node(c, "iterable")), body: this.stmtBlock(node(c, "stmtBlock")), span,
        };
      }
      default:
        return this.ifStmt(sub);
    }
  }

  private ifStmt(n: CstNode): A.IfStmt {
    const c = n.children;
    const elseBlock = optNode(c, "else");
    const elseIf = optNode(c, "elseIf");
    const elseStmts = elseBlock ? this.stmtBlock(elseBlock) : elseIf ? [this.ifStmt(elseIf)] : undefined;
    return {
      kind: "If", cond: this.expr(node(c, "cond")), then: this.stmtBlock(node(c, "then")),
      ...(elseStmts ? { else: elseStmts } : {}), span: this.nodeSpan(n),
    };
  }
}
