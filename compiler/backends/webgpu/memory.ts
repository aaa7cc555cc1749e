// The memory planner: places every stored activation in one arena buffer so that tensors
// alive at the same time never overlap and dead ones are reused. Liveness is counted in
// dispatches; views share their base's storage; an output written in place over an input
// that dies in that dispatch shares its storage too. Placement is greedy by size (largest
// first, each at the lowest offset free for its whole lifetime), which is near the lower
// bound on transformer graphs and never worse than one buffer per tensor.

import { peakLive } from "../../base/liveness.js";

/** WebGPU's default minStorageBufferOffsetAlignment: every binding offset is a multiple. */
export const ALIGN = 256;

export const align = (n: number, a = ALIGN): number => Math.ceil(n / a) * a;

export interface Lifetime {
  /** A storage id (a tensor id, or the base a view or in-place output shares). */
  readonly id: number;
  readonly size: number;
  /** First and last dispatch that touch it (inputs start at -1, outputs end after the last). */
  readonly first: number;
  readonly last: number;
}

export interface Placement {
  readonly offsets: ReadonlyMap<number, number>;
  readonly peak: number;
  readonly lowerBound: number;
  readonly naive: number;
}

const overlaps = (a: Lifetime, b: Lifetime): boolean => a.first <= b.last && b.first <= a.last;

export function placeLifetimes(lives: readonly Lifetime[]): Placement {
  const order = [...lives].sort((a, b) => b.size - a.size || a.first - b.first || a.id - b.id);
  const placed: { life: Lifetime; offset: number; size: number }[] = [];
  const offsets = new Map<number, number>();
  let peak = 0;
  for (const life of order) {
    const size = align(life.size);
    // Occupied intervals of the arena during this lifetime, by offset.
    const busy = placed.filter((p) => overlaps(p.life, life)).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    let best = -1, bestGap = Infinity;
    for (const b of busy) {
      const gap = b.offset - offset;
      if (gap >= size && gap < bestGap) [best, bestGap] = [offset, gap];
      offset = Math.max(offset, b.offset + b.size);
    }
    const at = best >= 0 ? best : offset;
    placed.push({ life, offset: at, size });
    offsets.set(life.id, at);
    peak = Math.max(peak, at + size);
  }
  return { offsets, peak, lowerBound: lowerBound(lives), naive: lives.reduce((a, l) => a + align(l.size), 0) };
}

/** The largest total (aligned) size of storages alive at one dispatch. */
export function lowerBound(lives: readonly Lifetime[]): number {
  return peakLive(lives.map((l) => ({ size: align(l.size), first: l.first, last: l.last })));
}

/** Pairs of storages alive at the same time whose placed ranges overlap (must be none). */
export function overlapping(lives: readonly Lifetime[], offsets: ReadonlyMap<number, number>): [number, number][] {
  const bad: [number, number][] = [];
  for (let i = 0; i < lives.length; i++) {
    for (let j = i + 1; j < lives.length; j++) {
      const a = lives[i]!, b = lives[j]!;
      if (!overlaps(a, b)) continue;
      const oa = offsets.get(a.id)!, ob = offsets.get(b.id)!;
      if (oa < ob + align(b.size) && ob < oa + align(a.size)) bad.push([a.id, b.id]);
    }
  }
  return bad;
}
