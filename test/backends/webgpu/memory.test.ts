// The memory planner: on random lifetimes and on every tiny stdlib model's plan, no two
// storages alive at once overlap, the arena is at least the lower bound (the largest
// total alive at one dispatch) and at most the naive sum; in-place writes happen where an
// elementwise kernel's input dies. No GPU needed.
import { compileToWebGpu } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { align, lowerBound, overlapping, placeLifetimes, type Lifetime } from "../../../compiler/backends/webgpu/memory.js";
import { mulberry32 } from "../../../compiler/ir/weights.js";
import { irFromChecked } from "../../../compiler/driver/build-ir.js";
import { Session } from "../../../compiler/driver/session.js";
import { isUnpublished } from "../../../compiler/elaborate/model.js";
import { defaultBindings } from "../../../compiler/tools/inputs.js";
import { compileProgram } from "./harness.js";

function randomLifetimes(seed: number, n: number): Lifetime[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, id) => {
    const first = Math.floor(r() * 100), len = Math.floor(r() * 20);
    return { id, size: 4 + Math.floor(r() * 5000), first, last: first + len };
  });
}

describe("placeLifetimes", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`random lifetimes (seed ${seed}): no overlap, lower bound <= peak <= naive`, () => {
      const lives = randomLifetimes(seed, 300);
      const p = placeLifetimes(lives);
      expect(overlapping(lives, p.offsets)).toEqual([]);
      expect(p.peak).toBeGreaterThanOrEqual(p.lowerBound);
      expect(p.peak).toBeLessThanOrEqual(p.naive);
      expect(p.lowerBound).toBe(lowerBound(lives));
      for (const o of p.offsets.values()) expect(o % 256).toBe(0);
    });
  }

  it("a chain of tensors each alive for two steps needs two slots", () => {
    const lives = Array.from({ length: 10 }, (_, id) => ({ id, size: 1000, first: id, last: id + 1 }));
    const p = placeLifetimes(lives);
    expect(p.peak).toBe(2 * align(1000));
    expect(p.lowerBound).toBe(2 * align(1000));
    expect(p.naive).toBe(10 * align(1000));
  });

  it("overlapping() finds a deliberate collision", () => {
    const lives = [{ id: 0, size: 512, first: 0, last: 3 }, { id: 1, size: 512, first: 2, last: 5 }];
    expect(overlapping(lives, new Map([[0, 0], [1, 256]]))).toEqual([[0, 1]]);
    expect(overlapping(lives, new Map([[0, 0], [1, 512]]))).toEqual([]);
  });
});

describe("plans", () => {
  it("writes an elementwise chain's output over its dying input", () => {
    const m = compileProgram(`
model M {
  input x: [4, 64]
  param w: [64, 64] init normal(std: 0.1)
  forward {
    let h = matmul(x, w)
    let y = layer_norm(h)
    output out = exp(y) * 2.0
  }
}
`).get("M")!;
    const r = compileToWebGpu(m.checked, { bind: new Map(), weights: { random: 0 } });
    expect(r.plan.memory.inPlace).toBeGreaterThan(0);
    expect(overlapping(r.lifetimes, r.placement.offsets)).toEqual([]);
  });

  it("every tiny stdlib model: no overlap, lower bound <= peak <= naive", () => {
    const session = new Session();
    const program = session.stdlib();
    const tiny = session.models(program).filter((x) => x.name.endsWith("_Tiny") && !isUnpublished(x.decl));
    const report: string[] = [];
    for (const ref of tiny) {
      const c = session.compile(ref, program);
      const r = compileToWebGpu(c.checked!, { bind: defaultBindings(irFromChecked(c.checked!)), weights: "zeros" });
      const { peak, lowerBound: lb, naive } = r.plan.memory;
      expect([ref.name, overlapping(r.lifetimes, r.placement.offsets)]).toEqual([ref.name, []]);
      expect([ref.name, peak >= lb, peak <= naive]).toEqual([ref.name, true, true]);
      report.push(`${ref.name}: peak ${peak}, lower bound ${lb}, naive ${naive}`);
    }
    expect(report.length).toBe(tiny.length);
  }, 300_000);
});
