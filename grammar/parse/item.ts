// Body items: `let`, `param`/`buffer`, submodules, `forward`, `route`, `input`, `task` and
// `stage`, and the body that holds them. A body item is a recovery point like a statement
// (stmt.ts): an error inside one is reported, the item is left out of the AST, and parsing
// resumes at the next item. Misplaced items (MM1005) are reported and kept: they parse fine.
import type * as A from "../../compiler/ast/ast.js";
import { diag } from "../../compiler/diagnostics/diagnostic.js";
import { isName, Tok } from "../tokens.js";
import { StmtParser } from "./stmt.js";

const BODY_ITEM = "a body item (let, param, name = Block(...), forward, route, input, task or stage)";

const PLACE: Readonly<Record<A.BlockKind | "model", string>> = {
  block: "a block", tower: "a tower", fusion: "a fusion", experts: "an experts block",
  loss: "a loss block", head: "a head", model: "a model",
};

export type Kind = A.BlockKind | "model";

export class ItemParser extends StmtParser {
  /** The `}` of a list, where `other` is what could have continued it. */
  protected closeList(other: string): void {
    if (this.k() !== Tok.RBrace) this.fail(`${other} or '}'`);
    this.pos++;
  }


  /** `default layout name` starts at `i` (`default` is a word only there). */
  private defaultLayoutAt(i: number): boolean {
    return this.kindAt(i) === Tok.Identifier && this.kindAt(i + 1) === Tok.Layout && isName(this.kindAt(i + 2)) && this.image(i) === "default";
  }

  /** A body item starts at `i`: keyword-led items (a keyword followed by `=` names a
   *  submodule), `let`, `forward`, or `name =`. */
  private bodyItemStart(i: number): boolean {
    const k = this.kindAt(i);
    if (k === Tok.Let || k === Tok.Forward) return true;
    if (this.defaultLayoutAt(i)) return true;
    const next = this.kindAt(i + 1);
    if (next === Tok.Eq) return isName(k);
    if (!isName(next)) return false;
    return k === Tok.Param || k === Tok.Buffer || k === Tok.Route || k === Tok.Input || k === Tok.Task || k === Tok.Stage || k === Tok.Layout;
  }

  /** `{ items }`. A missing `}` before the next declaration is reported there, and the body ends. */
  protected body(kind: Kind): A.BodyItem[] {
    this.expect(Tok.LBrace);
    const items: A.BodyItem[] = [];
    const sync = (i: number): boolean =>
      (this.bodyItemStart(i) && (this.kindAt(i + 1) !== Tok.Eq || this.lineStart(i))) || this.declStart(i);
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
      if (!this.bodyItemStart(this.pos)) {
        // A name could have started an item (`name = ...`); anything else could only close the body.
        this.report(this.failure(isName(k) ? BODY_ITEM : "a body item or '}'"));
        if (k === Tok.Eof || this.declStart(this.pos)) break;
        this.pos++;
        this.skipTo(sync, true);
        continue;
      }
      const at = this.pos;
      try {
        const item = this.bodyItem(kind);
        if (item !== undefined) items.push(item);
      } catch (e) {
        this.recover(e, at, 0, sync, true);
      }
    }
    return items;
  }

  private misplaced(what: string, at: number, kind: Kind, hint: string): void {
    this.diagnostics.push(diag("MM1005", this.tokSpan(at), { item: what, place: PLACE[kind] }, { hint }));
  }

  /** An item; undefined for a submodule that is no call (reported). */
  private bodyItem(kind: Kind): A.BodyItem | undefined {
    const s = this.pos;
    const k = this.k();
    if (isName(k) && this.k(1) === Tok.Eq) return this.submodule();
    if (this.defaultLayoutAt(s)) {
      this.pos++;
      const l = this.layoutItem(true);
      if (kind !== "model") this.misplaced("default layout", s, kind, "the model that uses this block names its default layout: `default layout name` there");
      return l;
    }
    switch (k) {
      case Tok.Let: {
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
      case Tok.Param: case Tok.Buffer: {
        this.pos++;
        const name = this.ident(this.expectName());
        this.expect(Tok.Colon);
        const type = this.tensorType(true);
        const init = this.k() === Tok.Init ? (this.pos++, this.expr()) : undefined;
        const condition = this.k() === Tok.If ? (this.pos++, this.expr()) : undefined;
        return {
          kind: "TensorParam", ...(k === Tok.Buffer ? { buffer: true as const } : {}), name, type,
          ...(init ? { init } : {}), ...(condition ? { condition } : {}), span: this.from(s),
        };
      }
      case Tok.Forward: {
        const f = this.forward();
        if (!f.hasSignature && kind !== "model") {
          this.misplaced("forward without a signature", s, kind, "declare the inputs and output: `forward(x: [B, d]) -> [B, d] { ... }`");
        } else if (f.hasSignature && kind === "model") {
          this.misplaced("forward with a signature", s, kind, "a model's forward is written `forward { ... }` and reads its `input` items");
        }
        if (kind === "model" && !f.hasSignature) {
          // A model's results are its `output` statements; a `return` there would be lost.
          const stack: A.Stmt[] = [...f.body];
          while (stack.length > 0) {
            const st = stack.pop()!;
            if (st.kind === "Return") {
              this.diagnostics.push(diag("MM1005", { file: st.span.file, start: st.span.start, end: st.span.start + "return".length },
                { item: "return", place: "a model's forward" }, { hint: "a model's results are `output name = expr` (and `loss name = expr`)" }));
            }
            if (st.kind === "For") stack.push(...st.body);
            if (st.kind === "If") stack.push(...st.then, ...(st.else ?? []));
          }
        }
        return f;
      }
      case Tok.Route: {
        const r = this.route();
        if (kind !== "experts") this.misplaced("route", s, kind, "`route` chooses between the experts of an `experts` block");
        return r;
      }
      case Tok.Input: {
        this.pos++;
        const name = this.ident(this.expectName());
        this.expect(Tok.Colon);
        const type = this.tensorType(true);
        if (kind !== "model") this.misplaced("input", s, kind, "a block receives tensors through its forward's parameters");
        return { kind: "Input", name, type, span: this.from(s) };
      }
      case Tok.Layout: return this.layoutItem(false);
      default: {
        const f = this.fieldsItem();
        if (kind !== "model") this.misplaced(this.image(s), s, kind, `\`${this.image(s)}\` items belong to a model`);
        return f;
      }
    }
  }

  private route(): A.RouteItem {
    const s = this.pos++;
    if (this.k() === Tok.By && isName(this.k(1))) {
      this.pos++;
      return { kind: "Route", strategy: this.ident(this.pos++), args: [], span: this.from(s) };
    }
    if (!isName(this.k()) || this.k(1) !== Tok.LParen) this.fail("'by' or a routing strategy such as topk(...)");
    const strategy = this.ident(this.pos++);
    return { kind: "Route", strategy, args: this.args(), span: this.from(s) };
  }

  private submodule(): A.SubmoduleItem | undefined {
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
    const condition = this.k() === Tok.If ? (this.pos++, this.expr()) : undefined;
    if (call.kind !== "Call") {
      this.reportAt(call.span, "expected a block instance like `Name(args)` after '='", "write `let name = ...` for a compile-time value");
      return undefined;
    }
    return { kind: "Submodule", name, call, ...(repeat ? { repeat } : {}), ...(condition ? { condition } : {}), span: this.from(s) };
  }

  /** `layout name [with a, b] { "model.path": "checkpoint.key" ... }`, in any block; a rule
   *  is a recovery point. After `default` or `with` the rules are optional: its components'
   *  may be all. */
  private layoutItem(isDefault: boolean): A.LayoutItem {
    const s = isDefault ? this.pos - 1 : this.pos;
    this.pos++;
    const name = this.ident(this.expectName());
    const rules: A.LayoutRule[] = [];
    const flag = isDefault ? { default: true as const } : {};
    const others: A.Ident[] = [];
    if (this.k() === Tok.With) {
      do {
        this.pos++;
        others.push(this.ident(this.expectName()));
      } while (this.k() === Tok.Comma);
    }
    if ((isDefault || others.length > 0) && this.k() !== Tok.LBrace) return { kind: "Layout", ...flag, name, with: others, rules, span: this.from(s) };
    this.expect(Tok.LBrace);
    for (;;) {
      if (this.k() === Tok.Semi || this.k() === Tok.Comma) {
        this.pos++;
        continue;
      }
      if (this.k() !== Tok.StringLit) break;
      const r = this.pos;
      try {
        const model = this.expr();
        this.expect(Tok.Colon);
        const checkpoint = this.expr();
        if (model.kind !== "String") throw this.failure("a quoted model path");
        rules.push({ model, checkpoint, span: this.from(r) });
      } catch (e) {
        this.recover(e, r, 0, (i) => this.kindAt(i) === Tok.StringLit && this.lineStart(i), true);
      }
    }
    this.closeList("a rule such as `\"vision_model.**\": \"visual.**\"`");
    return { kind: "Layout", ...flag, name, with: others, rules, span: this.from(s) };
  }

  /** `task name { key: a, b ... }` or `stage name { ... }`. */
  private fieldsItem(): A.TaskItem | A.StageItem {
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
      if (!isName(this.k())) break;
      const f = this.pos;
      try {
        const key = this.ident(this.pos++);
        this.expect(Tok.Colon);
        const values = [this.pathPattern()];
        while (this.k() === Tok.Comma) {
          this.pos++;
          values.push(this.pathPattern());
        }
        fields.push({ key, values, span: this.from(f) });
      } catch (e) {
        // A field is a recovery point: the next `key:` or the `}` of the list.
        this.recover(e, f, 0, (i) => isName(this.kindAt(i)) && this.kindAt(i + 1) === Tok.Colon, true);
      }
    }
    this.closeList("a field such as `train: a, b`");
    return task ? { kind: "Task", name, fields, span: this.from(s) } : { kind: "Stage", name, fields, span: this.from(s) };
  }

  /** `layers.*.attn`: `layers.0.1` lexes `0.1` as one number, split back into segments. */
  private pathPattern(): A.PathPattern {
    const s = this.pos;
    const segments: string[] = [];
    for (;;) {
      const k = this.k();
      if (!isName(k) && k !== Tok.NumberLit && k !== Tok.StarStar && k !== Tok.Star) this.fail("a path segment (a name, a number, '*' or '**')");
      segments.push(...this.image(this.pos++).split("."));
      if (this.k() !== Tok.Dot) break;
      this.pos++;
    }
    return { segments, span: this.from(s) };
  }
}
