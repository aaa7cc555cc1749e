// Hostile input: a model with thousands of mistakes is traced only until the per-run error
// cap (DiagnosticBag, 50), and "did you mean" skips candidates whose length alone rules them
// out, giving the same suggestion as comparing against every name.
import { describe, expect, it } from "vitest";
import { closest, editDistance } from "../../compiler/diagnostics/suggest.js";
import { compileOne } from "../helpers.js";

describe("a model with thousands of errors", () => {
  it("stops tracing at the cap of 50 errors", () => {
    const lets = Array.from({ length: 3000 }, (_, i) => `    let z${i} = x + q${i}`).join("\n");
    const r = compileOne(`model M {\n  input x: [B, 4]\n  forward {\n${lets}\n    output y = x\n  }\n}\n`);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(50);
    expect(errors.every((d) => d.code === "MM2001")).toBe(true);
    expect(errors[49]!.message).toBe("unknown name 'q49'");
  });
});

describe("closest", () => {
  it("suggests what comparing against every candidate suggests", () => {
    let s = 7;
    const rand = (n: number): number => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
    const word = (): string => Array.from({ length: 1 + rand(9) }, () => "abcdeXYZ_1"[rand(10)]).join("");
    const brute = (name: string, cs: readonly string[]): string | undefined => {
      const limit = name.length < 3 ? 0 : Math.max(1, Math.floor(name.length / 3));
      let best: string | undefined, bestD = Infinity;
      for (const c of [...cs].sort()) {
        const d = editDistance(name, c);
        if (d < bestD && d <= limit) (best = c), (bestD = d);
      }
      return best;
    };
    for (let trial = 0; trial < 300; trial++) {
      const cs = Array.from({ length: 1 + rand(40) }, word);
      const name = word();
      expect(closest(name, cs), `${name} in ${cs.join(",")}`).toBe(brute(name, cs));
    }
  });
});
