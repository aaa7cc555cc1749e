// Shared helpers for the grammar tests: parse-and-assert, span stripping, and a compact
// S-expression printer so precedence tests read as one line.
import { expect } from "vitest";
import type { BlockDecl, BodyItem, Expr, FileAst, Stmt, TypeExpr } from "../../compiler/ast/ast.js";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { parseFile } from "../../grammar/index.js";

export function fmt(d: Diagnostic, text: string): string {
  return `${d.code} ${JSON.stringify(text.slice(d.span.start, d.span.end))} ${d.message}`;
}

/** Parses as `mm` does, and holds the parser to its contract: a clean file has no syntax
 *  error, and every diagnostic lies within the text. */
function parseChecked(text: string): ReturnType<typeof parseFile> {
  const r = parseFile("t.mm", text);
  for (const d of r.diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
  }
  return r;
}

/** Parses and asserts there is no diagnostic. */
export function parseOk(text: string): FileAst {
  const r = parseChecked(text);
  expect(r.diagnostics.map((d) => fmt(d, text))).toEqual([]);
  return r.ast;
}

/** Diagnostics as `CODE "source text" message` lines. */
export function diags(text: string): string[] {
  return parseChecked(text).diagnostics.map((d) => fmt(d, text));
}

/** A deep copy without `span` and `opSpan`, for structural comparisons. */
export function noSpans(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (k: string, x: unknown) => (k === "span" || k === "opSpan" ? undefined : x))) as unknown;
}

export function block(text: string, i = 0): BlockDecl {
  const d = parseOk(text).decls[i];
  if (d?.kind !== "Block") throw new Error(`declaration ${i} is not a block`);
  return d;
}

export function items(body: string, kind = "block"): BodyItem[] {
  return [...block(`${kind} T {\n${body}\n}`).items];
}

export function stmts(body: string): Stmt[] {
  const f = items(`forward(x: [B]) -> [B] {\n${body}\n}`)[0];
  if (f?.kind !== "Forward") throw new Error("no forward");
  return [...f.body];
}

export function expr(src: string): Expr {
  const item = items(`let v = ${src}`)[0];
  if (item?.kind !== "Let") throw new Error("no let");
  return item.value;
}

/** Compact form: `(+ a (* b c))`, `(call f a k:b)`, `[a b]`, `(. x T)`, `(idx x (: 1 _ _))`. */
export function show(e: Expr): string {
  switch (e.kind) {
    case "Int": case "Float": return e.text;
    case "String": return JSON.stringify(e.value);
    case "Bool": return String(e.value);
    case "None": return "none";
    case "Ellipsis": return "...";
    case "Name": return e.name;
    case "Binary": return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case "Unary": return `(${e.op} ${show(e.operand)})`;
    case "IfExpr": return `(if ${show(e.cond)} ${show(e.then)} ${show(e.else)})`;
    case "Call": return `(call ${[show(e.callee), ...e.args.map((a) => (a.name ? `${a.name.name}:` : "") + show(a.value))].join(" ")})`;
    case "Member": return `(. ${show(e.object)} ${e.member.name})`;
    case "Index": return `(idx ${[show(e.object), ...e.indices.map(show)].join(" ")})`;
    case "Slice": return `(: ${e.start ? show(e.start) : "_"} ${e.stop ? show(e.stop) : "_"} ${e.step ? show(e.step) : "_"})`;
    case "List": return `[${e.items.map(show).join(" ")}]`;
    case "Tuple": return `(tuple ${e.items.map((a) => (a.name ? `${a.name.name}:` : "") + show(a.value)).join(" ")})`;
  }
}

export function showType(t: TypeExpr): string {
  switch (t.kind) {
    case "NamedType": return t.name.name;
    case "ListType": return `list<${showType(t.element)}>`;
    case "TensorType": return `[${t.dims.map(show).join(", ")}]${t.dtype ? ` ${t.dtype.name}` : ""}`;
  }
}

/** The source text a span covers. */
export function src(text: string, s: { start: number; end: number }): string {
  return text.slice(s.start, s.end);
}
