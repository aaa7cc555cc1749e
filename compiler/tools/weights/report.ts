// The key report of loading a checkpoint into a model: what PyTorch's
// load_state_dict(strict=True) says, made readable. Missing keys (the model has them, the
// checkpoint not), unexpected keys (the other way) and shape or dtype mismatches, each
// grouped by component: a path's numeric segments become `*`, so 12 layers' missing
// `q_proj.weight` are one line. Each group names the nearest group of the other side as a
// hint (`q_proj` missing, `query` unexpected). `--allow-missing` / `--ignore-unexpected`
// patterns (`*` one segment, `**` any) take keys out of the verdict, not out of the report.
import { isFloatDType, type DType } from "../../base/tensor.js";
import { closest } from "../../diagnostics/suggest.js";

export interface KeyInfo {
  readonly path: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface KeyGroup {
  /** The path with numeric segments as `*`. */
  readonly pattern: string;
  readonly keys: readonly string[];
  /** The other side's nearest group, when one is near. */
  readonly nearest?: string;
  /** Keys the user's patterns allow (missing) or ignore (unexpected). */
  readonly allowed: number;
}

export interface Mismatch {
  readonly path: string;
  readonly model: KeyInfo;
  readonly checkpoint: KeyInfo;
  /** "shape", or "dtype" (an integer tensor cannot load a float one, or back). */
  readonly what: "shape" | "dtype";
}

export interface KeyReport {
  readonly matched: number;
  readonly missing: readonly KeyGroup[];
  readonly unexpected: readonly KeyGroup[];
  readonly mismatched: readonly Mismatch[];
  /** Nothing in the way: every mismatch and every missing or unexpected key is excused. */
  readonly ok: boolean;
}

export const groupPattern = (path: string): string => path.split(".").map((s) => (/^\d+$/.test(s) ? "*" : s)).join(".");

/** A `*`/`**` path pattern as a matcher over dotted paths: `*` is one segment (or part of
 *  one: `q_*`), `**` any number of segments. */
export function pathMatcher(pattern: string): (path: string) => boolean {
  if (pattern === "**") return () => true;
  let re = "^";
  let dot = "";
  for (const s of pattern.split(".")) {
    if (s === "**") {
      re += dot === "" ? "(?:[^.]+\\.)*" : "(?:\\.[^.]+)*";
      if (dot === "") continue; // a leading `**.` already ends in a dot
    } else {
      re += dot + s.split("*").map(escape).join("[^.]*");
    }
    dot = "\\.";
  }
  const compiled = new RegExp(`${re}$`);
  return (p) => compiled.test(p);
}
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function groups(keys: readonly string[], others: readonly string[], excused: (k: string) => boolean): KeyGroup[] {
  const byPattern = new Map<string, string[]>();
  for (const k of keys) {
    const g = groupPattern(k);
    const list = byPattern.get(g);
    if (list) list.push(k);
    else byPattern.set(g, [k]);
  }
  const otherPatterns = [...new Set(others.map(groupPattern))];
  return [...byPattern].map(([pattern, ks]) => {
    const nearest = nearestPattern(pattern, otherPatterns);
    return { pattern, keys: ks, ...(nearest !== undefined ? { nearest } : {}), allowed: ks.filter(excused).length };
  });
}

/** The other side's group nearest by edit distance over the whole path, or failing that the
 *  one sharing the longest prefix and the same last segment (`...attn.q_proj.weight` ~
 *  `...attn.query.weight`). */
function nearestPattern(pattern: string, others: readonly string[]): string | undefined {
  const near = closest(pattern, others);
  if (near !== undefined) return near;
  const last = pattern.slice(pattern.lastIndexOf(".") + 1);
  let best: string | undefined;
  let bestShared = 0;
  for (const o of others) {
    if (o.slice(o.lastIndexOf(".") + 1) !== last) continue;
    const a = pattern.split("."), b = o.split(".");
    let shared = 0;
    while (shared < a.length && shared < b.length && a[shared] === b[shared]) shared++;
    if (shared > bestShared && shared >= a.length - 2) { best = o; bestShared = shared; }
  }
  return best;
}

export function keyReport(model: readonly KeyInfo[], checkpoint: readonly KeyInfo[], options: {
  readonly allowMissing?: readonly string[];
  readonly ignoreUnexpected?: readonly string[];
} = {}): KeyReport {
  const ck = new Map(checkpoint.map((k) => [k.path, k]));
  const md = new Map(model.map((k) => [k.path, k]));
  const missing = model.filter((k) => !ck.has(k.path)).map((k) => k.path);
  const unexpected = checkpoint.filter((k) => !md.has(k.path)).map((k) => k.path);
  const mismatched: Mismatch[] = [];
  let matched = 0;
  for (const m of model) {
    const c = ck.get(m.path);
    if (c === undefined) continue;
    if (c.shape.join(",") !== m.shape.join(",")) mismatched.push({ path: m.path, model: m, checkpoint: c, what: "shape" });
    else if (isFloatDType(c.dtype) !== isFloatDType(m.dtype)) mismatched.push({ path: m.path, model: m, checkpoint: c, what: "dtype" });
    else matched++;
  }
  const allow = (options.allowMissing ?? []).map(pathMatcher);
  const ignore = (options.ignoreUnexpected ?? []).map(pathMatcher);
  const mg = groups(missing, unexpected, (k) => allow.some((f) => f(k)));
  const ug = groups(unexpected, missing, (k) => ignore.some((f) => f(k)));
  const ok = mismatched.length === 0 && mg.every((g) => g.allowed === g.keys.length) && ug.every((g) => g.allowed === g.keys.length);
  return { matched, missing: mg, unexpected: ug, mismatched, ok };
}
