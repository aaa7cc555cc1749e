// The math of `mm diff`: when two aligned components run different forwards (another block
// in the same place, or the models' own forwards), their statements are compared line by
// line (each statement as written, whitespace and comments folded; a `for` or `if` as its
// header line, then its body) with a longest common subsequence, and each changed
// statement names the ops and blocks it stopped or started calling. Swapping a softmax
// contrastive loss for a sigmoid one then reads "calls -cross_entropy +softplus", not "100%
// similar".
import type { Span, Stmt } from "../../ast/ast.js";
import type { Instance } from "../../elaborate/instance.js";

export interface StatementChange {
  readonly status: "removed" | "added" | "changed";
  readonly a?: string;
  readonly b?: string;
}

export interface ForwardDiff {
  readonly changes: readonly StatementChange[];
  /** Callees (ops, functions, submodules) called fewer times in B, and more times. */
  readonly calls: { readonly removed: readonly string[]; readonly added: readonly string[] };
}

/** Lines longer than this are cut in the diff (a statement may be a page of arithmetic). */
const MAX_LINE = 160;
/** Statements compared per forward; beyond it the rest count as changed in bulk. */
const MAX_STATEMENTS = 2000;

/** The forward's statements as lines: flattened, whitespace and comments folded. */
export function forwardLines(body: readonly Stmt[], text: string): string[] {
  const out: string[] = [];
  const norm = (s: string): string => s.replace(/#[^\n]*/g, "").replace(/\s+/g, " ").trim();
  const slice = (span: Span, end = span.end): string => norm(text.slice(span.start, end));
  // Iterative, so a deeply nested body costs no stack.
  const work: (Stmt | string)[] = [...body].reverse();
  while (work.length && out.length < MAX_STATEMENTS) {
    const s = work.pop()!;
    if (typeof s === "string") { out.push(s); continue; }
    if (s.kind === "For" || s.kind === "If") {
      const inner = s.kind === "For" ? s.body : [...s.then, ...(s.else ?? [])];
      const first = inner[0];
      out.push(slice(s.span, first ? first.span.start : s.span.end));
      if (s.kind === "If" && s.else?.length) {
        work.push("}", ...[...s.else].reverse(), "} else {", ...[...s.then].reverse());
      } else {
        work.push("}", ...[...inner].reverse());
      }
      continue;
    }
    out.push(slice(s.span));
  }
  return out.map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE - 1) + "…" : l));
}

const KEYWORDS = new Set(["if", "for", "return", "in", "and", "or", "not", "let", "else"]);

/** Names called in a line: `name(` and `a.b(` (the last segment), in order, repeated. */
function callees(line: string): string[] {
  return [...line.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]!).filter((n) => !KEYWORDS.has(n));
}

/** Multiset difference: what `a` has more of than `b`, sorted. */
function more(a: readonly string[], b: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const x of b) count.set(x, (count.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = count.get(x) ?? 0;
    if (n > 0) count.set(x, n - 1);
    else out.push(x);
  }
  return [...new Set(out)].sort();
}

/** Line diff by longest common subsequence: O(n·m) cells, n and m capped above. */
export function diffLines(a: readonly string[], b: readonly string[]): StatementChange[] {
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
    lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const raw: StatementChange[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { i++; j++; continue; }
    // Removals before additions where both keep the subsequence, as diff(1) shows them.
    if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) raw.push({ status: "removed", a: a[i++]! });
    else raw.push({ status: "added", b: b[j++]! });
  }
  // A removal next to an addition is one statement rewritten.
  const out: StatementChange[] = [];
  for (let k = 0; k < raw.length; k++) {
    const x = raw[k]!, y = raw[k + 1];
    if (y && x.status === "removed" && y.status === "added") { out.push({ status: "changed", a: x.a!, b: y.b! }); k++; }
    else out.push(x);
  }
  return out;
}

/** The forward diff of two components, when they run different forwards with text to read. */
export function diffForwards(a: Instance, b: Instance, sources: ReadonlyMap<string, string>): ForwardDiff | undefined {
  const fa = a.forward, fb = b.forward;
  if (!fa || !fb || fa === fb) return undefined;
  const ta = sources.get(fa.span.file), tb = sources.get(fb.span.file);
  if (ta === undefined || tb === undefined) return undefined;
  const la = forwardLines(fa.body, ta), lb = forwardLines(fb.body, tb);
  const changes = diffLines(la, lb);
  if (!changes.length) return undefined;
  const ca = la.flatMap(callees), cb = lb.flatMap(callees);
  return { changes, calls: { removed: more(ca, cb), added: more(cb, ca) } };
}
