// Delta debugging for the fuzzer: shrinks a failing program's main.mm, first by lines and
// then by characters, keeping only cuts after which the program still fails the same way
// (the caller's `reproduces`). Bounded by a deadline and a number of runs, since a hang
// costs the time limit at every try.

export interface Budget {
  /** performance.now() past which no more runs start. */
  readonly deadline: number;
  readonly maxRuns: number;
}

/** The smallest text found for which `reproduces` holds (`text` itself if none is). */
export async function minimizeText(text: string, reproduces: (t: string) => Promise<boolean>, budget: Budget): Promise<{ text: string; runs: number }> {
  let runs = 0;
  const seen = new Set<string>();
  const left = (): boolean => runs < budget.maxRuns && performance.now() < budget.deadline;
  const test = async (t: string): Promise<boolean> => {
    if (seen.has(t)) return false;
    seen.add(t);
    runs++;
    return reproduces(t);
  };
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let best = (await ddmin(lines, (xs) => test(xs.join("")), left)).join("");
  best = (await ddmin([...best], (xs) => test(xs.join("")), left)).join("");
  return { text: best, runs };
}

/** Zeller's ddmin over complements: cut chunks while the test holds, then finer chunks. */
async function ddmin<T>(items: readonly T[], test: (xs: T[]) => Promise<boolean>, left: () => boolean): Promise<T[]> {
  let xs = [...items];
  let n = 2;
  while (xs.length >= 1 && left()) {
    const size = Math.max(1, Math.ceil(xs.length / n));
    let cut = false;
    for (let i = 0; i < xs.length && left(); ) {
      const ys = [...xs.slice(0, i), ...xs.slice(i + size)];
      if (await test(ys)) {
        xs = ys;
        cut = true;
      } else i += size;
    }
    if (size === 1) {
      if (!cut) break;
    } else if (cut) n = Math.max(2, Math.ceil(xs.length / size));
    else n = Math.min(xs.length, n * 2);
  }
  return xs;
}
