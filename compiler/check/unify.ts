// Shape unification: solving a signature's dim patterns (`[B, T, width]`, `[..., 4 * d]`)
// against the dims of actual tensors, binding the symbols a call introduces.
import { Dim } from "../base/dims.js";

/** Solves `pattern = actual` for the pattern's unbound symbols; binds only on success. */
export function unifyDim(pattern: Dim, actual: Dim, bindings: Map<string, Dim>): boolean {
  // Fast paths for what most patterns are: a constant, or one symbol (bound: compare; free:
  // bind, as the general case below would).
  if (pattern.isConst()) return pattern.equals(actual);
  const sym = pattern.symbolName();
  if (sym !== undefined) {
    const bound = bindings.get(sym);
    if (bound !== undefined) return bound.equals(actual);
    bindings.set(sym, actual);
    return true;
  }
  const free = pattern.symbols().filter((s) => !bindings.has(s));
  const p = pattern.substitute(bindings);
  if (p.equals(actual)) {
    // The free symbols matched themselves (`B` against the caller's `B`): bind them so the
    // body can read them.
    for (const s of free) bindings.set(s, Dim.sym(s));
    return true;
  }
  const unknown = free.filter((s) => p.symbols().includes(s));
  if (unknown.length !== 1) return false;
  const s = unknown[0]!;
  const lin = p.linearIn(s);
  if (lin === undefined) return false;
  const v = actual.sub(lin.rest).exactDiv(lin.cof);
  if (v === undefined) return false;
  bindings.set(s, v);
  return true;
}

export type DimPattern = Dim | "...";
export type UnifyShapeResult =
  | { ok: true; ellipsis?: readonly Dim[] }
  | { ok: false; index: number; reason: "rank" | "dim" };

/** Matches a shape pattern (at most one "...") against a shape; bindings change only on success. */
export function unifyShape(pattern: readonly DimPattern[], actual: readonly Dim[], bindings: Map<string, Dim>): UnifyShapeResult {
  const e = pattern.indexOf("...");
  if (e >= 0 && pattern.lastIndexOf("...") !== e) throw new Error("internal: more than one '...' in a shape pattern");
  const fixed = pattern.length - (e >= 0 ? 1 : 0);
  if (e < 0 ? actual.length !== fixed : actual.length < fixed)
    return { ok: false, index: e >= 0 ? e : Math.max(0, Math.min(actual.length, pattern.length - 1)), reason: "rank" };
  // unifyDim only adds bindings, never changes one: a failure undoes the ones added here
  // (the last in insertion order) instead of every call working on a copy.
  const before = bindings.size;
  const extra = actual.length - fixed;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === "...") continue;
    if (!unifyDim(p, actual[e >= 0 && i > e ? i - 1 + extra : i]!, bindings)) {
      if (bindings.size > before) [...bindings.keys()].slice(before).forEach((k) => bindings.delete(k));
      return { ok: false, index: i, reason: "dim" };
    }
  }
  return e >= 0 ? { ok: true, ellipsis: actual.slice(e, e + extra) } : { ok: true };
}
