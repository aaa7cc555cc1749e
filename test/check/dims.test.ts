import { describe, expect, it } from "vitest";
import { Dim, DimDivisionByZeroError, DimOverflowError, broadcastShapes, numel } from "../../compiler/base/dims.js";
import { unifyDim, unifyShape, type DimPattern } from "../../compiler/check/unify.js";

const B = Dim.sym("B"), T = Dim.sym("T"), n = Dim.sym("n"), L = Dim.sym("L"), d = Dim.sym("d");
const c = (k: number): Dim => Dim.const(k);
const s = (x: Dim): string => x.toString();

describe("construction and constants", () => {
  it("folds constants", () => {
    expect(c(3).add(4).mul(2).sub(1).constValue()).toBe(13);
    expect(c(7).floorDiv(2).constValue()).toBe(3);
    expect(c(-7).floorDiv(2).constValue()).toBe(-4);
    expect(c(7).floorDiv(-2).constValue()).toBe(-4);
    expect(c(-7).mod(3).constValue()).toBe(2);
    expect(c(7).mod(-3).constValue()).toBe(-2);
    expect(c(2).pow(10).constValue()).toBe(1024);
    expect(c(5).pow(0).equals(Dim.ONE)).toBe(true);
  });
  it("knows constants", () => {
    expect(Dim.ZERO.isConst()).toBe(true);
    expect(Dim.ZERO.constValue()).toBe(0);
    expect(B.isConst()).toBe(false);
    expect(B.constValue()).toBeUndefined();
    expect(B.sub(B).equals(Dim.ZERO)).toBe(true);
  });
  it("rejects non-integers", () => {
    expect(() => c(1.5)).toThrow(RangeError);
    expect(() => B.pow(-1)).toThrow(RangeError);
    expect(() => B.pow(0.5)).toThrow(RangeError);
  });
});

describe("canonical form and printing", () => {
  it("prints readable canonical text", () => {
    expect(s(B.mul(T).add(1))).toBe("B*T + 1");
    expect(s(n.mul(2))).toBe("2*n");
    expect(s(B)).toBe("B");
    expect(s(B.add(1).floorDiv(2))).toBe("(B + 1)//2");
    expect(s(n.mod(4))).toBe("n % 4");
    expect(s(c(-3))).toBe("-3");
    expect(s(Dim.ZERO)).toBe("0");
    expect(s(B.neg().add(1))).toBe("-B + 1");
    expect(s(B.mul(B).sub(T.mul(2)).sub(7))).toBe("B**2 - 2*T - 7");
  });
  it("orders monomials by degree, then name, constants last", () => {
    expect(s(c(1).add(T).add(B.mul(T)).add(B))).toBe("B*T + B + T + 1");
    expect(s(B.add(T).pow(2))).toBe("B**2 + 2*B*T + T**2");
    expect(s(T.add(B))).toBe(s(B.add(T)));
  });
  it("parenthesises opaque atoms where precedence needs it", () => {
    expect(s(B.add(1).floorDiv(2).neg())).toBe("-((B + 1)//2)");
    expect(s(B.sub(B.add(1).floorDiv(2)))).toBe("B - (B + 1)//2");
    expect(s(B.floorDiv(2).mul(3))).toBe("3*(B//2)");
    expect(s(B.floorDiv(2).pow(2))).toBe("(B//2)**2");
    expect(s(B.floorDiv(T.mul(2)))).toBe("B//(2*T)");
    expect(s(n.mod(4).mul(T))).toBe("T*(n % 4)");
  });
  it("treats structurally equal expressions as equal", () => {
    expect(B.mul(T).add(T.mul(B)).equals(B.mul(T).mul(2))).toBe(true);
    expect(B.add(1).pow(2).equals(B.mul(B).add(B.mul(2)).add(1))).toBe(true);
    expect(B.add(1).floorDiv(2).equals(B.add(1).floorDiv(2))).toBe(true);
    expect(L.sub(3).floorDiv(2).add(1).equals(L.add(1).floorDiv(2).sub(1))).toBe(true);
    expect(B.equals(T)).toBe(false);
  });
  it("compare is a total order consistent with equals", () => {
    const xs = [B, T, c(1), c(3), B.mul(T), B.add(1).floorDiv(2), n.mod(4), Dim.ZERO, c(-2)];
    const sorted = [...xs].sort((a, b) => a.compare(b));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.compare(sorted[i]!)).toBeLessThan(0);
    expect(B.mul(T).compare(T.mul(B))).toBe(0);
    expect(c(3).compare(c(5))).toBeLessThan(0);
  });
  it("lists symbols, including those inside atoms", () => {
    expect(B.mul(T).add(n.floorDiv(d)).symbols()).toEqual(["B", "T", "d", "n"]);
    expect(c(4).symbols()).toEqual([]);
  });
  it("isLinear", () => {
    expect(B.mul(2).add(T).add(3).isLinear()).toBe(true);
    expect(B.mul(T).isLinear()).toBe(false);
    expect(B.floorDiv(2).isLinear()).toBe(false);
  });
});

describe("division", () => {
  it("simplifies floor division", () => {
    expect(s(B.mul(2).floorDiv(2))).toBe("B");
    expect(s(B.mul(4).add(2).floorDiv(2))).toBe("2*B + 1");
    expect(s(B.mul(4).add(3).floorDiv(2))).toBe("2*B + 1");
    expect(s(B.add(3).floorDiv(2))).toBe("(B + 1)//2 + 1");
    expect(s(B.mul(2).add(2).floorDiv(4))).toBe("(B + 1)//2");
    expect(s(B.floorDiv(2).floorDiv(3))).toBe("B//6");
    expect(s(B.floorDiv(-2))).toBe(s(B.neg().floorDiv(2)));
    expect(s(B.mul(T).add(1).floorDiv(T))).toBe("B + 1//T");
    expect(s(B.mul(T).add(B).floorDiv(B))).toBe("T + 1");
  });
  it("simplifies modulo", () => {
    expect(B.mod(1).equals(Dim.ZERO)).toBe(true);
    expect(B.mul(6).mod(3).equals(Dim.ZERO)).toBe(true);
    expect(s(B.mul(6).add(4).mod(3))).toBe("1");
    expect(s(B.mul(2).mod(4))).toBe("2*(B % 2)");
    expect(s(B.mul(5).add(1).mod(4))).toBe("(B + 1) % 4");
    expect(B.mul(T).mod(T).equals(Dim.ZERO)).toBe(true);
  });
  it("exactDiv only when provably exact", () => {
    expect(c(224).exactDiv(32)!.pow(2).add(1).constValue()).toBe(50);
    expect(c(10).exactDiv(3)).toBeUndefined();
    expect(s(B.mul(4).add(2).exactDiv(2)!)).toBe("2*B + 1");
    expect(B.mul(4).add(1).exactDiv(2)).toBeUndefined();
    expect(s(B.mul(T).mul(6).exactDiv(T.mul(3))!)).toBe("2*B");
    expect(B.mul(T).add(1).exactDiv(T)).toBeUndefined();
    expect(B.exactDiv(2)).toBeUndefined();
    expect(s(B.mul(T).add(B).exactDiv(T.add(1))!)).toBe("B");
    expect(s(B.add(T).pow(3).exactDiv(B.add(T))!)).toBe("B**2 + 2*B*T + T**2");
    expect(c(768).mul(B).mul(T).exactDiv(c(12).mul(B))!.equals(T.mul(64))).toBe(true);
  });
  it("throws on division by zero", () => {
    expect(() => B.floorDiv(0)).toThrow(DimDivisionByZeroError);
    expect(() => B.mod(Dim.ZERO)).toThrow(DimDivisionByZeroError);
    expect(() => B.exactDiv(B.sub(B))).toThrow(DimDivisionByZeroError);
    expect(() => c(1).floorDiv(0)).toThrow(DimDivisionByZeroError);
  });
  it("substitution re-simplifies atoms", () => {
    const e = B.add(1).floorDiv(2).add(n.mod(4));
    const v = e.substitute(new Map([["B", c(9)], ["n", c(10)]]));
    expect(v.constValue()).toBe(7);
    expect(s(B.mul(T).substitute(new Map([["T", B.add(1)]])))).toBe("B**2 + B");
    expect(s(B.floorDiv(2).substitute(new Map([["B", T.mul(2)]])))).toBe("T");
  });
});

describe("overflow", () => {
  it("throws DimOverflowError with the exact value", () => {
    const e = (() => { try { c(2).pow(53); } catch (x) { return x; } return undefined; })();
    expect(e).toBeInstanceOf(DimOverflowError);
    expect((e as DimOverflowError).value).toBe("9007199254740992");
    expect(() => c(2).pow(52).mul(2)).toThrow(DimOverflowError);
    expect(c(2).pow(52).constValue()).toBe(2 ** 52);
    expect(() => c(Number.MAX_SAFE_INTEGER).add(1)).toThrow(DimOverflowError);
    expect(() => c(2 ** 60)).toThrow(DimOverflowError);
    expect(() => B.mul(2 ** 40).mul(2 ** 20)).toThrow(DimOverflowError);
    expect(() => B.add(1).pow(100)).toThrow(DimOverflowError);
    expect(() => c(3).pow(1000)).toThrow(DimOverflowError);
    expect(c(Number.MAX_SAFE_INTEGER).sub(1).add(1).constValue()).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("unifyDim", () => {
  it("binds a single unbound symbol", () => {
    const b = new Map<string, Dim>();
    expect(unifyDim(d, c(768), b)).toBe(true);
    expect(b.get("d")!.constValue()).toBe(768);
    expect(unifyDim(d, c(768), b)).toBe(true);
    expect(unifyDim(d, c(512), b)).toBe(false);
  });
  it("substitutes bound symbols first", () => {
    const b = new Map<string, Dim>([["h", c(12)], ["k", c(64)]]);
    expect(unifyDim(Dim.sym("h").mul(Dim.sym("k")), c(768), b)).toBe(true);
    expect(unifyDim(Dim.sym("h").mul(Dim.sym("k")), c(769), b)).toBe(false);
  });
  it("solves linear patterns exactly", () => {
    const b = new Map<string, Dim>();
    expect(unifyDim(n.mul(2).add(1), c(9), b)).toBe(true);
    expect(b.get("n")!.constValue()).toBe(4);
    const b2 = new Map<string, Dim>();
    expect(unifyDim(n.mul(2).add(1), c(10), b2)).toBe(false);
    expect(b2.has("n")).toBe(false);
    const b3 = new Map<string, Dim>();
    expect(unifyDim(n.add(1), T.add(1), b3)).toBe(true);
    expect(s(b3.get("n")!)).toBe("T");
    const b4 = new Map<string, Dim>();
    expect(unifyDim(n.mul(4), B.mul(8), b4)).toBe(true);
    expect(s(b4.get("n")!)).toBe("2*B");
  });
  it("solves with a symbolic coefficient once it is bound", () => {
    const b = new Map<string, Dim>([["h", c(12)]]);
    expect(unifyDim(Dim.sym("h").mul(d), c(768), b)).toBe(true);
    expect(b.get("d")!.constValue()).toBe(64);
  });
  it("fails on two unknowns and on non-linear unknowns", () => {
    expect(unifyDim(n.mul(d), c(768), new Map())).toBe(false);
    expect(unifyDim(n.add(d), c(3), new Map())).toBe(false);
    expect(unifyDim(n.mul(n), c(16), new Map())).toBe(false);
    expect(unifyDim(n.floorDiv(2), c(3), new Map())).toBe(false);
  });
  it("treats symbols of binding values as rigid", () => {
    const b = new Map<string, Dim>([["d", T]]);
    expect(unifyDim(d.add(1), c(5), b)).toBe(false);
    expect(unifyDim(d, T, b)).toBe(true);
  });
});

describe("unifyShape", () => {
  const p = (...xs: (Dim | "...")[]): DimPattern[] => xs;
  it("matches with and without ellipsis", () => {
    const b = new Map<string, Dim>();
    expect(unifyShape(p(B, T, d), [B, T, c(768)], b)).toEqual({ ok: true });
    expect(b.get("d")!.constValue()).toBe(768);
    const r = unifyShape(p("...", d), [B, T, c(768)], new Map());
    expect(r.ok && r.ellipsis!.map(s)).toEqual(["B", "T"]);
    const r0 = unifyShape(p("...", d), [c(768)], new Map());
    expect(r0.ok && r0.ellipsis).toEqual([]);
    const mid = unifyShape(p(B, "...", d), [B, c(3), c(4), c(5)], new Map());
    expect(mid.ok && mid.ellipsis!.map(s)).toEqual(["3", "4"]);
  });
  it("reports rank failures", () => {
    expect(unifyShape(p(B, T, d), [B, T], new Map())).toEqual({ ok: false, index: 2, reason: "rank" });
    expect(unifyShape(p(B, T), [B, T, d], new Map())).toEqual({ ok: false, index: 1, reason: "rank" });
    expect(unifyShape(p(B, "...", T, d), [B, T], new Map())).toEqual({ ok: false, index: 1, reason: "rank" });
  });
  it("reports the failing dim and leaves bindings untouched", () => {
    const b = new Map<string, Dim>();
    expect(unifyShape(p(d, B, d), [c(4), B, c(5)], b)).toEqual({ ok: false, index: 2, reason: "dim" });
    expect(b.size).toBe(0);
    expect(unifyShape(p("...", d, d), [B, c(4), c(5)], b)).toEqual({ ok: false, index: 2, reason: "dim" });
  });
  it("rejects two ellipses", () => {
    expect(() => unifyShape(p("...", "..."), [B], new Map())).toThrow();
  });
});

describe("broadcast and numel", () => {
  const sh = (r: ReturnType<typeof broadcastShapes>): string[] | string => (r.ok ? r.shape.map(s) : `${r.ia},${r.ib}`);
  it("broadcasts numpy-style", () => {
    expect(sh(broadcastShapes([B, c(1), d], [T, c(1)]))).toEqual(["B", "T", "d"]);
    expect(sh(broadcastShapes([], [B, T]))).toEqual(["B", "T"]);
    expect(sh(broadcastShapes([B, T], [B, T]))).toEqual(["B", "T"]);
    expect(sh(broadcastShapes([c(1)], [B]))).toEqual(["B"]);
  });
  it("fails on unequal dims, symbolic ones included", () => {
    expect(sh(broadcastShapes([B, T], [B]))).toBe("1,0");
    expect(sh(broadcastShapes([c(3), c(4)], [c(2), c(1), c(5)]))).toBe("1,2");
  });
  it("numel multiplies", () => {
    expect(s(numel([B, T, c(768)]))).toBe("768*B*T");
    expect(numel([]).constValue()).toBe(1);
  });
});

describe("arithmetic against evaluation", () => {
  // Random expressions over B, T, n, built as dims and then evaluated at random points,
  // against the same expression computed on numbers (floor division and modulo as Python's).
  // Sums, differences and products must agree exactly; a canonical form that merged or
  // ordered terms wrongly would not.
  type Tree = number | string | [string, Tree, Tree];
  let seed = 20261130;
  const rnd = (k: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % k);
  const tree = (depth: number): Tree => {
    if (depth === 0 || rnd(3) === 0) return rnd(2) ? rnd(9) - 4 : ["B", "T", "n"][rnd(3)]!;
    return [["add", "sub", "mul", "floorDiv", "mod"][rnd(5)]!, tree(depth - 1), tree(depth - 1)];
  };
  const asDim = (t: Tree): Dim => {
    if (typeof t === "number") return c(t);
    if (typeof t === "string") return Dim.sym(t);
    const [op, a, b] = t;
    const x = asDim(a), y = asDim(b);
    return op === "add" ? x.add(y) : op === "sub" ? x.sub(y) : op === "mul" ? x.mul(y) : op === "floorDiv" ? x.floorDiv(y) : x.mod(y);
  };
  const asNum = (t: Tree, env: Record<string, number>): number => {
    if (typeof t === "number") return t;
    if (typeof t === "string") return env[t]!;
    const [op, a, b] = t;
    const x = asNum(a, env), y = asNum(b, env);
    if ((op === "floorDiv" || op === "mod") && y === 0) throw new DimDivisionByZeroError();
    return op === "add" ? x + y : op === "sub" ? x - y : op === "mul" ? x * y : op === "floorDiv" ? Math.floor(x / y) : x - Math.floor(x / y) * y;
  };

  const swapped = (t: Tree): Tree =>
    typeof t !== "object" ? t : t[0] === "add" || t[0] === "mul" ? [t[0], swapped(t[2]), swapped(t[1])] : [t[0], swapped(t[1]), swapped(t[2])];

  it("agrees at random points, and has one form for sums and products in any order", () => {
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const t = tree(4);
      let d: Dim;
      try {
        d = asDim(t);
      } catch (e) {
        expect(e).toBeInstanceOf(DimDivisionByZeroError); // a divisor that is 0 as written
        continue;
      }
      expect(asDim(swapped(t)).key, JSON.stringify(t)).toBe(d.key);
      for (let k = 0; k < 3; k++) {
        const env = { B: 1 + rnd(9), T: 1 + rnd(9), n: 1 + rnd(9) };
        let want: number;
        try {
          want = asNum(t, env) + 0; // + 0: no -0 from Math.floor
        } catch {
          continue; // a divisor that is 0 at this point only
        }
        const bound = new Map(Object.entries(env).map(([k2, v]) => [k2, c(v)] as const));
        expect(d.substitute(bound).constValue(), `${JSON.stringify(t)} at ${JSON.stringify(env)}`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4000);
  });
});
