import { describe, expect, test } from "vitest";
import { parseFile } from "../../grammar/index.js";
import { block, expr, items, noSpans, show, showType, src } from "./helpers.js";

describe("precedence and associativity", () => {
  test.each([
    ["a + b * c", "(+ a (* b c))"],
    ["a * b + c", "(+ (* a b) c)"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b // c % d @ e", "(@ (% (// (/ a b) c) d) e)"],
    ["2 ** 3 ** 2", "(** 2 (** 3 2))"],
    ["-2 ** 2", "(- (** 2 2))"],
    ["2 ** -1", "(** 2 (- 1))"],
    ["-a * b", "(* (- a) b)"],
    ["!a && b", "(&& (! a) b)"],
    ["a || b && c", "(|| a (&& b c))"],
    ["a == b || c != d", "(|| (== a b) (!= c d))"],
    ["a < b && c <= d && e > f && g >= h", "(&& (&& (&& (< a b) (<= c d)) (> e f)) (>= g h))"],
    ["a + b < c * d", "(< (+ a b) (* c d))"],
    ["(a + b) * c", "(* (+ a b) c)"],
    ["(image / patch) ** 2", "(** (/ image patch) 2)"],
    ["if a then b else c + 1", "(if a b (+ c 1))"],
    ["if a > 0 then if b then 1 else 2 else 3", "(if (> a 0) (if b 1 2) 3)"],
    ["-x.y", "(- (. x y))"],
    ["--a", "(- (- a))"],
    ["-1", "(- 1)"],
  ])("%s", (text, expected) => {
    expect(show(expr(text))).toBe(expected);
  });
});

describe("postfix", () => {
  test.each([
    ["f(a, b, name: c)", "(call f a b name:c)"],
    ["f()", "(call f)"],
    ["f(a,)", "(call f a)"],
    ["image(pixels).pooled", "(. (call image pixels) pooled)"],
    ["a.b.c(d)[0]", "(idx (call (. (. a b) c) d) 0)"],
    ["x.T", "(. x T)"],
    ["x.loss + x.input + x.in", "(+ (+ (. x loss) (. x input)) (. x in))"],
    ["f(input: 3, head: 2)", "(call f input:3 head:2)"],
    ["Act.quick_gelu", "(. Act quick_gelu)"],
    ["x[0]", "(idx x 0)"],
    ["x[:, 1:]", "(idx x (: _ _ _) (: 1 _ _))"],
    ["x[..., :n]", "(idx x ... (: _ n _))"],
    ["x[::2, 1:-1:2, a:b]", "(idx x (: _ _ 2) (: 1 (- 1) 2) (: a b _))"],
    ["x[i, j + 1]", "(idx x i (+ j 1))"],
  ])("%s", (text, expected) => {
    expect(show(expr(text))).toBe(expected);
  });
});

describe("literals, lists and tuples", () => {
  test.each([
    ["true", "true"], ["false", "false"], ["none", "none"], ["...", "..."], ['"s"', '"s"'],
    ["[a, b, ...]", "[a b ...]"], ["[]", "[]"], ["[1, 2,]", "[1 2]"],
    ["(a, b)", "(tuple a b)"], ["(cls: a, tokens: b)", "(tuple cls:a tokens:b)"],
    ["(a,)", "(tuple a)"], ["()", "(tuple )"], ["(a)", "a"], ["((a))", "a"],
  ])("%s", (text, expected) => {
    expect(show(expr(text))).toBe(expected);
  });

  test("unary minus on a literal is kept as a unary expression", () => {
    expect(noSpans(expr("-3"))).toEqual({ kind: "Unary", op: "-", operand: { kind: "Int", value: 3, text: "3" } });
  });
});

describe("spans", () => {
  const text = "block T { let v = (a + b) * f(c, k: -d[1:2]).e }";
  const v = block(text).items[0];
  const e = v?.kind === "Let" ? v.value : undefined;

  test("every node covers its source text", () => {
    if (e?.kind !== "Binary") throw new Error("expected binary");
    expect(src(text, e.span)).toBe("(a + b) * f(c, k: -d[1:2]).e");
    expect(src(text, e.opSpan)).toBe("*");
    expect(src(text, e.left.span)).toBe("a + b");
    const member = e.right;
    if (member.kind !== "Member") throw new Error("expected member");
    expect(src(text, member.member.span)).toBe("e");
    const call = member.object;
    if (call.kind !== "Call") throw new Error("expected call");
    expect(src(text, call.span)).toBe("f(c, k: -d[1:2])");
    const arg = call.args[1]!;
    expect(src(text, arg.span)).toBe("k: -d[1:2]");
    expect(src(text, arg.name!.span)).toBe("k");
    expect(src(text, arg.value.span)).toBe("-d[1:2]");
    const idx = arg.value.kind === "Unary" ? arg.value.operand : undefined;
    expect(idx?.kind === "Index" ? src(text, idx.indices[0]!.span) : "").toBe("1:2");
  });

  test("spans count UTF-16 code units", () => {
    const t = '# ünïcode 😀\nblock T { let v = "é😀" + x }';
    const item = block(t).items[0];
    const value = item?.kind === "Let" ? item.value : undefined;
    if (value?.kind !== "Binary") throw new Error("expected binary");
    expect(src(t, value.span)).toBe('"é😀" + x');
    expect(src(t, value.right.span)).toBe("x");
  });

  test("the file span covers the whole text", () => {
    const t = "\n\nblock T { }\n# end\n";
    expect(parseFile("t.mm", t).ast.span).toEqual({ file: "t.mm", start: 0, end: t.length });
  });

  test("spans of every node are inside their parent's", () => {
    const t = "block T(n: Int = 2) where n > 0 { let v = if a then [b, c] else (x: d.e[f], y: g(h)) }";
    const walk = (node: unknown, parent: { start: number; end: number }): void => {
      if (node === null || typeof node !== "object") return;
      const s = (node as { span?: { start: number; end: number } }).span;
      if (s !== undefined) {
        expect(s.start).toBeGreaterThanOrEqual(parent.start);
        expect(s.end).toBeLessThanOrEqual(parent.end);
        expect(s.start).toBeLessThan(s.end);
      }
      for (const [k, child] of Object.entries(node)) if (k !== "span" && k !== "opSpan") walk(child, s ?? parent);
    };
    walk(parseFile("t.mm", t).ast, { start: 0, end: t.length });
  });
});

describe("types", () => {
  const paramTypes = (params: string): string[] => block(`block T(${params}) { }`).params.map((p) => showType(p.type));
  const letType = (type: string): string => {
    const it = items(`let v: ${type} = 1`)[0];
    return it?.kind === "Let" && it.type ? showType(it.type) : "";
  };

  test("named and list types in parameters", () => {
    expect(paramTypes("a: Int, b: Float, c: Bool, d: String, e: Block, f: Tower, g: Act, h: [Int], i: [[String]], j: [Act]"))
      .toEqual(["Int", "Float", "Bool", "String", "Block", "Tower", "Act", "list<Int>", "list<list<String>>", "list<Act>"]);
  });

  test("brackets elsewhere are shapes unless they hold a builtin type name", () => {
    expect(letType("[Int]")).toBe("list<Int>");
    expect(letType("[Block]")).toBe("list<Block>");
    expect(letType("[B]")).toBe("[B]");
    expect(letType("[B, T, width]")).toBe("[B, T, width]");
    expect(letType("[..., in]")).toBe("[..., in]");
    expect(letType("[n + 1, width]")).toBe("[(+ n 1), width]");
    expect(letType("[]")).toBe("[]");
    expect(letType("[B, 77] int64")).toBe("[B, 77] int64");
    expect(letType("[Int] int64")).toBe("[Int] int64");
  });

  test("a tensor type's span includes its dtype", () => {
    const t = "block T { let v: [B, 77] int64 = 1 }";
    const it = block(t).items[0];
    expect(it?.kind === "Let" && it.type ? src(t, it.type.span) : "").toBe("[B, 77] int64");
  });
});
