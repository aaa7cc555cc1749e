import { test } from "vitest";
import { lex } from "../../grammar/tokens.js";
import { parseTokens } from "../../grammar/parser.js";
import { AstBuilder } from "../../grammar/ast-builder.js";
test("perf", () => {
  const t = `block T {\n${"  attn = Attention(width, heads, x: a.b[1:2] * 3)\n".repeat(4000)} }`;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const l = lex("a", t);
    const t1 = performance.now();
    const p = parseTokens(l.tokens);
    const t2 = performance.now();
    new AstBuilder("a", t, l.comments).build(p.cst, "a");
    const t3 = performance.now();
    console.log((t1 - t0).toFixed(1), (t2 - t1).toFixed(1), (t3 - t2).toFixed(1));
  }
});
