import { describe, expect, test } from "vitest";
import { parseFile } from "../../grammar/index.js";
import { block, noSpans, parseOk, show, src } from "./helpers.js";

describe("imports", () => {
  test("whole-file and named imports", () => {
    const text = 'import "std/nn/layers.mm"\nimport { Linear, MLP, } from "./blocks.mm"';
    const ast = parseOk(text);
    expect(noSpans(ast.imports)).toEqual([
      { kind: "Import", path: { kind: "String", value: "std/nn/layers.mm" } },
      {
        kind: "Import", path: { kind: "String", value: "./blocks.mm" },
        names: [{ kind: "Ident", name: "Linear" }, { kind: "Ident", name: "MLP" }],
      },
    ]);
    expect(src(text, ast.imports[1]!.span)).toBe('import { Linear, MLP, } from "./blocks.mm"');
    expect(src(text, ast.imports[1]!.path.span)).toBe('"./blocks.mm"');
  });
});

describe("enums", () => {
  test("members in order", () => {
    const text = "enum Act { gelu, quick_gelu, relu, silu, }";
    const ast = parseOk(text);
    expect(noSpans(ast.decls)).toEqual([{
      kind: "Enum", name: { kind: "Ident", name: "Act" },
      members: ["gelu", "quick_gelu", "relu", "silu"].map((name) => ({ kind: "Ident", name })),
    }]);
    expect(src(text, ast.decls[0]!.span)).toBe(text);
  });
});

describe("block declarations", () => {
  test.each(["block", "tower", "fusion", "experts", "loss", "head", "model"])("kind %s", (kind) => {
    expect(block(`${kind} X { }`).blockKind).toBe(kind);
  });

  test("parameters, defaults and where clauses", () => {
    const text = "block Linear(in: Int, out: Int, bias: Bool = true, ffn: Block = MLP(act: Act.quick_gelu),) where in > 0, out % 2 == 0 { }";
    const b = block(text);
    expect(b.name.name).toBe("Linear");
    expect(b.params.map((p) => [p.name.name, p.default ? show(p.default) : null])).toEqual([
      ["in", null], ["out", null], ["bias", "true"], ["ffn", "(call MLP act:(. Act quick_gelu))"],
    ]);
    expect(b.where.map(show)).toEqual(["(> in 0)", "(== (% out 2) 0)"]);
    expect(src(text, b.params[3]!.span)).toBe("ffn: Block = MLP(act: Act.quick_gelu)");
    expect(src(text, b.span)).toBe(text);
    expect(src(text, b.name.span)).toBe("Linear");
  });

  test("empty parameter list and no parameter list", () => {
    expect(block("block A() { }").params).toEqual([]);
    expect(block("block A { }").params).toEqual([]);
  });

  test("contextual keywords name declarations and parameters", () => {
    const b = block("head loss(input: Int, output: Int, model: Block, from: Int, by: Int) { }");
    expect(b.blockKind).toBe("head");
    expect(b.name.name).toBe("loss");
    expect(b.params.map((p) => p.name.name)).toEqual(["input", "output", "model", "from", "by"]);
  });
});

describe("doc comments", () => {
  test("`##` lines directly above a declaration become its doc", () => {
    const ast = parseOk([
      "## A dense layer,",
      "##   PyTorch layout.",
      "##",
      "block Linear { }",
      "",
      "## Not attached: a blank line follows.",
      "",
      "block A { }",
      "# plain comment",
      "block B { }",
      "## Variant doc",
      "model M = Base",
      "  ## indented doc",
      "  tower C { }",
    ].join("\n"));
    const docs = ast.decls.map((d) => (d.kind === "Enum" ? undefined : d.doc));
    expect(docs).toEqual(["A dense layer,\n  PyTorch layout.", undefined, undefined, "Variant doc", "indented doc"]);
  });

  test("a `##` comment after code on its line is not a doc", () => {
    const ast = parseOk("block A { } ## trailing\nblock B { }");
    const b = ast.decls[1];
    expect(b?.kind === "Block" ? b.doc : "x").toBeUndefined();
  });

  test("a plain comment between doc and declaration breaks the doc", () => {
    const ast = parseOk("## doc\n# note\nblock B { }");
    const b = ast.decls[0];
    expect(b?.kind === "Block" ? b.doc : "x").toBeUndefined();
  });
});

describe("variants", () => {
  test("bare base", () => {
    expect(noSpans(parseOk("model M = Base").decls)).toEqual([{
      kind: "Variant", name: { kind: "Ident", name: "M" }, base: { kind: "Ident", name: "Base" }, args: [], overrides: [],
    }]);
  });

  test("arguments and overrides", () => {
    const text = "model CLIP_L14 = CLIP(embed: 768) with { image.patch = 14; image.width = 1024\n text = TextTransformer(width: 768) }";
    const d = parseOk(text).decls[0];
    if (d?.kind !== "Variant") throw new Error("expected variant");
    expect(d.args.map((a) => `${a.name?.name}:${show(a.value)}`)).toEqual(["embed:768"]);
    expect(d.overrides.map((o) => `${o.path.map((p) => p.name).join(".")}=${show(o.value)}`)).toEqual([
      "image.patch=14", "image.width=1024", "text=(call TextTransformer width:768)",
    ]);
    expect(src(text, d.overrides[1]!.span)).toBe("image.width = 1024");
    expect(src(text, d.span)).toBe(text);
  });

  test("a model variant and a model block side by side", () => {
    const ast = parseOk("model A(x: Int = 1) { }\nmodel B = A(x: 2)\nmodel C = B with { }");
    expect(ast.decls.map((d) => d.kind)).toEqual(["Block", "Variant", "Variant"]);
  });
});

test("semicolons may separate declarations", () => {
  expect(parseOk("enum A { x }; block B { };;").decls.length).toBe(2);
});

test("an empty file parses to an empty AST", () => {
  expect(parseFile("t.mm", "").ast).toEqual({ kind: "File", path: "t.mm", imports: [], decls: [], span: { file: "t.mm", start: 0, end: 0 } });
  expect(parseFile("t.mm", "  # only a comment\n").diagnostics).toEqual([]);
});
