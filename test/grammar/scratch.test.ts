import { test } from "vitest";
import { parseFile } from "../../grammar/index.js";
const strip = (v: unknown) => JSON.stringify(v, (k, x) => (k === "span" || k === "opSpan" ? undefined : x));
test("scratch", () => {
  const srcs = [
`block A(x: Int) {
  attn = Attention(width heads)
  norm = LayerNorm(width
  let y = 3
}
block B {
  forward(x: [B]) -> [B] {
    let y = x +
    return y
  }
}
model C { forward(x: [B]) { return x } }
block D { forward(x: [B]) [B] { return x } }`,
`block A { lin = Linear(1, 2)  }  garbage here
block B { x = 3 }
tower C { foo bar; input ) ; param w: [3] }
`,
`block A { l = Linear(1__0, 1_, 1e, 3x, 1_000.5, "abc\\q", $) }
block B { s = F("unterminated) }
block C { f = F(1 & 2) }`,
`block A {
  forward(x: [B]) -> [B] {
    let a = f(x,, 2)
    let b = )
    foo bar
    return x
  }
  q = 
}`,
  ];
  for (const src of srcs) {
    const r = parseFile("a.mm", src);
    for (const d of r.diagnostics) console.log(d.code, JSON.stringify(src.slice(d.span.start, d.span.end)), d.message);
    console.log(strip(r.ast).slice(0, 1500));
    console.log("-----");
  }
});
