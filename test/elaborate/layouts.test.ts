// Layouts declared by blocks: composed into the model's at each component's path, with the
// model's own rules first, `with` taking in other names, and one `default` per model.
import { describe, expect, it } from "vitest";
import { Layout } from "../../compiler/tools/weights/layout.js";
import { codesOf, compileOne } from "../helpers.js";
import { LIB } from "./lib.js";

const TOWER = `${LIB}
block Tower(width: Int = 8) {
  fc1 = Linear(width, width)
  fc2 = Linear(width, width)
  forward(x: [B, width]) -> [B, width] { return fc2(fc1(x)) }
  layout short {
    "fc1.*": "a.*"
    "fc2.*": "b.*"
  }
}
`;

const layoutOf = (model: ReturnType<typeof compileOne>, name: string): Layout => {
  const l = model.checked!.model.layouts!.find((x) => x.name === name)!;
  return new Layout(l.name, l.rules);
};

describe("block layouts", () => {
  it("apply at every component of the block, repeats and EMA copies included", () => {
    const r = compileOne(`${TOWER}
model M {
  one = Tower()
  many = repeat 2 Tower()
  teacher = ema(one, momentum: 0.9)
  input x: [B, 8]
  forward { output y = many(one(x)) + teacher(x) }
}`);
    expect(r.diagnostics).toEqual([]);
    const l = layoutOf(r, "short");
    expect(l.map("one.fc1.weight").key).toBe("one.a.weight");
    expect(l.map("many.1.fc2.bias").key).toBe("many.1.b.bias");
    expect(l.map("teacher.fc1.weight").key).toBe("teacher.a.weight");
    expect(r.checked!.model.defaultLayout).toBeUndefined();
  });

  it("come after the model's own rules of the same name, which win where both match", () => {
    const r = compileOne(`${TOWER}
model M {
  enc = Tower()
  input x: [B, 8]
  forward { output y = enc(x) }
  default layout short {
    "enc.fc1.weight": "first.weight"
  }
}`);
    expect(r.diagnostics).toEqual([]);
    const l = layoutOf(r, "short");
    expect(l.map("enc.fc1.weight").key).toBe("first.weight");
    expect(l.map("enc.fc1.bias").key).toBe("enc.a.bias");
    expect(r.checked!.model.defaultLayout).toBe("short");
  });

  it("are taken in under another name with `with`, and a default may have no rules of its own", () => {
    const src = `${TOWER}
model M {
  enc = Tower()
  head = Linear(8, 2)
  input x: [B, 8]
  forward { output y = head(enc(x)) }
  default layout official with short {
    "head.*": "classifier.*"
  }
}
model N {
  enc = Tower()
  input x: [B, 8]
  forward { output y = enc(x) }
  default layout short
}`;
    const r = compileOne(src, "M");
    expect(r.diagnostics).toEqual([]);
    const l = layoutOf(r, "official");
    expect([l.map("head.weight").key, l.map("enc.fc2.weight").key]).toEqual(["classifier.weight", "enc.b.weight"]);
    const n = compileOne(src, "N");
    expect(n.checked!.model.defaultLayout).toBe("short");
  });

  it("report a default nobody declares rules for, an unknown `with`, two defaults and the reserved name", () => {
    const model = (items: string): string => `${TOWER}
model M {
  enc = Tower()
  input x: [B, 8]
  forward { output y = enc(x) }
${items}
}`;
    expect(codesOf(model("  default layout nowhere"))).toEqual(["MM5010"]);
    expect(codesOf(model("  layout both with nothing { \"enc.*\": \"x.*\" }"))).toEqual(["MM5010"]);
    expect(codesOf(model("  default layout short\n  default layout other { \"enc.**\": \"o.**\" }"))).toEqual(["MM5010"]);
    expect(codesOf(model("  layout mm { \"enc.**\": \"o.**\" }"))).toEqual(["MM5010"]);
  });

  it("are checked in the block, where `default` and `with` do not belong", () => {
    const bad = codesOf(`${LIB}
block B {
  fc = Linear(2, 2)
  forward(x: [N, 2]) -> [N, 2] { return fc(x) }
  default layout d { "fc.*": "f.*" }
}
model M {
  b = B()
  input x: [N, 2]
  forward { output y = b(x) }
}`);
    expect(bad).toEqual(["MM1005"]);
    const rule = codesOf(`${LIB}
block B {
  fc = Linear(2, 2)
  forward(x: [N, 2]) -> [N, 2] { return fc(x) }
  layout d { "fc.*": "f.**" }
}
model M {
  b = B()
  input x: [N, 2]
  forward { output y = b(x) }
}`);
    expect(rule).toEqual(["MM5010"]);
  });
});
