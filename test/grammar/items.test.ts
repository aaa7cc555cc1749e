import { describe, expect, test } from "vitest";
import { parseFile } from "../../grammar/index.js";
import { block, diags, items, noSpans, show, showType, src } from "./helpers.js";

describe("let and param items", () => {
  test("let with and without a type", () => {
    const [a, b] = items("let n = (image / patch) ** 2\nlet m: Int = n + 1");
    expect(a?.kind === "Let" ? [a.name.name, a.type, show(a.value)] : []).toEqual(["n", undefined, "(** (/ image patch) 2)"]);
    expect(b?.kind === "Let" && b.type ? showType(b.type) : "").toBe("Int");
  });

  test("tensor params: dtype, init and condition are optional", () => {
    const text = [
      "block T(out: Int, in: Int, bias: Bool) {",
      "  param w: [out, in] float32 init normal(std: 0.02) if bias",
      "  param b: [out] init zeros",
      "  param s: []",
      "  param c: [1, 1, in] if bias",
      "}",
    ].join("\n");
    const ps = block(text).items;
    expect(ps.map((p) => (p.kind === "TensorParam"
      ? [p.name.name, showType(p.type), p.init ? show(p.init) : null, p.condition ? show(p.condition) : null] : []))).toEqual([
      ["w", "[out, in] float32", "(call normal std:0.02)", "bias"],
      ["b", "[out]", "zeros", null],
      ["s", "[]", null, null],
      ["c", "[1, 1, in]", null, "bias"],
    ]);
    expect(src(text, ps[0]!.span)).toBe("param w: [out, in] float32 init normal(std: 0.02) if bias");
  });

  test("a name after a param's shape is a dtype unless `=` follows it", () => {
    const its = items("param b: [n]\nnorm = LayerNorm(n)\nparam c: [n] int64\ninput = Foo()");
    expect(its.map((i) => i.kind)).toEqual(["TensorParam", "Submodule", "TensorParam", "Submodule"]);
    expect(its[0]?.kind === "TensorParam" ? its[0].type.dtype : "x").toBeUndefined();
    expect(its[2]?.kind === "TensorParam" ? its[2].type.dtype?.name : "").toBe("int64");
  });
});

describe("submodules", () => {
  test("plain, repeated, indexed, conditional", () => {
    const text = [
      "block T {",
      "  attn = Attention(width, heads)",
      "  layers = repeat depth EncoderLayer(width, heads)",
      "  layers2 = repeat depth - 1 as i Layer(vl: i >= depth - 2) if deep",
      "  norm = nn.LayerNorm(width) if pre_norm",
      "  teacher = ema(image, momentum: 0.995)",
      "}",
    ].join("\n");
    const its = block(text).items;
    expect(its.map((i) => (i.kind === "Submodule"
      ? [i.name.name, show(i.call), i.repeat ? show(i.repeat.count) : null, i.repeat?.index?.name ?? null, i.condition ? show(i.condition) : null]
      : []))).toEqual([
      ["attn", "(call Attention width heads)", null, null, null],
      ["layers", "(call EncoderLayer width heads)", "depth", null, null],
      ["layers2", "(call Layer vl:(>= i (- depth 2)))", "(- depth 1)", "i", "deep"],
      ["norm", "(call (. nn LayerNorm) width)", null, null, "pre_norm"],
      ["teacher", "(call ema image momentum:0.995)", null, null, null],
    ]);
    const rep = its[2]?.kind === "Submodule" ? its[2].repeat : undefined;
    expect(rep ? src(text, rep.span) : "").toBe("repeat depth - 1 as i");
    expect(src(text, its[2]!.span)).toBe("layers2 = repeat depth - 1 as i Layer(vl: i >= depth - 2) if deep");
  });

  test("contextual keywords name submodules", () => {
    const its = items("head = Linear(1, 2)\nloss = Foo()\ninput = Bar(input: 3)\nparam = P()\nroute = R()\ntask = T()\nstage = S()\nmodel = M()");
    expect(its.map((i) => (i.kind === "Submodule" ? i.name.name : i.kind))).toEqual(
      ["head", "loss", "input", "param", "route", "task", "stage", "model"]);
  });

  test("a submodule must be a call", () => {
    expect(diags("block T { x = 3 }")).toEqual(["MM1001 \"3\" expected a block instance like `Name(args)` after '='"]);
  });
});

describe("forward", () => {
  test("single output", () => {
    const text = "block T { forward(x: [..., in], mask: [B, T] bool = none, modality: String = \"image\") -> [..., out] { return x } }";
    const f = block(text).items[0];
    if (f?.kind !== "Forward") throw new Error("expected forward");
    expect(f.hasSignature).toBe(true);
    expect(f.namedOutputs).toBe(false);
    expect(f.inputs.map((i) => [i.name.name, showType(i.type), i.default ? show(i.default) : null])).toEqual([
      ["x", "[..., in]", null], ["mask", "[B, T] bool", "none"], ["modality", "String", '"image"'],
    ]);
    expect(f.outputs.map((o) => [o.name, showType(o.type)])).toEqual([[undefined, "[..., out]"]]);
    expect(src(text, f.inputs[1]!.span)).toBe("mask: [B, T] bool = none");
    expect(src(text, f.outputs[0]!.span)).toBe("[..., out]");
    expect(src(text, f.span)).toBe(text.slice(10, -2));
  });

  test("named outputs", () => {
    const text = "tower T { forward(x: [B, T, d],) -> (cls: [B, d], tokens: [B, T, d],) { cls = x[:, 0]; tokens = x } }";
    const f = block(text).items[0];
    if (f?.kind !== "Forward") throw new Error("expected forward");
    expect(f.namedOutputs).toBe(true);
    expect(f.outputs.map((o) => [o.name?.name, showType(o.type)])).toEqual([["cls", "[B, d]"], ["tokens", "[B, T, d]"]]);
    expect(src(text, f.outputs[0]!.span)).toBe("cls: [B, d]");
    expect(f.body.map((s) => s.kind)).toEqual(["Assign", "Assign"]);
  });

  test("empty inputs", () => {
    const f = items("forward() -> [B] { return x }")[0];
    expect(f?.kind === "Forward" ? [f.inputs.length, f.hasSignature] : []).toEqual([0, true]);
  });

  test("a model's forward has no signature", () => {
    const f = items("forward { output y = f(x) }", "model")[0];
    expect(noSpans(f)).toMatchObject({ kind: "Forward", inputs: [], outputs: [], namedOutputs: false, hasSignature: false });
  });

  test("a forward with inputs but no `->` is a syntax error", () => {
    expect(diags("block T { forward(x: [B]) { return x } }")).toEqual([
      "MM1001 \"{\" expected '->' and an output type after the inputs",
    ]);
    expect(diags("block T { forward(x: [B]) [B] { return x } }")).toEqual(["MM1001 \"[B]\" expected '->' before the output type"]);
  });
});

describe("route, input, task, stage", () => {
  test("route by modality and route topk", () => {
    const its = items("route by modality\nroute topk(2, gate: router)", "experts");
    expect(its.map((r) => (r.kind === "Route" ? [r.strategy.name, r.args.map((a) => show(a.value))] : []))).toEqual([
      ["modality", []], ["topk", ["2", "router"]],
    ]);
  });

  test("model items", () => {
    const text = [
      "model M {",
      "  input pixels: [B, 3, 224, 224]",
      "  input ids: [B, 77] int64",
      "  task itc { outputs: a, b  losses: itc; inputs: pixels }",
      "  stage pretrain {",
      "    train: qformer, image.layers.*.attn, **.bias, llm.layers.0.1",
      "    freeze: image, llm",
      "    tasks: itc",
      "  }",
      "}",
    ].join("\n");
    const its = block(text).items;
    expect(its.map((i) => (i.kind === "Input" ? [i.name.name, showType(i.type)] : i.kind))).toEqual([
      ["pixels", "[B, 3, 224, 224]"], ["ids", "[B, 77] int64"], "Task", "Stage",
    ]);
    const fields = (i: (typeof its)[number] | undefined): string[] => (i?.kind === "Task" || i?.kind === "Stage"
      ? i.fields.map((f) => `${f.key.name}: ${f.values.map((v) => v.segments.join("|")).join(", ")}`) : []);
    expect(fields(its[2])).toEqual(["outputs: a, b", "losses: itc", "inputs: pixels"]);
    expect(fields(its[3])).toEqual(["train: qformer, image|layers|*|attn, **|bias, llm|layers|0|1", "freeze: image, llm", "tasks: itc"]);
    const stage = its[3];
    if (stage?.kind !== "Stage") throw new Error("expected stage");
    expect(src(text, stage.fields[0]!.values[1]!.span)).toBe("image.layers.*.attn");
    expect(src(text, stage.fields[1]!.span)).toBe("freeze: image, llm");
    expect(stage.name.name).toBe("pretrain");
  });
});

describe("misplaced items (MM1005)", () => {
  test.each([
    ["tower", "route by modality", "MM1005 \"route\" route is not allowed in a tower"],
    ["model", "route topk(2, gate: g)", "MM1005 \"route\" route is not allowed in a model"],
    ["block", "input x: [B]", "MM1005 \"input\" input is not allowed in a block"],
    ["fusion", "task t { outputs: a }", "MM1005 \"task\" task is not allowed in a fusion"],
    ["loss", "stage s { train: a }", "MM1005 \"stage\" stage is not allowed in a loss block"],
    ["experts", "forward { return x }", "MM1005 \"forward\" forward without a signature is not allowed in an experts block"],
    ["model", "forward(x: [B]) -> [B] { return x }", "MM1005 \"forward\" forward with a signature is not allowed in a model"],
  ])("%s { %s }", (kind, item, expected) => {
    expect(diags(`${kind} T { ${item} }`)).toEqual([expected]);
  });

  test("output and loss statements are not checked here", () => {
    expect(diags("block T { forward(x: [B]) -> [B] { output y = x; loss l = x; return x } }")).toEqual([]);
  });

  test("a misplaced item is still in the AST", () => {
    const r = parseFile("t.mm", "tower T { route by modality; input x: [B] }");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["MM1005", "MM1005"]);
    const d = r.ast.decls[0];
    expect(d?.kind === "Block" ? d.items.map((i) => i.kind) : []).toEqual(["Route", "Input"]);
  });
});

describe("layout", () => {
  test("rules map quoted model paths to checkpoint keys, split or transpose", () => {
    const its = items('layout openai {\n  "a.*.w": "b.*.w"\n  "a.*.{q,k,v}.w": split("b.*.in_proj")\n  "p.weight": transpose("proj")\n}', "model");
    const l = its[0];
    if (l?.kind !== "Layout") throw new Error("expected a layout");
    expect(l.name.name).toBe("openai");
    expect(l.rules.map((r) => [r.model.value, show(r.checkpoint)])).toEqual([
      ["a.*.w", '"b.*.w"'], ["a.*.{q,k,v}.w", '(call split "b.*.in_proj")'], ["p.weight", '(call transpose "proj")'],
    ]);
  });
  test("a block declares layouts too; `default` belongs to a model", () => {
    expect(diags('block T { layout l { "a": "b" } }')).toEqual([]);
    expect(diags('block T { default layout l { "a": "b" } }')).toEqual(["MM1005 \"default\" default layout is not allowed in a block"]);
  });
  test("`default layout name with a, b`, its rules optional; `default` is still a name elsewhere", () => {
    const its = items("default layout official with hf_blip, timm\nlayout x with y\ndefault = Linear(2, 2)", "model");
    expect(its.map((i) => (i.kind === "Layout" ? [i.name.name, i.default ?? false, i.with.map((w) => w.name), i.rules.length] : i.kind))).toEqual([
      ["official", true, ["hf_blip", "timm"], 0], ["x", false, ["y"], 0], "Submodule",
    ]);
  });
  test("a broken rule is reported and the next one parses", () => {
    const text = 'model M {\n  layout l {\n    "a" "b"\n    "c": "d"\n  }\n}';
    const r = parseFile("t.mm", text);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["expected ':' but found '\"b\"'"]);
    const l = r.ast.decls[0]?.kind === "Block" ? r.ast.decls[0].items[0] : undefined;
    expect(l?.kind === "Layout" ? l.rules.map((x) => x.model.value) : []).toEqual(["c"]);
  });
});
