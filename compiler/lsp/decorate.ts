// What the server paints on a document: shape inlay hints after lets, semantic tokens, and
// the quick fix a diagnostic's hint names.
import type { BlockDecl, CallExpr, Span, Stmt } from "../ast/ast.js";
import { formatTensorType } from "../base/tensor.js";
import { OPS } from "../ops/index.js";
import { isName, isReserved, Tok } from "../../grammar/tokens.js";
import { declAt, instancesOf, typesOf } from "./query.js";
import type { Analysis } from "./workspace.js";

/** Which inlay hints to give (the client's initializationOptions.inlayHints). */
export interface HintOptions {
  /** `: [shape]` after each name a forward `let` binds once, where every model agrees. */
  readonly lets?: boolean;
  /** `: [shape]` after a component's call, where it is called once and every model agrees. */
  readonly calls?: boolean;
}

export function inlayHints(a: Analysis, o: HintOptions = {}): { offset: number; label: string }[] {
  const scope = a.scope;
  if (!scope) return [];
  const out: { offset: number; label: string }[] = [];
  for (const d of scope.ast.decls) {
    if (d.kind !== "Block") continue;
    for (const item of d.items) {
      if (item.kind !== "Forward") continue;
      if (o.lets !== false) {
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
      if (o.calls !== false) out.push(...callHints(a, d, item.body));
    }
  }
  return out.sort((x, y) => x.offset - y.offset);
}

/** A component called once in a forward: its output's shape after the call, where every
 *  instance in the file's models gives the same one. */
function callHints(a: Analysis, d: BlockDecl, body: readonly Stmt[]): { offset: number; label: string }[] {
  const components = new Set(d.items.filter((i) => i.kind === "Submodule").map((i) => (i as { name: { name: string } }).name.name));
  const calls = new Map<string, CallExpr[]>();
  const stack: unknown[] = [...body];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null || typeof n !== "object") continue;
    if (Array.isArray(n)) { stack.push(...n); continue; }
    const node = n as { kind?: string; callee?: { kind: string; name?: string } };
    if (node.kind === "Call" && node.callee?.kind === "Name" && components.has(node.callee.name!)) {
      calls.set(node.callee.name!, [...(calls.get(node.callee.name!) ?? []), n as CallExpr]);
    }
    for (const [k, v] of Object.entries(n)) if (k !== "span" && typeof v === "object") stack.push(v);
  }
  const out: { offset: number; label: string }[] = [];
  for (const [name, sites] of calls) {
    if (sites.length !== 1) continue;
    const types = new Set<string>();
    for (const { model, inst } of instancesOf(a.models, d)) {
      const child = inst.children.get(name);
      for (const r of model.graph?.shapes ?? []) if (child && r.scope === child.path && r.role === "output") types.add(formatTensorType(r.type));
    }
    if (types.size === 1) out.push({ offset: sites[0]!.span.end, label: `: ${[...types][0]}` });
  }
  return out;
}

/** The edits a diagnostic's hint names, as quick fixes (offsets into the span's text): the
 *  identifier it suggests for the one at the span (`did you mean \`Linear\`?`, `mm writes
 *  \`float16\``), or the nearest valid values of a named argument of the call at the span
 *  (`nearest valid image: 224 or 256` for `image: 225`). */
export function quickFixes(hint: string | undefined, spanText: string): { title: string; start: number; end: number; text: string }[] {
  if (hint === undefined) return [];
  const name = /(?:did you mean|mm writes) `([A-Za-z_][A-Za-z0-9_]*)`/.exec(hint);
  if (name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(spanText) && name[1] !== spanText) {
    return [{ title: `Replace with '${name[1]}'`, start: 0, end: spanText.length, text: name[1]! }];
  }
  const near = /nearest valid ([A-Za-z_][A-Za-z0-9_]*): ([0-9]+)(?: or ([0-9]+))?/.exec(hint);
  const arg = near ? new RegExp(`\\b${near[1]}\\s*:\\s*([0-9][0-9_]*)\\b`, "d").exec(spanText) : null;
  if (!near || !arg) return [];
  const [start, end] = arg.indices![1]!;
  return [near[2], near[3]].filter((v): v is string => v !== undefined).map((v) => ({ title: `Set ${near[1]} to ${v}`, start, end, text: v }));
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
