// What a stage trains: its path patterns (`image` the subtree, `image.layers.*.attn`,
// `**.bias`), which pattern decides for a parameter, and whether a parameter trains at all.
// The checker, the backends' metadata and the tools read stages through here.
import type { ElaboratedModel, Instance, ParamTensor, StageInfo } from "./instance.js";
import { foldedStack } from "./stack.js";

/** A wildcard-free pattern's path prefix, joined once per pattern, not once per parameter. */
const prefixes = new WeakMap<readonly string[], string>();

/** True when the pattern names the parameter path or one of its ancestors. */
export function matchesPattern(pattern: readonly string[], path: string): boolean {
  let prefix = prefixes.get(pattern);
  if (prefix === undefined && !pattern.includes("*") && !pattern.includes("**")) prefixes.set(pattern, (prefix = pattern.join(".")));
  if (prefix !== undefined) {
    // No wildcard: the pattern is a path prefix (the common case, checked for every parameter).
    return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 46);
  }
  // With wildcards, dynamic programming over (pattern position, path position): linear in
  // their product, no recursion (a hostile pattern of 5,000 `**` is no deeper than one).
  const pat = collapseGlobs(pattern);
  const segs = path.split(".");
  // reach[j]: pattern[0..i) can match segs[0..j).
  let reach = new Uint8Array(segs.length + 1);
  reach[0] = 1;
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    const next = new Uint8Array(segs.length + 1);
    let any = false;
    for (let j = 0; j <= segs.length; j++) {
      if (!reach[j]) continue;
      if (p === "**") {
        for (let k = j; k <= segs.length; k++) next[k] = 1;
        any = true;
        break; // every later position is reached from the first
      }
      if (j < segs.length && (p === "*" || p === segs[j])) { next[j + 1] = 1; any = true; }
    }
    if (!any) return false;
    reach = next;
  }
  return reach.some((x) => x === 1); // a prefix names the whole subtree
}

/** A run of `**` matches what one does. */
export function collapseGlobs(pattern: readonly string[]): readonly string[] {
  if (!pattern.some((p, i) => p === "**" && pattern[i - 1] === "**")) return pattern;
  return pattern.filter((p, i) => !(p === "**" && pattern[i - 1] === "**"));
}

/**
 * Whether some parameter of the tree has a path that `matchesPattern` accepts. Walks names
 * instead of listing paths (a child's path is its parent's plus its name, as a parameter's
 * is), and reads a memoized copy through its template, so no copy's subtree is built.
 */
export function matchesSomeParam(root: Instance, globs: readonly string[]): boolean {
  // Collapsed, the recursion below is at most twice as deep as the tree (each step either
  // descends or passes one `**`), and (node, position) pairs are visited once.
  const pattern = collapseGlobs(globs);
  const visited = new Map<Instance, Set<number>>();
  const restIsGlobs = (i: number): boolean => {
    for (let k = i; k < pattern.length; k++) if (pattern[k] !== "**") return false;
    return true;
  };
  /** Whether pattern[i..] matches exactly the one segment `name`. */
  const last = (i: number, name: string): boolean => {
    const p = pattern[i]!;
    if (p === "**") return restIsGlobs(i + 1) || (i + 1 < pattern.length && last(i + 1, name));
    return (p === "*" || p === name) && restIsGlobs(i + 1);
  };
  // A folded stack's layers are copies of one template: its first stands for all of them,
  // except that a literal index names one layer.
  const kids = (n: Instance): Iterable<[string, Instance]> => {
    const f = foldedStack(n);
    return f ? [["*", f.layer]] : n.children;
  };
  const hasParams = (inst: Instance): boolean => {
    const n = inst.template ?? inst;
    if (n.params.length > 0) return true;
    for (const [, c] of kids(n)) if (hasParams(c)) return true;
    return false;
  };
  const go = (inst: Instance, i: number): boolean => {
    const n = inst.template ?? inst;
    let seen = visited.get(n);
    if (!seen) visited.set(n, (seen = new Set()));
    if (seen.has(i)) return false; // already explored from here: it did not match then
    seen.add(i);
    if (i === pattern.length) return hasParams(n); // a prefix names the whole subtree
    for (const x of n.params) if (last(i, x.name)) return true;
    const p = pattern[i]!;
    if (p === "**") {
      if (go(n, i + 1)) return true;
      for (const [, c] of kids(n)) if (go(c, i)) return true;
      return false;
    }
    if (foldedStack(n) && p !== "*") {
      const c = n.children.get(p);
      return c !== undefined && go(c, i + 1);
    }
    for (const [k, c] of kids(n)) if ((p === "*" || p === k || k === "*") && go(c, i + 1)) return true;
    return false;
  };
  return go(root, 0);
}

/** Whether a stage trains the parameter: the most specific matching pattern decides (ties
 *  freeze); unmatched parameters are trained unless the stage lists what it trains. */
export function trainedIn(stage: StageInfo, path: string): boolean {
  const m = matcherOf(stage);
  // Walking train then freeze with "train needs >, freeze needs >=" comes to: the highest
  // specificity among matches decides, and a freeze there wins the tie.
  let best = -1;
  let frozenAtBest = false;
  const consider = (spec: number, train: boolean): void => {
    if (spec > best) { best = spec; frozenAtBest = !train; } else if (spec === best && !train) frozenAtBest = true;
  };
  // Wildcard-free patterns are path prefixes: look up each ancestor of the path once.
  for (let i = path.indexOf("."), n = 1; m.exact.size > 0; i = path.indexOf(".", i + 1), n++) {
    const e = m.exact.get(i < 0 ? path : path.slice(0, i));
    if (e) { if (e.train) consider(n * 3, true); if (e.freeze) consider(n * 3, false); }
    if (i < 0) break;
  }
  for (const g of m.globs) if (matchesPattern(g.pattern, path)) consider(g.spec, g.train);
  return best < 0 ? stage.train.length === 0 : !frozenAtBest;
}

interface StageMatcher {
  readonly exact: Map<string, { train: boolean; freeze: boolean }>;
  readonly globs: readonly { pattern: readonly string[]; spec: number; train: boolean }[];
}

/** A stage's patterns, deduplicated once per stage (a `train:` line repeated 5,000 times is
 *  one pattern), so a lookup costs the path's depth plus its distinct wildcard patterns. */
const matchers = new WeakMap<StageInfo, StageMatcher>();
function matcherOf(stage: StageInfo): StageMatcher {
  let m = matchers.get(stage);
  if (m) return m;
  const exact = new Map<string, { train: boolean; freeze: boolean }>();
  const globs = new Map<string, { pattern: readonly string[]; spec: number; train: boolean }>();
  const add = (p: readonly string[], train: boolean): void => {
    if (!p.includes("*") && !p.includes("**")) {
      const k = p.join(".");
      const e = exact.get(k) ?? { train: false, freeze: false };
      if (train) e.train = true; else e.freeze = true;
      exact.set(k, e);
      return;
    }
    const spec = p.filter((s) => s !== "*" && s !== "**").length * 2 + p.length;
    globs.set(`${train ? "t" : "f"}\0${p.join("\0")}`, { pattern: p, spec, train });
  };
  for (const p of stage.train) add(p, true);
  for (const p of stage.freeze) add(p, false);
  matchers.set(stage, (m = { exact, globs: [...globs.values()] }));
  return m;
}

export function isTrainable(model: ElaboratedModel, p: ParamTensor): boolean {
  if (p.ema || p.buffer) return false;
  return model.stages.length === 0 || model.stages.some((s) => trainedIn(s, p.path));
}
