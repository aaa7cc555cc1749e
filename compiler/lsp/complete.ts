// Completion: a call's argument names, a model's component paths in its stages, tasks and
// overrides, the declaration's own names and dims, declarations in scope, ops, keywords.
import type { BlockDecl, VariantDecl } from "../ast/ast.js";
import type { Instance } from "../elaborate/instance.js";
import { OPS } from "../ops/index.js";
import { declAt, inside, signature, sourceOf } from "./query.js";
import type { Analysis } from "./workspace.js";

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
