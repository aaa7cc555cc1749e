// What the language server's answers share: the word at an offset, the declaration around it,
// a declaration's instances in the file's traced models and the shapes a name has there.
import type { BlockDecl, Decl, Span } from "../ast/ast.js";
import type { CheckedModel } from "../check/check-model.js";
import { formatTensorType } from "../base/tensor.js";
import type { Instance } from "../elaborate/instance.js";
import type { FileScope } from "../resolve/scope.js";
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

export const inside = (span: Span, file: string, offset: number): boolean => span.file === file && span.start <= offset && offset <= span.end;

/** The declaration (block, model) around an offset. */
export function declAt(scope: FileScope, offset: number): BlockDecl | undefined {
  return scope.ast.decls.find((d): d is BlockDecl => d.kind === "Block" && inside(d.span, scope.path, offset));
}

/** Every instance of a declaration in the traced models, with its model. */
export function instancesOf(models: readonly CheckedModel[], decl: BlockDecl): { model: CheckedModel; inst: Instance }[] {
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
export function typesOf(a: Analysis, decl: BlockDecl, name: string): { type: string; models: string[] }[] {
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

export function signature(d: Decl): string {
  if (d.kind === "Enum") return `enum ${d.name.name}`;
  if (d.kind === "Variant") return `model ${d.name.name} = ${d.base.name}(...)`;
  return `${d.blockKind} ${d.name.name}(${d.params.map((p) => p.name.name).join(", ")})`;
}

/** A span's text in the program. */
export const sourceOf = (a: Analysis, s: Span): string => a.program.sources.get(s.file)?.slice(s.start, s.end) ?? "";

/** The traced model declared around `offset`, else the file's first. */
export function modelAt(a: Analysis, offset: number): CheckedModel | undefined {
  const scope = a.scope;
  const decl = scope?.ast.decls.find((d) => (d.kind === "Block" || d.kind === "Variant") && inside(d.span, scope.path, offset));
  return a.models.find((m) => decl !== undefined && m.model.name === decl.name.name) ?? a.models[0];
}
