// Path patterns of stages: `image` (the subtree), `image.layers.*.attn`, `**.bias`.

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
