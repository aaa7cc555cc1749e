import { describe, expect, test } from "vitest";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { parseFile } from "../../grammar/index.js";
import { diags } from "./helpers.js";

const VALID = `import "std/nn/layers.mm"
import { Linear, MLP } from "./blocks.mm"

enum Act { gelu, quick_gelu, relu, silu }

## A dense layer.
block Dense(in: Int, out: Int, bias: Bool = true, act: Act = Act.gelu) where in > 0, out > 0 {
  let fan = in * out
  param weight: [out, in] float32 init kaiming_uniform(a: 5 ** 0.5)
  param b: [out] init zeros if bias
  forward(x: [..., in], mask: [B, T] bool = none) -> [..., out] {
    let y = x @ weight.T
    if bias { y = y + b } else if fan > 1_000 { y = -y } else { y = y }
    return y[..., :out]
  }
}

experts MoE(n: Int = 4, width: Int) {
  router = Linear(width, n)
  experts = repeat n as i MLP(width, hidden: width * 4, act: if i % 2 == 0 then Act.gelu else Act.silu)
  route topk(2, gate: router)
  forward(x: [B, T, width]) -> (out: [B, T, width], aux: []) {
    let (a, b) = split(x, 2, axis: -1)
    for e, i in experts { a = e(a) }
    out = concat([a, b], axis: -1)
    aux = mean(x) ** 2
  }
}

model CLIP(embed: Int = 512) {
  image = VisionTransformer(patch: 32)
  head = Linear(image.width, embed, bias: false)
  teacher = ema(image, momentum: 0.995)
  input pixels: [B, 3, 224, 224]
  input ids: [B, 77] int64
  forward {
    let f = image(pixels)
    output image_embeds: [B, embed] = normalize(head(f.pooled))
    loss itc = clip_loss(image_embeds, image_embeds.T, (cls: f.cls, tokens: f.tokens))
  }
  task itc { outputs: image_embeds  losses: itc }
  stage pretrain { train: head, image.layers.*.attn  freeze: image.**; tasks: itc }
}
model CLIP_L14 = CLIP(embed: 768) with { image = ViT(patch: 14); image.width = 1024 }
`;

function checkSpans(ds: readonly Diagnostic[], text: string): void {
  for (const d of ds) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
  }
}

/** Parses, asserting no exception and no internal error. */
function robust(text: string): Diagnostic[] {
  const r = parseFile("f.mm", text);
  expect(r.diagnostics.filter((d) => d.code === "MM9001")).toEqual([]);
  checkSpans(r.diagnostics, text);
  expect(r.ast.span).toEqual({ file: "f.mm", start: 0, end: text.length });
  return r.diagnostics;
}

test("the reference program parses cleanly", () => {
  expect(diags(VALID)).toEqual([]);
  const ast = parseFile("f.mm", VALID).ast;
  expect(ast.imports.length).toBe(2);
  expect(ast.decls.map((d) => d.kind)).toEqual(["Enum", "Block", "Block", "Block", "Variant"]);
});

describe("messages", () => {
  test("a missing token names what was expected and what was found", () => {
    expect(diags("block T {\n  a = F(1, 2\n  forward(x: [B]) -> [B] { return x }\n}")).toEqual([
      "MM1001 \"forward\" expected ')' but found 'forward'",
    ]);
  });
  test("a missing expression", () => {
    expect(diags("block T { let x = }")).toEqual(["MM1001 \"}\" expected an expression but found '}'"]);
  });
  test("an error at the end of the file points at the end", () => {
    const text = "block T {";
    const ds = parseFile("t.mm", text).diagnostics;
    expect(ds.map((d) => [d.message, d.span.start, d.span.end])).toEqual([["expected a body item or '}' but found end of file", 9, 9]]);
  });
  test("junk at the top level", () => {
    expect(diags("block A { }\n42 garbage\nblock B { }")).toEqual([
      "MM1001 \"42\" expected a declaration (import, enum, block, tower, fusion, experts, loss, head or model) but found '42'",
    ]);
  });
  test("junk in a body", () => {
    expect(diags("block A { foo bar; x = F() }")[0]).toMatch(/^MM1001 "foo" expected a body item .* but found 'foo'$/);
  });
  test("all diagnostics are syntax errors with code MM1001..MM1005", () => {
    for (const d of parseFile("t.mm", "block { = ; model = \"x").diagnostics) expect(d.code).toMatch(/^MM100[1-5]$/);
  });
});

describe("recovery", () => {
  test("two mistakes in two declarations are both reported, and the rest still parses", () => {
    const text = "block A { a = F(1,, 2) }\nblock B { b = G(1) }\nblock C { let = 3 }\nblock D { d = H() }";
    const r = parseFile("t.mm", text);
    expect(r.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(r.diagnostics.map((d) => text.slice(d.span.start, d.span.end))).toEqual([",", "="]);
    expect(r.ast.decls.map((d) => d.name.name)).toEqual(["A", "B", "C", "D"]);
    const names = r.ast.decls.map((d) => (d.kind === "Block" ? d.items.map((i) => (i.kind === "Submodule" ? i.name.name : i.kind)) : []));
    expect(names).toEqual([[], ["b"], [], ["d"]]);
  });

  test("errors in separate body items are each reported; items with errors are left out of the AST", () => {
    const text = "block A {\n  attn = Attention(width heads)\n  norm = LayerNorm(width\n  let y = 3\n  param w: [3 init zeros\n  ok = F()\n}";
    const r = parseFile("t.mm", text);
    expect(r.diagnostics.map((d) => `${text.slice(d.span.start, d.span.end)}: ${d.message}`)).toEqual([
      "heads: expected ')' but found 'heads'",
      "let: expected ')' but found 'let'",
      "init: expected ']' but found 'init'",
    ]);
    const d = r.ast.decls[0];
    expect(d?.kind === "Block" ? d.items.map((i) => i.kind === "Let" || i.kind === "Submodule" || i.kind === "TensorParam" ? i.name.name : "?") : [])
      .toEqual(["y", "ok"]);
  });

  test("errors in separate statements are each reported", () => {
    const text = "block A { forward(x: [B]) -> [B] {\n  let a = f(x +)\n  let b = (x\n  return a * \n} }";
    const ds = diags(text);
    expect(ds.length).toBe(3);
    expect(ds[0]).toBe("MM1001 \")\" expected an expression but found ')'");
    expect(ds[2]).toBe("MM1001 \"}\" expected an expression but found '}'");
  });

  test("a bad declaration header re-syncs at the next declaration keyword", () => {
    const text = "block (x: Int) { a = F() }\ntower T { t = G() }\nmodel = 3\nhead H { }";
    const r = parseFile("t.mm", text);
    expect(r.diagnostics.length).toBe(2);
    expect(r.ast.decls.map((d) => d.name.name)).toEqual(["T", "H"]);
  });

  test("lexical errors do not cascade into syntax errors", () => {
    expect(diags("block A { f = F(1 & 2) }").map((d) => d.slice(0, 6))).toEqual(["MM1003"]);
    expect(diags('block A { s = F("open) }\nblock B { }').map((d) => d.slice(0, 6))).toEqual(["MM1002"]);
  });

  test("absurd nesting is a syntax error, not a crash", () => {
    const deep = `block T { let v = ${"(".repeat(20_000)}1${")".repeat(20_000)} }`;
    const ds = robust(deep);
    expect(ds.map((d) => d.code)).toEqual(["MM1006"]);
  });
});

describe("fuzz: parseFile never throws", () => {
  // A small deterministic PRNG so failures reproduce.
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  test("every truncation of a valid program", () => {
    for (let i = 0; i <= VALID.length; i++) robust(VALID.slice(0, i));
  });

  test("every suffix of a valid program", () => {
    for (let i = 0; i <= VALID.length; i += 3) robust(VALID.slice(i));
  });

  test("random token deletions, duplications and swaps", () => {
    const rand = rng(42);
    const parts = VALID.split(/(\s+)/);
    for (let n = 0; n < 400; n++) {
      const p = [...parts];
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
        const i = Math.floor(rand() * p.length);
        const j = Math.floor(rand() * p.length);
        const op = rand();
        if (op < 0.4) p.splice(i, 1);
        else if (op < 0.7) p.splice(i, 0, p[j]!);
        else [p[i], p[j]] = [p[j]!, p[i]!];
      }
      robust(p.join(""));
    }
  });

  test("random garbage", () => {
    const rand = rng(7);
    const alphabet = [
      "block", "model", "forward", "let", "param", "repeat", "as", "if", "then", "else", "for", "in", "route", "by",
      "input", "output", "loss", "task", "stage", "with", "where", "import", "enum", "from", "init", "return", "none",
      "x", "B", "Int", "1", "2.5", "1_0", "1e", '"s"', '"', "...", "->", "**", "//", "==", "&&", "||", "!", "@",
      "(", ")", "[", "]", "{", "}", ":", ",", ".", ";", "=", "+", "-", "*", "/", "%", "<", ">", "#", "##", "\n", " ",
      "$", "&", "é", "😀", "\t", "\r\n", "\\",
    ];
    for (let n = 0; n < 1500; n++) {
      const len = Math.floor(rand() * 60);
      let text = "";
      for (let k = 0; k < len; k++) text += alphabet[Math.floor(rand() * alphabet.length)]! + (rand() < 0.5 ? " " : "");
      robust(text);
    }
  });

  test("random characters", () => {
    const rand = rng(99);
    for (let n = 0; n < 500; n++) {
      let text = "";
      const len = Math.floor(rand() * 80);
      for (let k = 0; k < len; k++) text += String.fromCharCode(rand() < 0.8 ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 0xffff));
      robust(text);
    }
  });
});

describe("messages at a missing closing brace", () => {
  test.each([
    ["block T { 42 }", "MM1001 \"42\" expected a body item or '}' but found '42'"],
    ["block T { forward(x: [B]) -> [B] { return x ) } }", "MM1001 \")\" expected a statement or '}' but found ')'"],
    ["model M { task t { outputs: a 3 } }", "MM1001 \"3\" expected a field such as `train: a, b` or '}' but found '3'"],
    ["model M = B with { x = 1 2 }", "MM1001 \"2\" expected an override such as `image.width = 768` or '}' but found '2'"],
    ["enum E { a b }", "MM1001 \"b\" expected ',' or '}' but found 'b'"],
  ])("%s", (text, expected) => {
    expect(diags(text)[0]).toBe(expected);
  });
});
