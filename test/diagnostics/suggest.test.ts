// "Did you mean": the fast closest() (length and letter bounds, a distance that stops early)
// must pick what the plain definition picks: the nearest candidate within the length-scaled
// limit, the first in sorted order among equals. Checked against that definition, written
// out here, on seeded random names from a small alphabet (so that many are near each other).
import { describe, expect, it } from "vitest";
import { closest, editDistance } from "../../compiler/diagnostics/suggest.js";

function reference(name: string, candidates: readonly string[]): string | undefined {
  const limit = name.length < 3 ? 0 : Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of [...candidates].sort()) {
    const d = editDistance(name, c);
    if (d < bestD && d <= limit) { best = c; bestD = d; }
  }
  return best;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("closest", () => {
  it("agrees with the plain definition on 3,000 random queries", () => {
    const r = rng(7);
    const word = (): string => Array.from({ length: 1 + Math.floor(r() * 9) }, () => "abAB_1é"[Math.floor(r() * 7)]).join("");
    for (let q = 0; q < 3000; q++) {
      const candidates = Array.from({ length: 1 + Math.floor(r() * 30) }, word);
      const name = word();
      expect(closest(name, candidates), `${name} among ${candidates.join(",")}`).toBe(reference(name, candidates));
    }
  });

  it("prefers the first in sorted order among equally close names", () => {
    expect(closest("widht", ["zwidth", "width", "widths"])).toBe("width");
    expect(closest("abcd", ["abce", "abcf"].reverse())).toBe("abce");
  });
});
