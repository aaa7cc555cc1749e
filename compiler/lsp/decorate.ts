// What the server paints on a document: shape inlay hints after lets, semantic tokens, and
// the quick fix a diagnostic's hint names.
import type { BlockDecl, Span } from "../ast/ast.js";
import { OPS } from "../ops/index.js";
import { isName, isReserved, Tok } from "../../grammar/tokens.js";
import { declAt, typesOf } from "./query.js";
import type { Analysis } from "./workspace.js";

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
