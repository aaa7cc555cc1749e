import { test } from "vitest";
import { parseFile } from "../../grammar/index.js";
import { lex } from "../../grammar/tokens.js";
import { parseTokens } from "../../grammar/parser.js";
test("perf", () => {
  const n = 300;
  const cases = {
    paren: `block T { let v = ${"(".repeat(n)}1${")".repeat(n)} }`,
    neg: `block T { let v = ${"-".repeat(n)}1 }`,
    plus: `block T { let v = 1${" + 1".repeat(n * 10)} }`,
    items: `block T {\n${"  attn = Attention(width, heads, x: a.b[1:2] * 3)\n".repeat(n * 5)} }`,
  };
  for (const [k, t] of Object.entries(cases)) {
    parseFile("a", t);
    const t0 = performance.now();
    const l = lex("a", t);
    const t1 = performance.now();
    parseTokens(l.tokens);
    const t2 = performance.now();
    parseFile("a", t);
    const t3 = performance.now();
    console.log(k, t.length, l.tokens.length, (t1 - t0).toFixed(1), (t2 - t1).toFixed(1), (t3 - t2).toFixed(1));
  }
});
