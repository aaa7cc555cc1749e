// What the language server answers, as offsets and plain data (server.ts turns them into
// LSP positions): hover (a tensor's shape where the checker traced it; a component's block,
// kind and parameters; a declaration's signature; an op's rule), definitions across files and
// into the stdlib, document symbols, completion and shape inlay hints. Shapes come from the
// traced models of the file (Workspace.analyze): a block's tensors have the shapes of its
// instances there, every distinct one listed.
import type { BlockDecl, Decl, Span, Stmt, VariantDecl } from "../ast/ast.js";
import type { CheckedModel } from "../check/check-model.js";
import { formatTensorType } from "../base/tensor.js";
import { allParams, type Instance } from "../elaborate/instance.js";
import { trainedIn } from "../elaborate/stages.js";
import { OPS } from "../ops/index.js";
import type { FileScope } from "../resolve/scope.js";
import { isName, isReserved, Tok } from "../../grammar/tokens.js";
import type { Analysis } from "./workspace.js";

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** The identifier at an offset (or ending there), with its span. */
export function wordAt(text: string, offset: number): { word: string; start: number } | undefined {
  let s = Math.min(offset, text.length);
  while (s > 0 && /[A-Za-z0-9_]/.test(text[s - 1]!)) s--;
  IDENT.lastIndex = s;
  const m = IDENT.exec(text);
  return m && s + m[0].length >= offset ? { word: m[0], start: s } : undefined;
}

const inside = (span: Span, file: string, offset: number): boolean => span.file === file && span.start <= offset && offset <= span.end;

/** The declaration (block, model) around an offset. */
function declAt(scope: FileScope, offset: number): BlockDecl | undefined {
  return scope.ast.decls.find((d): d is BlockDecl => d.kind === "Block" && inside(d.span, scope.path, offset));
}

/** Every instance of a declaration in the traced models, with its model. */
function instancesOf(models: readonly CheckedModel[], decl: BlockDecl): { model: CheckedModel; inst: Instance }[] {
  const out: { model: CheckedModel; inst: Instance }[] = [];
  for (const model of models) {
    const stack: Instance[] = [model.model.root];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if ((i.decl ?? i.template?.decl) === decl) out.push({ model, inst: i });
      stack.push(...i.children.values());
    }
  }
  return out;
}

/** The distinct types a name has in a declaration's traced instances, with the models that
 *  give each, the most common first. */
function typesOf(a: Analysis, decl: BlockDecl, name: string): { type: string; models: string[] }[] {
  const by = new Map<string, Set<string>>();
  for (const { model, inst } of instancesOf(a.models, decl)) {
    for (const r of model.graph?.shapes ?? []) {
      if (r.scope !== inst.path || r.name !== name) continue;
      const t = formatTensorType(r.type);
      by.set(t, (by.get(t) ?? new Set()).add(model.model.name));
    }
  }
  return [...by].map(([type, models]) => ({ type, models: [...models] })).sort((x, y) => y.models.length - x.models.length);
}

function signature(d: Decl): string {
  if (d.kind === "Enum") return `enum ${d.name.name}`;
  if (d.kind === "Variant") return `model ${d.name.name} = ${d.base.name}(...)`;
  return `${d.blockKind} ${d.name.name}(${d.params.map((p) => p.name.name).join(", ")})`;
}

/** The traced model declared around `offset`, else the file's first. */
export function modelAt(a: Analysis, offset: number): CheckedModel | undefined {
  const scope = a.scope;
  const decl = scope?.ast.decls.find((d) => (d.kind === "Block" || d.kind === "Variant") && inside(d.span, scope.path, offset));
  return a.models.find((m) => decl !== undefined && m.model.name === decl.name.name) ?? a.models[0];
}

/** Markdown for a hover at `offset`, or undefined. */
export function hover(a: Analysis, text: string, offset: number): string | undefined {
  const scope = a.scope;
  const w = wordAt(text, offset);
  if (!scope || !w) return undefined;
  const decl = declAt(scope, offset);
  if (decl) {
    const types = typesOf(a, decl, w.word);
    if (types.length === 1) return `**${w.word}**: \`${types[0]!.type}\``;
    if (types.length > 1) {
      const in2 = (ms: string[]): string => ms.slice(0, 2).join(", ") + (ms.length > 2 ? ` and ${ms.length - 2} more` : "");
      return [`**${w.word}**, by model:`, ...types.slice(0, 6).map((t) => `- \`${t.type}\` in ${in2(t.models)}`),
        ...(types.length > 6 ? [`- and ${types.length - 6} more shapes`] : [])].join("\n");
    }
    const child = instancesOf(a.models, decl).map(({ inst }) => inst.children.get(w.word)).find((c) => c !== undefined);
    if (child) {
      const ps = allParams(child);
      const params = ps.reduce((n, p) => n + p.shape.reduce((m, d) => m * (d.constValue() ?? 0), 1), 0);
      const model = instancesOf(a.models, decl).find(({ inst }) => inst.children.get(w.word) === child)!.model.model;
      const frozen = model.stages.filter((st) => ps.length > 0 && ps.every((p) => !trainedIn(st, p.path))).map((st) => st.name);
      const stages = model.stages.length === 0 || ps.length === 0 ? "" : frozen.length === 0 ? "; trained in every stage"
        : `; frozen in ${frozen.length === model.stages.length ? "every stage" : `stage${frozen.length > 1 ? "s" : ""} ${frozen.join(", ")}`}`;
      return `**${w.word}**: ${child.kind} \`${child.declName}\`, ${params.toLocaleString("en-US")} parameters${stages}`;
    }
  }
  const ref = scope.names.get(w.word);
  if (ref) return [`\`\`\`mm\n${signature(ref.decl)}\n\`\`\``, ref.decl.kind !== "Enum" ? ref.decl.doc : undefined].filter(Boolean).join("\n\n");
  const op = OPS.get(w.word);
  if (op) return `\`\`\`mm\n${op.name}(${op.params.map((p) => p.name).join(", ")})\n\`\`\`\n\n${op.doc}\n\nShape: ${op.shapeRule}`;
  return undefined;
}

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

export interface CompletionInfo {
  readonly label: string;
  readonly kind: "block" | "model" | "enum" | "op" | "keyword" | "local" | "argument" | "path" | "dim";
  readonly detail?: string;
}

const KEYWORDS = ["let", "forward", "return", "if", "then", "else", "for", "in", "param", "buffer", "repeat", "input", "output",
  "loss", "task", "stage", "layout", "import", "model", "block", "tower", "fusion", "experts", "head", "none", "true", "false"];

/** Names that fit at `offset`: the declaration's own items and parameters, declarations in
 *  scope with their signatures, ops with theirs, keywords. */
export function completion(a: Analysis, offset: number, text = ""): CompletionInfo[] {
  const scope = a.scope;
  const out = new Map<string, CompletionInfo>();
  // Inside a call's parentheses: the callee's parameters first, as `name:`, with type and default.
  const callee = calleeAt(text, offset);
  const ref = callee === undefined ? undefined : scope?.names.get(callee);
  if (ref?.decl.kind === "Block") {
    for (const p of ref.decl.params) {
      out.set(`${p.name.name}:`, { label: `${p.name.name}:`, kind: "argument", detail: `${sourceOf(a, p.type.span)}${p.default ? ` = ${sourceOf(a, p.default.span)}` : ""}` });
    }
  }
  const op = callee === undefined ? undefined : OPS.get(callee);
  for (const p of op?.params ?? []) {
    out.set(`${p.name}:`, { label: `${p.name}:`, kind: "argument", detail: `${p.kind}${p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ""}` });
  }
  // In a stage, a task or a variant's overrides: the model's component paths.
  for (const path of componentPaths(a, offset)) out.set(path, { label: path, kind: "path", detail: "component" });
  // Dims the declaration already uses (`B`, `T`).
  const here = scope ? declAt(scope, offset) : undefined;
  if (here) {
    const src = sourceOf(a, here.span);
    for (const m of src.matchAll(/\b[A-Z][A-Z0-9_]*\b/g)) if (!out.has(m[0]) && !scope?.names.has(m[0])) out.set(m[0], { label: m[0], kind: "dim", detail: "symbolic dim" });
  }
  const decl = scope ? declAt(scope, offset) : undefined;
  for (const item of decl?.items ?? []) {
    if ("name" in item && item.name && !out.has(item.name.name)) out.set(item.name.name, { label: item.name.name, kind: "local", detail: item.kind.toLowerCase() });
  }
  for (const p of decl?.params ?? []) if (!out.has(p.name.name)) out.set(p.name.name, { label: p.name.name, kind: "local", detail: "parameter" });
  for (const [name, ref] of scope?.names ?? []) {
    if (!out.has(name)) out.set(name, { label: name, kind: ref.decl.kind === "Enum" ? "enum" : ref.decl.kind === "Variant" || ref.decl.blockKind === "model" ? "model" : "block", detail: signature(ref.decl) });
  }
  for (const op of OPS.values()) if (!out.has(op.name)) out.set(op.name, { label: op.name, kind: "op", detail: `${op.name}(${op.params.map((p) => p.name).join(", ")})` });
  for (const k of KEYWORDS) if (!out.has(k)) out.set(k, { label: k, kind: "keyword" });
  return [...out.values()];
}

/** Component paths of the model whose stage, task or variant overrides hold `offset`: every
 *  component to three levels, a stack's layers as `*`. */
function componentPaths(a: Analysis, offset: number): string[] {
  const scope = a.scope;
  const decl = scope?.ast.decls.find((d): d is BlockDecl | VariantDecl => (d.kind === "Block" || d.kind === "Variant") && inside(d.span, scope.path, offset));
  if (!scope || !decl) return [];
  const inItem = decl.kind === "Variant" || decl.items.some((i) => (i.kind === "Stage" || i.kind === "Task") && inside(i.span, scope.path, offset));
  const model = a.models.find((m) => m.model.name === decl.name.name);
  if (!inItem || !model) return [];
  const out = new Set<string>();
  const stack: { inst: Instance; path: string; depth: number }[] = [...model.model.root.children.values()].map((c) => ({ inst: c, path: c.name, depth: 1 }));
  while (stack.length > 0) {
    const { inst, path, depth } = stack.pop()!;
    out.add(path);
    if (depth >= 3) continue;
    const kids = [...inst.children.values()];
    if (inst.kind === "stack" && kids.length > 0) stack.push({ inst: kids[0]!, path: `${path}.*`, depth: depth + 1 });
    else for (const c of kids) stack.push({ inst: c, path: `${path}.${c.name}`, depth: depth + 1 });
  }
  return [...out].sort();
}

/** The name called by the innermost unclosed `(` before `offset`, if any. */
function calleeAt(text: string, offset: number): string | undefined {
  let depth = 0;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === ")" || c === "]") depth++;
    else if (c === "[") depth--;
    else if (c === "(") {
      if (depth > 0) { depth--; continue; }
      return /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text.slice(Math.max(0, i - 200), i))?.[1];
    } else if (c === "{" || c === "}" || (c === "\n" && depth < 0)) return undefined;
  }
  return undefined;
}

/** A span's text in the program. */
const sourceOf = (a: Analysis, s: Span): string => a.program.sources.get(s.file)?.slice(s.start, s.end) ?? "";

/** `: [shape]` after each name a forward `let` binds once, where every instance agrees. */
export function inlayHints(a: Analysis): { offset: number; label: string }[] {
  const scope = a.scope;
  if (!scope) return [];
  const out: { offset: number; label: string }[] = [];
  for (const d of scope.ast.decls) {
    if (d.kind !== "Block") continue;
    for (const item of d.items) {
      if (item.kind !== "Forward") continue;
      const lets: { name: string; span: Span }[] = [];
      const stack = [...item.body];
      while (stack.length > 0) {
        const s = stack.pop()!;
        if (s.kind === "LetStmt" && s.type === undefined) for (const n of s.names) lets.push({ name: n.name, span: n.span });
        if (s.kind === "For") stack.push(...s.body);
        if (s.kind === "If") stack.push(...s.then, ...(s.else ?? []));
      }
      const once = lets.filter((l) => lets.filter((m) => m.name === l.name).length === 1);
      for (const l of once) {
        const types = typesOf(a, d, l.name);
        if (types.length === 1) out.push({ offset: l.span.end, label: `: ${types[0]!.type}` });
      }
    }
  }
  return out.sort((x, y) => x.offset - y.offset);
}

/** The replacement a diagnostic's hint names for the identifier it points at (`did you mean
 *  \`widht\`?`, `mm writes \`float16\``), as a quick fix; undefined when there is none. */
export function quickFix(hint: string | undefined, spanText: string): string | undefined {
  const m = hint === undefined ? null : /(?:did you mean|mm writes) `([A-Za-z_][A-Za-z0-9_]*)`/.exec(hint);
  return m && /^[A-Za-z_][A-Za-z0-9_]*$/.test(spanText) && m[1] !== spanText ? m[1] : undefined;
}

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

/** The semantic token types, in legend order. */
export const SEMANTIC_TYPES = ["class", "enum", "type", "typeParameter", "parameter", "property", "variable", "function", "keyword", "number", "string", "comment"] as const;
export type SemanticType = (typeof SEMANTIC_TYPES)[number];

const BUILTIN_TYPES = new Set(["Int", "Float", "Bool", "String", "Block", "Tower", "Fusion", "Experts", "Loss", "Head"]);

/** Each token's meaning, from mm's lexer and the file's scopes: declarations in scope,
 *  parameters and items of the enclosing declaration, ops called, dims, keywords where they
 *  lead an item, literals and comments. Sorted by offset. */
export function semanticTokens(a: Analysis, tokens: { kind: Tok; start: number; end: number; image: string }[], comments: readonly number[])
  : { start: number; end: number; type: SemanticType }[] {
  const scope = a.scope;
  const out: { start: number; end: number; type: SemanticType }[] = [];
  for (let c = 0; c < comments.length; c += 2) out.push({ start: comments[c]!, end: comments[c + 1]!, type: "comment" });
  const declOf = (offset: number): BlockDecl | undefined => (scope ? declAt(scope, offset) : undefined);
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1], next = tokens[i + 1];
    const push = (type: SemanticType): void => void out.push({ start: t.start, end: t.end, type });
    if (t.kind === Tok.NumberLit) return push("number");
    if (t.kind === Tok.StringLit) return push("string");
    if (isReserved(t.kind)) return push("keyword");
    if (!isName(t.kind)) return;
    const leads = next !== undefined && (isName(next.kind) || next.kind === Tok.NumberLit || next.kind === Tok.StringLit || next.kind === Tok.LBrace);
    if (t.kind !== Tok.Identifier && leads && prev?.kind !== Tok.Dot) return push("keyword");
    if (prev?.kind === Tok.Dot) return push("property");
    if (BUILTIN_TYPES.has(t.image)) return push("type");
    const d = declOf(t.start);
    if (d?.params.some((p) => p.name.name === t.image)) return push("parameter");
    const item = d?.items.find((x) => "name" in x && x.name?.name === t.image);
    if (item?.kind === "Submodule" || item?.kind === "TensorParam") return push("property");
    if (item !== undefined) return push("variable");
    const ref = scope?.names.get(t.image);
    if (ref) return push(ref.decl.kind === "Enum" ? "enum" : "class");
    if (next?.kind === Tok.LParen && OPS.has(t.image)) return push("function");
    if (/^[A-Z][A-Z0-9_]*$/.test(t.image)) return push("typeParameter");
    return push("variable");
  });
  return out.sort((x, y) => x.start - y.start);
}
