// Stage path patterns: the tree walk that the stage rule uses agrees with matching every
// parameter path, on stdlib models (memoized copies included) and on patterns that match,
// miss, and use `*` and `**` in every position.
import { describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { allParams, type Instance } from "../../compiler/elaborate/instance.js";
import { matchesPattern, matchesSomeParam, trainedIn } from "../../compiler/elaborate/stages.js";
import type { StageInfo } from "../../compiler/elaborate/instance.js";

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

describe("trainedIn", () => {
  /** The rule as the docs state it, one pattern at a time: the most specific match decides,
   *  a tie freezes, and with no match a parameter trains only if the stage lists no `train`. */
  function reference(train: readonly string[][], freeze: readonly string[][], path: string): boolean {
    const spec = (p: readonly string[]): number => p.filter((s) => s !== "*" && s !== "**").length * 2 + p.length;
    let best = -1;
    let out = train.length === 0;
    for (const p of train) if (matchesPattern(p, path) && spec(p) > best) { best = spec(p); out = true; }
    for (const p of freeze) if (matchesPattern(p, path) && spec(p) >= best) { best = spec(p); out = false; }
    return out;
  }
  const stage = (train: string[][], freeze: string[][]): StageInfo =>
    ({ name: "s", train, freeze, tasks: [], span: { file: "", start: 0, end: 0 }, refSpans: new Map() }) as unknown as StageInfo;

  it("agrees with the pattern-by-pattern rule on stages drawn from real paths, repeats included", () => {
    const s = new Session();
    const ref = s.findModel("BLIP2_OPT_2_7B_Tiny").ref!;
    const root = s.compile(ref, s.stdlib(), { checkOnly: true }).checked!.model.root;
    const paths = allParams(root).map((p) => p.path);
    // A fixed LCG: the same stages every run.
    let seed = 12345;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pattern = (): string[] => {
      const segs = paths[rand(paths.length)]!.split(".").slice(0, 1 + rand(4));
      const k = rand(5);
      if (k === 1) segs[rand(segs.length)] = "*";
      if (k === 2) segs.unshift("**");
      if (k === 3) return ["**", segs[segs.length - 1]!];
      return segs;
    };
    let trained = 0;
    let frozen = 0;
    let contested = 0; // both lists match: specificity and ties decide
    for (let t = 0; t < 60; t++) {
      const train = Array.from({ length: rand(4) }, pattern);
      const freeze = Array.from({ length: rand(4) }, pattern);
      if (t % 3 === 0 && train.length > 0) for (let r = 0; r < 200; r++) train.push(train[r % train.length]!); // repeated lines
      if (t % 5 === 0 && train.length > 0) freeze.push(train[0]!); // the same pattern both ways: a tie
      const st = stage(train, freeze);
      for (const path of paths) {
        const want = reference(train, freeze, path);
        expect(trainedIn(st, path), `${path} in train ${JSON.stringify(train.slice(0, 4))} freeze ${JSON.stringify(freeze)}`).toBe(want);
        if (want) trained++; else frozen++;
        if (train.some((p) => matchesPattern(p, path)) && freeze.some((p) => matchesPattern(p, path))) contested++;
      }
    }
    expect(trained).toBeGreaterThan(100);
    expect(frozen).toBeGreaterThan(50);
    expect(contested).toBeGreaterThan(20);
  });
});
