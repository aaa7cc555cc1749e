// "Did you mean" suggestions by edit distance.

/** Case-insensitive edit distance where swapping two adjacent letters (`widht`) counts as
 *  one edit, like an insertion, deletion or substitution (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const m = x.length;
  const n = y.length;
  let before: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) cur[j] = Math.min(cur[j]!, before[j - 2]! + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** The closest candidate within a distance that scales with the name's length, if any. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  // One- and two-letter names (`T`, `x`) are suggested only a case-insensitive match.
  const limit = name.length < 3 ? 0 : Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of [...candidates].sort()) {
    // The distance is at least the difference in length: most candidates end here, which
    // keeps a file with thousands of unknown names near-linear instead of quadratic.
    if (Math.abs(c.length - name.length) > Math.min(limit, bestD)) continue;
    const d = editDistance(name, c);
    if (d < bestD && d <= limit) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}
