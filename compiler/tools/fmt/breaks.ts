// Line breaks for crammed bodies. The layout (layout.ts) keeps line breaks as written, so a
// declaration written on one line (`block B(d: Int) { param w: [d]; forward(x: [d]) -> [d]
// { return x * w } }`) would stay on one line. Here the AST says where the members of a
// declaration's body and the statements of a `forward` start: each of them, and the body's
// closing `}`, begins a line, and so does every top-level declaration. Short inline braces
// (`if c { return x }`, `task t { ... }`, `with { ... }`) are the stdlib's canonical style
// and stay as written. Only whitespace is added, so the tokens stay the same (index.ts checks).
import type { BodyItem, FileAst, Stmt } from "../../ast/ast.js";

/** Offsets (ascending, distinct) before which a line break goes. */
export function crammedBreaks(text: string, ast: FileAst): number[] {
  const at = new Set<number>();
  // The first non-blank offset of every line (a scan back per member would be quadratic in a
  // long crammed line).
  const firsts = new Set<number>();
  for (let i = 0, lineStart = true; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") lineStart = true;
    else if (c !== " " && c !== "\t" && c !== "\r") {
      if (lineStart) firsts.add(i);
      lineStart = false;
    }
  }
  const startsLine = (offset: number): boolean => firsts.has(offset);
  const body = (members: readonly (BodyItem | Stmt)[], end: number): void => {
    if (members.length === 0) return;
    for (const m of members) if (!startsLine(m.span.start)) at.add(m.span.start);
    const close = end - 1; // the body's `}` ends the declaration or the forward
    if (text[close] === "}" && !startsLine(close)) at.add(close);
  };
  // Every import and declaration begins a line too (the layout then puts a blank line before it).
  for (const d of [...ast.imports, ...ast.decls]) if (!startsLine(d.span.start)) at.add(d.span.start);
  for (const d of ast.decls) {
    if (d.kind !== "Block") continue;
    body(d.items, d.span.end);
    for (const item of d.items) if (item.kind === "Forward") body(item.body, item.span.end);
  }
  return [...at].sort((a, b) => a - b);
}

/** `text` with a newline inserted before each offset. */
export function insertBreaks(text: string, offsets: readonly number[]): string {
  if (offsets.length === 0) return text;
  const parts: string[] = [];
  let from = 0;
  for (const o of offsets) {
    parts.push(text.slice(from, o).replace(/[ \t]+$/, ""), "\n");
    from = o;
  }
  parts.push(text.slice(from));
  return parts.join("");
}
