// Memoized elaboration (compiler/elaborate/memo.ts): a copy of an instance elaborated before
// must be indistinguishable from elaborating it again, except that it knows its template.
import { describe, expect, it } from "vitest";
import { allParams, type Instance } from "../../compiler/elaborate/instance.js";
import { codesOf, compileOne } from "../helpers.js";
import { LIB } from "./lib.js";

/** An instance tree without the template links, for comparing copies with originals. */
function plain(i: Instance, from: string): unknown {
  const rel = (p: string): string => p.slice(from.length);
  return {
    path: rel(i.path), kind: i.kind, declName: i.declName, args: [...i.args.keys()], explicit: [...i.explicitArgs],
    params: i.params.map((p) => ({ path: rel(p.path), shape: p.shape.map(String), dtype: p.dtype })),
    children: [...i.children].map(([k, c]) => [k, plain(c, from)]),
  };
}

describe("memoized elaboration", () => {
  it("copies repeated layers with their own paths and the same structure", () => {
    const r = compileOne(`${LIB}
model M {
  layers = repeat 3 MLP(8, 32)
  input x: [B, 8]
  forward { output y = layers(x) }
}`);
    expect(r.diagnostics).toEqual([]);
    const root = r.checked!.model.root;
    const layers = [...root.children.get("layers")!.children.values()];
    expect(layers[1]!.template).toBe(layers[0]);
    expect(layers[2]!.children.get("fc1")!.template).toBe(layers[0]!.children.get("fc1"));
    expect(plain(layers[2]!, "layers.2")).toEqual(plain(layers[0]!, "layers.0"));
    expect(allParams(root).map((p) => p.path)).toEqual([0, 1, 2].flatMap((i) =>
      ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"].map((p) => `layers.${i}.${p}`)));
  });

  it("does not copy a subtree that a variant overrides", () => {
    const r = compileOne(`${LIB}
model Base {
  a = MLP(8, 32)
  b = MLP(8, 32)
  input x: [B, 8]
  forward { output y = b(a(x)) }
}
model V = Base() with { b.fc2 = Linear(32, 8, bias: false) }`, "V");
    expect(r.diagnostics).toEqual([]);
    const b = r.checked!.model.root.children.get("b")!;
    expect(b.template).toBeUndefined();
    expect(b.children.get("fc2")!.params.map((p) => p.path)).toEqual(["b.fc2.weight"]);
  });

  it("reports an error in a repeated block at every model that has it", () => {
    const bad = `${LIB}
block Split(width: Int, heads: Int) where width % heads == 0 { fc = Linear(width, width) }`;
    const m = (name: string): string => `model ${name} { s = repeat 2 Split(10, 3) }`;
    expect(codesOf(`${bad}\n${m("A")}\n${m("B")}`)).toEqual(["MM3005", "MM3005"]);
  });
});
