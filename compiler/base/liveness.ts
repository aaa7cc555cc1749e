// Liveness in a sequence of steps, shared by the WebGPU memory planner (steps are dispatches,
// ids are arena storages) and `mm summary`'s activation peak (steps are the traced graph's
// nodes, ids are values). Both ask the same two questions: when is each id first and last
// touched, and what is the largest total size alive at one step.

export interface LiveSpan {
  /** First and last step that touch it (-1 for what exists before the first step,
   *  the step count for what must outlive the last). */
  readonly first: number;
  readonly last: number;
}

/** Each id's first and last step: step i touches `steps[i]`; `before` are touched at -1,
 *  `after` at steps.length. */
export function liveSpans(steps: readonly (readonly number[])[], before: Iterable<number> = [], after: Iterable<number> = []): Map<number, LiveSpan> {
  const span = new Map<number, { first: number; last: number }>();
  const touch = (id: number, k: number): void => {
    const s = span.get(id);
    if (!s) span.set(id, { first: k, last: k });
    else {
      if (k < s.first) s.first = k;
      if (k > s.last) s.last = k;
    }
  };
  steps.forEach((ids, i) => ids.forEach((id) => touch(id, i)));
  for (const id of before) touch(id, -1);
  for (const id of after) touch(id, steps.length);
  return span;
}

/** The largest total size of the lifetimes alive at one step (alive from `first` through
 *  `last`, both included). */
export function peakLive(lives: Iterable<{ readonly size: number } & LiveSpan>): number {
  const events: [number, number][] = [];
  for (const l of lives) events.push([l.first, l.size], [l.last + 1, -l.size]);
  // At one step, ends (negative) before starts, so a lifetime ending at k - 1 and one starting at k never add up.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0, best = 0;
  for (const [, d] of events) {
    cur += d;
    if (cur > best) best = cur;
  }
  return best;
}
