// Stage path patterns: the tree walk that the stage rule uses agrees with matching every
// parameter path, on stdlib models (memoized copies included) and on patterns that match,
// miss, and use `*` and `**` in every position.
import { describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { allParams, type Instance } from "../../compiler/elaborate/instance.js";
import { matchesPattern, matchesSomeParam } from "../../compiler/elaborate/stages.js";

describe("matchesPattern", () => {
  it.each([
    [["vision"], "vision.blocks.0.attn.qkv.weight", true],
    [["vision"], "visionx.weight", false],
    [["vision", "*", "0"], "vision.blocks.0.attn.weight", true],
    [["**", "bias"], "a.b.c.bias", true],
    [["**", "bias"], "a.b.c.bias2", false],
    [["**"], "anything", true],
    [["a", "**", "w"], "a.w", true],
    [["a", "**"], "a", true],
  ] as const)("%j on %s is %s", (pat, path, want) => {
    expect(matchesPattern(pat, path)).toBe(want);
  });
  it("matches hostile patterns without recursion or backtracking: 5,000 `**`, and `**` between 30 literals", () => {
    expect(matchesPattern([...Array(5000).fill("**"), "weight"], "a.b.weight")).toBe(true);
    expect(matchesPattern([...Array(5000).fill("**"), "bias"], "a.b.weight")).toBe(false);
    const path = Array(40).fill("a").join(".");
    expect(matchesPattern(Array(30).fill(["**", "a"]).flat(), path)).toBe(true);
    expect(matchesPattern([...Array(30).fill(["**", "a"]).flat(), "b"], path)).toBe(false);
  });
});

describe("matchesSomeParam", () => {
  const s = new Session();
  const program = s.stdlib();
  const roots: [string, Instance][] = [];
  for (const name of ["BLIP2_OPT_2_7B_Tiny", "LLaVA_1_5_7B_Tiny", "MaPLe_Tiny", "VLMo_Base_Pretrain_Tiny", "ALBEF_Tiny"]) {
    const ref = s.findModel(name).ref;
    if (!ref) throw new Error(`no stdlib model ${name}`);
    const r = s.compile(ref, program, { checkOnly: true });
    roots.push([name, r.checked!.model.root]);
  }

  /** Patterns built from real paths (prefixes, with segments replaced by globs), plus misses. */
  function patterns(paths: readonly string[]): string[][] {
    const out: string[][] = [["**"], ["*"], ["nothing"], ["**", "nothing"], ["*", "*", "*", "*", "*", "*", "*", "*", "*", "*", "*", "*"]];
    for (const p of paths.filter((_, i) => i % 7 === 0)) {
      const segs = p.split(".");
      for (let n = 1; n <= segs.length; n++) {
        const pre = segs.slice(0, n);
        out.push(pre);
        out.push([...pre.slice(0, -1), "*"]);
        out.push(["**", pre[pre.length - 1]!]);
        out.push(["**", ...pre.slice(1)]);
        if (n > 1) out.push([pre[0]!, "**", pre[pre.length - 1]!]);
        out.push([...pre, "missing"]);
        out.push([...pre, "**"]);
      }
    }
    return out;
  }

  it("agrees with matching every parameter path", () => {
    let checked = 0;
    for (const [name, root] of roots) {
      const paths = allParams(root).map((p) => p.path);
      expect(paths.length, name).toBeGreaterThan(0);
      for (const pat of patterns(paths)) {
        const want = paths.some((p) => matchesPattern(pat, p));
        expect(matchesSomeParam(root, pat), `${name}: ${pat.join(".")}`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
