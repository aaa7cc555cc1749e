// What a stage trains: its path patterns (`image` the subtree, `image.layers.*.attn`,
// `**.bias`), which pattern decides for a parameter, and whether a parameter trains at all.
// The checker, the backends' metadata and the tools read stages through here.
import type { ElaboratedModel, Instance, ParamTensor, StageInfo } from "./instance.js";
import { foldedStack } from "./stack.js";

/** True when the pattern names the parameter path or one of its ancestors. */
export function matchesPattern(pattern: readonly string[], path: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("**")) {
    // No wildcard: the pattern is a path prefix (the common case, checked for every parameter).
    const prefix = pattern.join(".");
    return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 46);
  }
  const segs = path.split(".");
  const go = (i: number, j: number): boolean => {
    if (i === pattern.length) return true; // a prefix names the whole subtree
    if (j > segs.length) return false;
    const p = pattern[i]!;
    if (p === "**") {
      for (let k = j; k <= segs.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    if (j === segs.length) return false;
    return (p === "*" || p === segs[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/**
 * Whether some parameter of the tree has a path that `matchesPattern` accepts. Walks names
 * instead of listing paths (a child's path is its parent's plus its name, as a parameter's
 * is), and reads a memoized copy through its template, so no copy's subtree is built.
 */
export function matchesSomeParam(root: Instance, pattern: readonly string[]): boolean {
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
  let best = -1;
  let train = stage.train.length === 0;
  const specificity = (p: readonly string[]): number => p.filter((s) => s !== "*" && s !== "**").length * 2 + p.length;
  for (const p of stage.train) if (matchesPattern(p, path) && specificity(p) > best) { best = specificity(p); train = true; }
  for (const p of stage.freeze) if (matchesPattern(p, path) && specificity(p) >= best) { best = specificity(p); train = false; }
  return train;
}

export function isTrainable(model: ElaboratedModel, p: ParamTensor): boolean {
  if (p.ema || p.buffer) return false;
  return model.stages.length === 0 || model.stages.some((s) => trainedIn(s, p.path));
}
