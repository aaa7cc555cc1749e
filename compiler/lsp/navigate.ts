// Definitions, document symbols and rename: where a name is declared, what a file declares,
// and where a name is written in the sense it has at a position.
import type { BlockDecl, Span, Stmt } from "../ast/ast.js";
import type { FileScope } from "../resolve/scope.js";
import { declAt, wordAt } from "./query.js";
import type { Analysis } from "./workspace.js";

/** Where the name at `offset` is declared: a block's own item, or a declaration in scope. */
export function definition(a: Analysis, text: string, offset: number): Span | undefined {
  const scope = a.scope;
  const w = wordAt(text, offset);
  if (!scope || !w) return undefined;
  const decl = declAt(scope, offset);
  for (const item of decl?.items ?? []) {
    if ((item.kind === "Submodule" || item.kind === "TensorParam" || item.kind === "Let" || item.kind === "Input") && item.name.name === w.word) return item.name.span;
    if (item.kind === "Forward") {
      const input = item.inputs.find((i) => i.name.name === w.word);
      if (input) return input.name.span;
      const bound = letIn(item.body, w.word, offset);
      if (bound) return bound;
    }
  }
  const p = decl?.params.find((x) => x.name.name === w.word);
  if (p) return p.name.span;
  return scope.names.get(w.word)?.decl.name.span;
}

/** The `let` that binds `name` before `offset` in a forward body (innermost block first). */
function letIn(body: readonly Stmt[], name: string, offset: number): Span | undefined {
  let found: Span | undefined;
  const stack = [...body];
  while (stack.length > 0) {
    const s = stack.shift()!;
    if (s.kind === "LetStmt" && s.span.start <= offset) found = s.names.find((n) => n.name === name)?.span ?? found;
    if (s.kind === "For") stack.unshift(...s.body);
    if (s.kind === "If") stack.unshift(...s.then, ...(s.else ?? []));
  }
  return found;
}

export interface SymbolInfo {
  readonly name: string;
  readonly kind: "model" | "block" | "enum" | "component" | "param" | "let" | "forward" | "input" | "task" | "stage" | "layout";
  readonly span: Span;
  readonly selection: Span;
  readonly detail?: string;
  readonly children: readonly SymbolInfo[];
}

/** The file's declarations and their items. */
export function symbols(scope: FileScope): SymbolInfo[] {
  return scope.ast.decls.map((d): SymbolInfo => {
    if (d.kind !== "Block") return { name: d.name.name, kind: d.kind === "Enum" ? "enum" : "model", span: d.span, selection: d.name.span, children: [] };
    const children = d.items.flatMap((i): SymbolInfo[] => {
      switch (i.kind) {
        case "Submodule": return [{ name: i.name.name, kind: "component", span: i.span, selection: i.name.span, detail: exprHead(i.call.callee), children: [] }];
        case "TensorParam": return [{ name: i.name.name, kind: "param", span: i.span, selection: i.name.span, children: [] }];
        case "Let": case "Input": case "Task": case "Stage": case "Layout":
          return [{ name: i.name.name, kind: i.kind === "Let" ? "let" : (i.kind.toLowerCase() as SymbolInfo["kind"]), span: i.span, selection: i.name.span, children: [] }];
        case "Forward": return [{ name: "forward", kind: "forward", span: i.span, selection: i.span, children: [] }];
        default: return [];
      }
    });
    return { name: d.name.name, kind: d.blockKind === "model" ? "model" : "block", span: d.span, selection: d.name.span, detail: d.blockKind, children };
  });
}

const exprHead = (e: { kind: string; name?: string }): string => (e.kind === "Name" && e.name ? e.name : "");

/** Where a name declared at `offset` is written, for a rename: a declaration (block, model,
 *  enum) in every file of the program that sees it; a block's own name (parameter, component,
 *  tensor, let) inside that block, but not as another call's argument name (`Linear(bias:
 *  ...)`) or after a `.` (`x.T`, another component's `.weight`). */
export function occurrences(a: Analysis, text: string, offset: number, tokensOf: (path: string) => { text: string; ids: { start: number; end: number; next: string; prev: string }[] } | undefined)
  : { name: string; spans: Span[] } | undefined {
  const scope = a.scope;
  const w = wordAt(text, offset);
  if (!scope || !w) return undefined;
  const target = definition(a, text, offset);
  if (!target) return undefined;
  const global = scope.names.get(w.word);
  const isDecl = global !== undefined && global.decl.name.span === target;
  const spans: Span[] = [];
  if (isDecl) {
    for (const [path, s] of a.program.files) {
      if (s.names.get(w.word)?.decl !== global.decl) continue;
      const t = tokensOf(path);
      for (const id of t?.ids ?? []) if (t!.text.slice(id.start, id.end) === w.word && id.prev !== ".") spans.push({ file: path, start: id.start, end: id.end });
    }
    return { name: w.word, spans };
  }
  const decl = declAt(scope, offset);
  if (!decl || target.file !== scope.path) return undefined;
  const t = tokensOf(scope.path)!;
  for (const id of t.ids) {
    if (id.start < decl.span.start || id.end > decl.span.end || t.text.slice(id.start, id.end) !== w.word) continue;
    const argumentName = id.next === ":" && (id.prev === "(" || id.prev === ",") && !isSignatureName(decl, id.start);
    if (id.prev === "." || argumentName) continue;
    spans.push({ file: scope.path, start: id.start, end: id.end });
  }
  // A block parameter is also an argument name where the block is called: `Res(8, hidden: 16)`.
  if (decl.params.some((p) => p.name.span === target)) {
    for (const [path, s] of a.program.files) {
      if (s.names.get(decl.name.name)?.decl !== decl) continue;
      const f = tokensOf(path);
      const ids = f?.ids ?? [];
      for (let i = 0; i < ids.length; i++) {
        const call = ids[i]!;
        if (f!.text.slice(call.start, call.end) !== decl.name.name || call.next !== "(") continue;
        if (path === decl.name.span.file && call.start === decl.name.span.start) continue; // the declaration, not a call
        let depth = 0;
        for (let j = call.end; j < f!.text.length; j++) {
          const c = f!.text[j]!;
          if (c === "(" || c === "[" || c === "{") depth++;
          else if (c === ")" || c === "]" || c === "}") { if (--depth === 0) break; }
          else if (depth === 1 && f!.text.startsWith(w.word, j) && /^\s*:/.test(f!.text.slice(j + w.word.length)) && /[(,]\s*$/.test(f!.text.slice(call.end, j))
            && !/[A-Za-z0-9_]/.test(f!.text[j - 1] ?? "")) {
            spans.push({ file: path, start: j, end: j + w.word.length });
          }
        }
      }
    }
  }
  return { name: w.word, spans };
}

/** A name in the block's parameter list or a forward's (`x: [B, d]`), where `:` gives its type. */
function isSignatureName(decl: BlockDecl, start: number): boolean {
  return decl.params.some((p) => p.name.span.start === start)
    || decl.items.some((i) => i.kind === "Forward" && i.inputs.some((x) => x.name.span.start === start));
}
