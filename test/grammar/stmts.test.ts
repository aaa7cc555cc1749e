import { describe, expect, test } from "vitest";
import type { Stmt } from "../../compiler/ast/ast.js";
import { block, noSpans, show, showType, src, stmts } from "./helpers.js";

/** One line per statement, nested blocks inline. */
function outline(s: Stmt): string {
  const body = (b: readonly Stmt[]): string => `{ ${b.map(outline).join("; ")} }`;
  switch (s.kind) {
    case "LetStmt": return `let ${s.destructure ? `(${s.names.map((n) => n.name).join(", ")})` : s.names[0]!.name}${s.type ? `: ${showType(s.type)}` : ""} = ${show(s.value)}`;
    case "Assign": return `${s.name.name} = ${show(s.value)}`;
    case "Return": return `return ${show(s.value)}`;
    case "Output": return `output ${s.name.name}${s.type ? `: ${showType(s.type)}` : ""} = ${show(s.value)}`;
    case "Loss": return `loss ${s.name.name} = ${show(s.value)}`;
    case "For": return `for ${s.item.name}${s.index ? `, ${s.index.name}` : ""} in ${show(s.iterable)} ${body(s.body)}`;
    case "If": return `if ${show(s.cond)} ${body(s.then)}${s.else ? ` else ${body(s.else)}` : ""}`;
    case "ExprStmt": return show(s.expr);
  }
}

const lines = (body: string): string[] => stmts(body).map(outline);

describe("statements", () => {
  test("let, destructuring let, typed let", () => {
    expect(lines("let x = f(y)\nlet (a, b, c) = split(x, 3)\nlet y: [B, T] float32 = x\nlet n: Int = 2")).toEqual([
      "let x = (call f y)", "let (a, b, c) = (call split x 3)", "let y: [B, T] float32 = x", "let n: Int = 2",
    ]);
    const [d] = stmts("let (a, b) = e");
    expect(noSpans(d)).toMatchObject({ kind: "LetStmt", destructure: true, names: [{ name: "a" }, { name: "b" }] });
  });

  test("assignments, returns, outputs, losses, expression statements", () => {
    expect(lines("x = x + 1\noutput logits: [B, n] = head(x)\noutput y = x\nloss itc = clip_loss(a, b)\nprint(x)\nreturn x")).toEqual([
      "x = (+ x 1)", "output logits: [B, n] = (call head x)", "output y = x", "loss itc = (call clip_loss a b)", "(call print x)", "return x",
    ]);
  });

  test("contextual keywords as locals", () => {
    expect(lines("let output = a\nloss = 3\noutput = loss\nlet input = output.loss\nloss(x)\nhead.weight")).toEqual([
      "let output = a", "loss = 3", "output = loss", "let input = (. output loss)", "(call loss x)", "(. head weight)",
    ]);
  });

  test("for loops", () => {
    expect(lines("for layer in layers { x = layer(x) }\nfor layer, i in layers { }\nfor i in range(n) { x = x * i }")).toEqual([
      "for layer in layers { x = (call layer x) }", "for layer, i in layers {  }", "for i in (call range n) { x = (* x i) }",
    ]);
  });

  test("if, else, else-if chains", () => {
    expect(lines("if a { x = 1 }\nif a { x = 1 } else { x = 2 }\nif a { x = 1 } else if b { x = 2 } else { x = 3 }")).toEqual([
      "if a { x = 1 }", "if a { x = 1 } else { x = 2 }", "if a { x = 1 } else { if b { x = 2 } else { x = 3 } }",
    ]);
  });

  test("an if expression inside a statement", () => {
    expect(lines("let y = if training then dropout(x) else x")).toEqual(["let y = (if training (call dropout x) x)"]);
  });

  test("semicolons separate statements on one line", () => {
    expect(lines("let a = 1; let b = 2;; return a + b;")).toEqual(["let a = 1", "let b = 2", "return (+ a b)"]);
  });

  test("statement spans", () => {
    const text = "block T { forward(x: [B]) -> [B] {\n  if a { y = 1 } else if b { y = 2 }\n  for l, i in ls { x = l(x) }\n  return x\n} }";
    const f = block(text).items[0];
    if (f?.kind !== "Forward") throw new Error("expected forward");
    expect(f.body.map((s) => src(text, s.span))).toEqual([
      "if a { y = 1 } else if b { y = 2 }", "for l, i in ls { x = l(x) }", "return x",
    ]);
    const ifs = f.body[0];
    if (ifs?.kind !== "If" || ifs.else === undefined) throw new Error("expected if/else");
    expect(src(text, ifs.else[0]!.span)).toBe("if b { y = 2 }");
    const loop = f.body[1];
    expect(loop?.kind === "For" ? [src(text, loop.item.span), src(text, loop.index!.span), src(text, loop.iterable.span)] : []).toEqual(["l", "i", "ls"]);
  });
});
