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

/** The closest candidate within a distance that scales with the name's length, if any; of
 *  equally close ones, the first in sorted order. Most candidates are ruled out in a few
 *  steps, without a distance: by length, then by the letters they have that the name has
 *  not (each costs an edit), and a distance stops as soon as a row of it exceeds the best
 *  so far. Thousands of misses against thousands of names stay fast (`--limit errors`). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  // One- and two-letter names (`T`, `x`) are suggested only a case-insensitive match.
  const limit = name.length < 3 ? 0 : Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const counts = letterCounts(lower);
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const cutoff = Math.min(limit, bestD);
    if (Math.abs(c.length - name.length) > cutoff) continue;
    if (letterBound(counts, c.toLowerCase()) > cutoff) continue;
    const d = boundedDistance(lower, c.toLowerCase(), cutoff);
    if (d > cutoff) continue;
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** Letter counts of the name, ASCII by code (other characters are not counted, so the bound
 *  below stays a lower bound). */
function letterCounts(s: string): Int32Array {
  const counts = new Int32Array(128);
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    if (k < 128) counts[k]!++;
  }
  return counts;
}

/** A lower bound on the distance: letters of `c` beyond those of the name, or the reverse
 *  (an insertion or a substitution adds one letter; a swap adds none). */
function letterBound(counts: Int32Array, c: string): number {
  const left = counts.slice();
  let extra = 0;
  for (let i = 0; i < c.length; i++) {
    const k = c.charCodeAt(i);
    if (k < 128 && left[k]!-- <= 0) extra++;
  }
  let missing = 0;
  for (const n of left) if (n > 0) missing += n;
  return Math.max(extra, missing);
}

/** editDistance of lower-cased strings, or any value above `cutoff` once every entry of a
 *  row is above it (the distance can only grow from there). */
function boundedDistance(x: string, y: string, cutoff: number): number {
  const m = x.length;
  const n = y.length;
  let before: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    let low = i;
    for (let j = 1; j <= n; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, before[j - 2]! + 1);
      cur[j] = v;
      if (v < low) low = v;
    }
    if (low > cutoff) return cutoff + 1;
    before = prev;
    prev = cur;
  }
  return prev[n]!;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}
